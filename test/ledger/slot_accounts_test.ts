import { Identity } from "../../src/identity/mod.ts";
import {
  accountsArriving,
  accountsGone,
  accountsLeaving,
  entryLeaf,
  LedgerShard,
  MemoryLedgerStorage,
  signTransfer,
  transferToJson,
} from "../../src/ledger/mod.ts";
import { Placement, slotOf } from "../../src/routing/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

const NETWORK = "dev";

async function homedOn(placement: Placement, shard: number): Promise<Identity> {
  for (;;) {
    const id = await Identity.generate();
    if (placement.home(id.peerId) === shard) return id;
  }
}

function shardOn(placement: Placement, shard: number, genesis = {}, s = new MemoryLedgerStorage()) {
  const options = { network: NETWORK, shards: 2, maxAmount: 1_000_000, maxBlockEntries: 64 };
  return new LedgerShard(s, { ...options, shard, placement, genesis });
}

Deno.test("a moved account's state arrives whole, and its old shard pays on what reaches it after", async () => {
  const placement = new Placement(2);
  const a = await homedOn(placement, 0);
  const b = await homedOn(placement, 1);
  const store1 = new MemoryLedgerStorage();
  const store2 = new MemoryLedgerStorage();
  const s0 = shardOn(placement, 0, { [a.peerId]: 1000, [b.peerId]: 70 });
  const s1 = shardOn(placement, 1, { [a.peerId]: 1000, [b.peerId]: 70 }, store1);
  const s2 = shardOn(placement, 2, {}, store2);
  const pay = async (nonce: number, amount: number) =>
    transferToJson(
      await signTransfer(a, { network: NETWORK, to: b.peerId, amount: BigInt(amount), nonce }),
    );
  // Paid before the move and credited at b's old home; paid again, not yet delivered.
  assert((await s0.submit(await pay(1, 10))).ok);
  assertEquals(s1.receive(0, s0.outbound(10)[0].receipts), 1);
  s0.acknowledge(1, 1);
  assert((await s0.submit(await pay(2, 20))).ok);
  const late = s0.outbound(10)[0].receipts;

  // b's slot moves to shard 2: copied, the map follows, dropped at the old home.
  const inSlot = (id: string) => slotOf(id) === slotOf(b.peerId);
  const leaving = accountsLeaving(store1, inSlot);
  assertEquals(leaving, [{ id: b.peerId, balance: "80", nonce: 0 }]);
  accountsArriving(store2, leaving);
  placement.adopt(placement.map!.assign(new Map([[slotOf(b.peerId), 2]])));
  assertEquals(accountsGone(store1, inSlot), 1);
  assertEquals([s1.account(b.peerId).balance, s2.account(b.peerId).balance], ["0", "80"]);

  // The receipt sent before the payer knew reaches the old home: paid on, once, to the new.
  assertEquals(s1.receive(0, late), 2);
  assertEquals(s1.receive(0, late), 2);
  const on = s1.outbound(10);
  assertEquals(on.map((o) => [o.dest, o.receipts.length]), [[2, 1]]);
  const [forwarded] = on[0].receipts;
  assertEquals([forwarded.source, forwarded.to, forwarded.amount, forwarded.tx], [
    1,
    b.peerId,
    "20",
    late[0].tx,
  ]);
  assertEquals(s1.account(b.peerId).balance, "0"); // nothing credited on the way
  assertEquals(s2.receive(1, on[0].receipts), 1);
  assertEquals(s2.account(b.peerId).balance, "100");
  // The old shard's block records the forward (leaf kind 0x03) and the receipt it sent.
  const header = await s1.seal(await Identity.generate());
  assertEquals([header?.entries, header?.receipts], [2, 1]); // the first credit, the forward
  assertEquals(entryLeaf({ kind: "forward", receipt: late[0] })[0], 0x03);
  // New transfers go to the new home directly.
  assert((await s0.submit(await pay(3, 5))).ok);
  s0.acknowledge(1, 2);
  assertEquals(
    s0.outbound(10).map((o) => [o.dest, o.receipts.map((r) => r.amount)]),
    [[2, ["5"]]],
  );
});
