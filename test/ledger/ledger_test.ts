import fc from "fast-check";
import { Identity } from "../../src/identity/mod.ts";
// Shard keys come from the operator's secret, on the server: the ledger is given its key.
import { deriveShardKey } from "../../workers/shard_keys.ts";
import {
  LedgerShard,
  MemoryLedgerStorage,
  signTransfer,
  transferToJson,
  verifyTxProof,
} from "../../src/ledger/mod.ts";
import { shardOf } from "../../src/routing/mod.ts";
import { verifyTransfers } from "../../src/ledger/verdicts.ts";
import type { TransferProof } from "../../src/protocol/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
// The root's proof checks load the ledger's code on first call: the same verdicts.
import * as root from "../../mod.ts";

const NETWORK = "dev";

async function identityOn(shard: number, shards: number): Promise<Identity> {
  for (;;) {
    const id = await Identity.generate();
    if (shardOf(id.peerId, shards) === shard) return id;
  }
}

function shardFor(shard: number, shards: number, genesis: Record<string, number>) {
  return new LedgerShard(new MemoryLedgerStorage(), {
    network: NETWORK,
    shard,
    shards,
    maxAmount: 1_000_000,
    maxBlockEntries: 64,
    genesis,
  });
}

const alice = await identityOn(0, 1);
const bob = await identityOn(0, 1);

async function tx(
  from: Identity,
  to: Identity,
  amount: bigint | number,
  nonce: number,
  network = NETWORK,
) {
  return transferToJson(
    await signTransfer(from, { network, to: to.peerId, amount: BigInt(amount), nonce }),
  );
}

Deno.test("LedgerShard applies a transfer and refuses each bad one with its code, changing nothing", async () => {
  const shard = shardFor(0, 1, { [alice.peerId]: 100 });
  const good = await tx(alice, bob, 30, 1);
  const forged = { ...(await tx(alice, bob, 30, 1)), amount: "31" };
  const state =
    () => [shard.account(alice.peerId), shard.account(bob.peerId), shard.pendingCount()];
  const before = state();
  const refusals: [string, unknown, string][] = [
    ["bad signature", forged, "TX_BAD_SIGNATURE"],
    [
      "signed by someone else",
      { ...(await tx(bob, bob, 1, 1)), from: alice.peerId },
      "TX_BAD_SIGNATURE",
    ],
    ["another network", await tx(alice, bob, 30, 1, "prod"), "TX_WRONG_NETWORK"],
    ["nonce gap", await tx(alice, bob, 30, 2), "TX_NONCE_GAP"],
    ["overspend", await tx(alice, bob, 101, 1), "TX_INSUFFICIENT_FUNDS"],
    ["zero", { ...good, amount: "0" }, "TX_BAD_AMOUNT"],
    ["negative", { ...good, amount: "-5" }, "TX_BAD_AMOUNT"],
    ["fractional", { ...good, amount: "1.5" }, "TX_BAD_AMOUNT"],
    // The amount's one JSON form is a decimal string: a number is malformed, whatever its value.
    ["amount as a number", { ...good, amount: 30 }, "TX_MALFORMED"],
    ["fractional number", { ...good, amount: 1.5 }, "TX_MALFORMED"],
    ["oversized", { ...good, amount: "1000001" }, "TX_BAD_AMOUNT"],
    ["huge", { ...good, amount: "1".repeat(40) }, "TX_BAD_AMOUNT"],
    ["no nonce", { ...good, nonce: undefined }, "TX_MALFORMED"],
    ["bad to", { ...good, to: "nobody" }, "TX_MALFORMED"],
    ["to itself", { ...good, to: good.from }, "TX_TO_SELF"],
    ["not an object", "tx", "TX_MALFORMED"],
  ];
  for (const [name, value, code] of refusals) {
    const r = await shard.submit(value);
    assert(!r.ok, name);
    assertEquals(r.code, code, name);
  }
  assertEquals(state(), before, "refusals changed nothing");
  const ok = await shard.submit(good);
  assert(ok.ok);
  assertEquals(ok.status, "credited");
  assertEquals(shard.account(alice.peerId), {
    id: alice.peerId,
    balance: "70",
    nonce: 1,
    shard: 0,
  });
  assertEquals(shard.account(bob.peerId).balance, "30");
  const replay = await shard.submit(good);
  assert(!replay.ok && replay.code === "TX_NONCE_REPLAYED");
  assertEquals(shard.account(alice.peerId).balance, "70");
});

Deno.test("LedgerShard applies exactly one of two transfers raced on one nonce", async () => {
  const shard = shardFor(0, 1, { [alice.peerId]: 100 });
  const carol = await identityOn(0, 1);
  const results = await Promise.all([
    shard.submit(await tx(alice, bob, 60, 1)),
    shard.submit(await tx(alice, carol, 60, 1)),
  ]);
  assertEquals(results.filter((r) => r.ok).length, 1);
  const lost = results.find((r) => !r.ok);
  assertEquals(lost?.ok === false && lost.code, "TX_NONCE_REPLAYED");
  assertEquals(
    BigInt(shard.account(bob.peerId).balance) + BigInt(shard.account(carol.peerId).balance),
    60n,
  );
});

Deno.test("LedgerShard seals blocks whose proofs verify offline, and forged ones do not", async () => {
  const shard = shardFor(0, 1, { [alice.peerId]: 100 });
  const key = await deriveShardKey("secret", NETWORK, 0);
  const hashes: string[] = [];
  for (let n = 1; n <= 5; n++) {
    const r = await shard.submit(await tx(alice, bob, 1, n));
    assert(r.ok);
    hashes.push(r.hash);
  }
  assertEquals(shard.proof(hashes[0]), undefined, "no proof before the block");
  const header = await shard.seal(key, 1_700_000_000_000);
  assertEquals([header?.height, header?.entries, shard.pendingCount()], [1, 5, 0]);
  assertEquals(await shard.seal(key), undefined, "nothing to seal");
  await shard.submit(await tx(alice, bob, 1, 6));
  const second = await shard.seal(key);
  assertEquals(second?.height, 2);
  const keys = { network: NETWORK, shardKeys: [key.peerId] };
  for (const h of hashes) {
    const proof = shard.proof(h) as TransferProof;
    assertEquals(proof.header.height, 1);
    assertEquals(await verifyTxProof(proof, keys), { ok: true });
  }
  const proof = shard.proof(hashes[2]) as TransferProof;
  const other = await deriveShardKey("other secret", NETWORK, 0);
  assertEquals((await verifyTxProof(proof, { ...keys, shardKeys: [other.peerId] })).ok, false);
  assertEquals((await verifyTxProof({ ...proof, index: 3 }, keys)).ok, false);
  assertEquals(
    (await verifyTxProof({ ...proof, tx: { ...proof.tx, amount: "2" } }, keys)).ok,
    false,
  );
  assertEquals(
    (await verifyTxProof({ ...proof, header: { ...proof.header, entries: 6 } }, keys)).ok,
    false,
  );
  const asked = [proof, { ...proof, index: 3 }, { ...proof, tx: { ...proof.tx, amount: "2" } }];
  assertEquals(
    await Promise.all(asked.map((p) => root.verifyTxProof(p, keys))),
    await Promise.all(asked.map((p) => verifyTxProof(p, keys))),
  );
  assertEquals(await root.verifyBlockHeader(header!, keys), true);
  assertEquals(await root.verifyBlockHeader({ ...header!, entries: 4 }, keys), false);
  assertEquals(shard.transaction(hashes[4])?.block, 1);
  assertEquals(shard.block(2)?.prev.length, 64);
});

Deno.test("LedgerShard credits each cross-shard receipt once, in order, whatever the delivery", async () => {
  const shards = 2;
  const a = await identityOn(0, shards);
  const b = await identityOn(1, shards);
  const s0 = shardFor(0, shards, { [a.peerId]: 1000 });
  const s1 = shardFor(1, shards, { [a.peerId]: 1000 });
  for (let n = 1; n <= 5; n++) assert((await s0.submit(await tx(a, b, 10, n))).ok);
  assertEquals(s0.transaction(s0.outbound(10)[0].receipts[0].tx)?.status, "pending");
  const [{ dest, receipts }] = s0.outbound(10);
  assertEquals([dest, receipts.map((r) => r.seq)], [1, [1, 2, 3, 4, 5]]);
  // Out of order and repeated: a gap stops at the gap; repeats credit nothing.
  assertEquals(s1.receive(0, [receipts[1], receipts[2]]), 0);
  assertEquals(s1.receive(0, [receipts[0], receipts[0], receipts[2]]), 1);
  assertEquals(s1.receive(0, receipts), 5);
  assertEquals(s1.receive(0, receipts), 5);
  assertEquals(s1.account(b.peerId).balance, "50");
  s0.acknowledge(1, 5);
  assertEquals(s0.outbound(10), []);
  assertEquals(s0.transaction(receipts[4].tx)?.status, "credited");
});

Deno.test("LedgerShards keep total supply and credit exactly once under random delivery", async () => {
  const shards = 3;
  const ids = await Promise.all([0, 0, 1, 1, 2, 2].map((k) => identityOn(k, shards)));
  const genesis = Object.fromEntries(ids.map((id) => [id.peerId, 100]));
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.integer({ min: 1, max: 60 })), { maxLength: 40 }),
      fc.array(fc.nat(), { maxLength: 80 }),
      async (transfers, schedule) => {
        const ledgers = [0, 1, 2].map((k) => shardFor(k, shards, genesis));
        const nonces = new Map<string, number>();
        let applied = 0;
        const deliver = (pick: number) => {
          // Push one shard's outbound batch, maybe twice, maybe acknowledged late.
          const source = pick % shards;
          const luck = Math.floor(pick / shards);
          for (const { dest, receipts } of ledgers[source].outbound(8)) {
            const ack = ledgers[dest].receive(source, receipts);
            if (luck % 3 !== 0) ledgers[source].acknowledge(dest, ack); // else the ack is lost
            if (luck % 5 === 0) ledgers[dest].receive(source, receipts.slice().reverse());
          }
        };
        for (const [i, [f, t, amount]] of transfers.entries()) {
          const from = ids[f];
          const nonce = (nonces.get(from.peerId) ?? 0) + 1;
          const r = await ledgers[shardOf(from.peerId, shards)].submit(
            await tx(from, ids[t], amount, nonce),
          );
          if (r.ok) {
            nonces.set(from.peerId, nonce);
            applied++;
          } else assertEquals(r.code, f === t ? "TX_TO_SELF" : "TX_INSUFFICIENT_FUNDS");
          if (schedule[i] !== undefined) deliver(schedule[i]);
        }
        // Drain.
        for (let round = 0; round < 20; round++) {
          for (let s = 0; s < shards; s++) deliver(s + shards);
        }
        const total = ids.reduce(
          (sum, id) => sum + BigInt(ledgers[shardOf(id.peerId, shards)].account(id.peerId).balance),
          0n,
        );
        assertEquals(total, 600n, "supply unchanged");
        for (const l of ledgers) assertEquals(l.outbound(8), [], "every receipt acknowledged");
        assert(applied <= transfers.length);
      },
    ),
    { numRuns: 25 },
  );
});

Deno.test("LedgerShard checks nonce and balance before the signature, against the batch's state", async () => {
  const carol = await identityOn(0, 1);
  const shard = shardFor(0, 1, { [alice.peerId]: 100 });
  const forge = async (nonce: number, amount = 1) => ({
    ...(await tx(alice, bob, amount, nonce)),
    sig: (await tx(carol, bob, amount, nonce)).sig,
  });
  // Junk with a wrong nonce or too large an amount is refused by them: no signature is checked.
  const junk = await shard.submitBatch([await forge(7), await forge(1, 500)]);
  assertEquals(junk.map((r) => !r.ok && r.code), ["TX_NONCE_GAP", "TX_INSUFFICIENT_FUNDS"]);
  // A forged transfer that could apply meets its signature check and changes nothing: the
  // real one with its nonce, after it in the same batch, applies, and the next one too.
  const batch = await shard.submitBatch([
    await forge(1),
    await tx(alice, bob, 60, 1),
    await tx(alice, bob, 40, 2),
    await tx(alice, bob, 1, 3),
  ]);
  assertEquals(batch.map((r) => r.ok || r.code), [
    "TX_BAD_SIGNATURE",
    true,
    true,
    "TX_INSUFFICIENT_FUNDS",
  ]);
  assertEquals(shard.account(alice.peerId).balance, "0");
  const replay = await shard.submit(await forge(1));
  assertEquals(!replay.ok && replay.code, "TX_NONCE_REPLAYED");
  // What a payer received earlier in the batch counts toward its balance.
  const back = await shard.submitBatch([await tx(bob, alice, 5, 1), await tx(alice, bob, 5, 3)]);
  assertEquals(back.map((r) => r.ok), [true, true]);
});

Deno.test("LedgerShard checks a large batch in steps, giving the turn back between them", async () => {
  const shard = shardFor(0, 1, { [alice.peerId]: 1_000 });
  const txs = [];
  for (let nonce = 1; nonce <= 130; nonce++) txs.push(await tx(alice, bob, 1, nonce));
  // A timer due at once runs between the cheap checks' steps, before any signature is checked.
  let timerRan = false;
  setTimeout(() => timerRan = true, 0);
  let ranBeforeVerify: boolean | undefined;
  const results = await shard.submitBatch(txs, (pending) => {
    ranBeforeVerify = timerRan;
    return verifyTransfers(pending, 1_000_000);
  });
  assertEquals(ranBeforeVerify, true);
  assert(results.every((r) => r.ok));
  assertEquals(shard.account(alice.peerId).nonce, 130);
});

Deno.test("a proof sealed before the network grew still verifies against the keys served after", async () => {
  // A payer homed on shard 5 of 8 whose slot goes to shard 13 when the network grows to 16.
  let payer: Identity;
  do payer = await Identity.generate(); while (
    shardOf(payer.peerId, 8) !== 5 || shardOf(payer.peerId, 16) !== 13
  );
  const shard = shardFor(5, 8, { [payer.peerId]: 100 });
  const keys16 = await Promise.all(
    Array.from({ length: 16 }, (_, k) => deriveShardKey("secret", NETWORK, k)),
  );
  const r = await shard.submit(await tx(payer, bob, 1, 1));
  assert(r.ok);
  await shard.seal(keys16[5]);
  const proof = shard.proof(r.hash) as TransferProof;
  const keys = (n: number) => ({
    network: NETWORK,
    shardKeys: keys16.slice(0, n).map((k) => k.peerId),
  });
  assertEquals(await verifyTxProof(proof, keys(8)), { ok: true });
  assertEquals(await verifyTxProof(proof, keys(16)), { ok: true });
  // A shard the payer's slot never lived on cannot vouch for it, however it signs.
  const elsewhere = { ...proof, header: { ...proof.header, shard: 6 } };
  assertEquals((await verifyTxProof(elsewhere, keys(16))).ok, false);
  // Nor one that was its home only under a count smaller than the network's first (8): shard
  // 1 of 4, which this network never had.
  const before = shardFor(1, 4, { [payer.peerId]: 100 });
  const r4 = await before.submit(await tx(payer, bob, 1, 1));
  assert(r4.ok);
  await before.seal(keys16[1]);
  const proof4 = before.proof(r4.hash) as TransferProof;
  assertEquals(await verifyTxProof(proof4, keys(16)), { ok: true }, "no first count given");
  assertEquals((await verifyTxProof(proof4, { ...keys(16), firstShards: 8 })).ok, false);
  assertEquals(await verifyTxProof(proof, { ...keys(16), firstShards: 8 }), { ok: true });
  assertEquals(await verifyTxProof(proof4, { ...keys(16), firstShards: 4 }), { ok: true });
  // Mid growth (12 shards in use between 8 and 16), the block at the payer's old home holds.
  assertEquals(await verifyTxProof(proof, { ...keys(12), firstShards: 8 }), { ok: true });
});
