// Nothing acknowledged is lost to a flood, on real workerd: a transfer applied and mail stored
// before attackers flood the shards with every kind of request, inside and past their limits;
// afterwards the ledger reads the same (accounts and every shard's head) and the offline
// recipient gets every message the network acknowledged.
import { Identity, type MailEvent } from "../../../mod.ts";
import { encodeFrame, FRAME_SEND } from "../../../src/protocol/mod.ts";
import { startNetwork, TEST_ADDRESS_HEADER } from "../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, openBareSocket, waitUntil } from "../../support/peers.ts";
import { assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ATTACKERS = 4;
const FLOOD_MS = 1_500;

Deno.test("flood outcomes: nothing acknowledged is lost, the ledger unchanged", opts, async () => {
  const alice = await identityOnShard(0, 2);
  const dave = await identityOnShard(0, 2);
  const net = await startNetwork({
    shards: 2,
    vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1000 }) },
  });
  try {
    const bob = await Identity.generate();
    const payer = await connectPeer(net, { identity: alice });
    const applied = await payer.ledger.transfer(bob.peerId, 10n);
    assertEquals(applied.ok, true);
    // Mail the network acknowledged (stored) for dave, who is offline.
    const mids = [];
    for (let i = 0; i < 3; i++) {
      const { mid, status } = await payer.sendMail(dave.peerId, `kept ${i}`);
      assertEquals(status, "stored");
      mids.push(mid);
    }
    const account = (id: string) => fetch(`${net.url}/v1/accounts/${id}`).then((r) => r.json());
    await waitUntil(async () => (await account(bob.peerId)).balance === "10", 10_000);
    await new Promise((r) => setTimeout(r, 2_500)); // receipts settled, blocks sealed
    const digest = async () =>
      JSON.stringify(
        await Promise.all([
          account(alice.peerId),
          account(bob.peerId),
          fetch(`${net.url}/v1/shards/0/head`).then((r) => r.json()),
          fetch(`${net.url}/v1/shards/1/head`).then((r) => r.json()),
        ]),
      );
    const before = await digest();

    const forged = { network: net.network, from: alice.peerId, to: bob.peerId, amount: "1" };
    const junkIds = Array.from({ length: 1_024 }, (_, i) => `junk${i}`);
    const kinds: (() => string | Uint8Array)[] = [
      () => "not json",
      () =>
        JSON.stringify({
          t: "tx",
          id: 1,
          txs: Array.from(
            { length: 256 },
            (_, n) => ({ ...forged, nonce: n + 2, sig: "A".repeat(86) }),
          ),
        }),
      () => JSON.stringify({ t: "mail.ack", mids: junkIds }),
      () => JSON.stringify({ t: "sub", id: 1, topic: `t${Math.random()}` }),
      () => JSON.stringify({ t: "unsub", id: 1, topic: "t" }),
      () => JSON.stringify({ t: "mail", id: 1, to: dave.peerId, data: "flood" }),
      () => encodeFrame(FRAME_SEND, dave.peerId, 1, "flood", { mailbox: true }),
      () => encodeFrame(FRAME_SEND, bob.peerId, 1, new Uint8Array(512)),
    ];
    const attackers = await Promise.all(
      Array.from(
        { length: ATTACKERS },
        async (_, i) =>
          openBareSocket(net, await Identity.generate(), [], {
            [TEST_ADDRESS_HEADER]: `198.51.100.${i + 1}`,
          }),
      ),
    );
    const stop = Date.now() + FLOOD_MS;
    await Promise.all(attackers.map(async (ws, a) => {
      let k = a;
      while (Date.now() < stop && ws.readyState === WebSocket.OPEN) {
        const make = kinds[k++ % kinds.length];
        for (let i = 0; i < 50; i++) ws.send(make());
        await new Promise((r) => setTimeout(r, 10));
      }
    }));
    for (const ws of attackers) ws.close();
    await new Promise((r) => setTimeout(r, 1_000));

    assertEquals(await digest(), before, "the ledger reads the same");
    const got: string[] = [];
    const recipient = await connectPeer(net, { identity: dave });
    recipient.addEventListener("mail", (e) => {
      const m = (e as CustomEvent<MailEvent>).detail;
      if (m.from === alice.peerId) got.push(m.data as string);
    });
    await waitUntil(() => got.length >= 3, 15_000);
    assertEquals(got.sort(), ["kept 0", "kept 1", "kept 2"]);
    payer.close();
    recipient.close();
  } finally {
    await net.dispose();
  }
});
