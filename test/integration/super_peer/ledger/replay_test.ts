// Replays and restarts against the ledger on real workerd: a transfer sent 1,000 times over
// 10 connections applies once; a cross-shard transfer whose shards restart between the debit
// and the credit is credited exactly once.
import { Identity } from "../../../../mod.ts";
import { signTransfer, transferToJson } from "../../../../src/ledger/mod.ts";
import { shardOf } from "../../../../src/routing/mod.ts";
import { startNetwork } from "../../../../scripts/local_network.ts";
import { identityOnShard, openBareSocket, waitUntil } from "../../../support/peers.ts";
import { assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "replay: one transfer sent 1,000 times over 10 connections applies once",
  opts,
  async () => {
    const alice = await Identity.generate();
    const bob = await Identity.generate();
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 100 }) },
      // A replay test, not an admission one: all 1,000 submissions are let through.
      limits: { RATE_LIMIT_BURST_FRAMES: 1_000_000, ADDRESS_BURST_UNITS: 1_000_000 },
    });
    try {
      const tx = transferToJson(
        await signTransfer(alice, { network: net.network, to: bob.peerId, amount: 7n, nonce: 1 }),
      );
      const sockets = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const heard: string[] = [];
          const ws = await openBareSocket(net, await Identity.generate(), heard);
          return { ws, heard };
        }),
      );
      await waitUntil(() => sockets.every((s) => s.heard.length >= 1));
      for (const { ws } of sockets) {
        for (let i = 0; i < 100; i++) ws.send(JSON.stringify({ t: "tx", id: i, txs: [tx] }));
      }
      await waitUntil(() => sockets.every((s) => s.heard.length >= 101), 60_000);
      const outcomes = sockets.flatMap((s) =>
        s.heard.slice(1).map((t) => JSON.parse(t).results[0] as { ok: boolean; code?: string })
      );
      assertEquals(outcomes.length, 1_000);
      assertEquals(outcomes.filter((o) => o.ok).length, 1, "applied once");
      assertEquals(outcomes.filter((o) => o.code === "TX_NONCE_REPLAYED").length, 999);
      const get = async (id: string) => await (await fetch(`${net.url}/v1/accounts/${id}`)).json();
      assertEquals([(await get(alice.peerId)).balance, (await get(alice.peerId)).nonce], ["93", 1]);
      await waitUntil(async () => (await get(bob.peerId)).balance === "7", 10_000);
      assertEquals((await get(bob.peerId)).balance, "7");
      for (const { ws } of sockets) ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "replay: a cross-shard transfer whose shards restart between debit and credit is credited once",
  opts,
  async () => {
    const payer = await identityOnShard(0, 2);
    const payee = await identityOnShard(1, 2);
    const net = await startNetwork({
      shards: 2,
      vars: { GENESIS: JSON.stringify({ [payer.peerId]: 100 }) },
      limits: { RECEIPT_RETRY_MS: 200 },
    });
    try {
      const get = async (id: string) => await (await fetch(`${net.url}/v1/accounts/${id}`)).json();
      for (let nonce = 1; nonce <= 5; nonce++) {
        const tx = transferToJson(
          await signTransfer(payer, {
            network: net.network,
            to: payee.peerId,
            amount: 3n,
            nonce,
          }),
        );
        const { results } = await (await fetch(`${net.url}/v1/tx`, {
          method: "POST",
          body: JSON.stringify(tx),
        })).json();
        assertEquals([results[0].ok, results[0].status], [true, "pending"], "debited");
        // Restarted at once: the receipt may or may not have left.
        await net.restart();
      }
      assertEquals(shardOf(payee.peerId, 2), 1);
      await waitUntil(async () => (await get(payee.peerId)).balance === "15", 15_000);
      // Retries go on; the credit does not grow.
      await new Promise((r) => setTimeout(r, 1_000));
      assertEquals([(await get(payee.peerId)).balance, (await get(payer.peerId)).balance], [
        "15",
        "85",
      ]);
    } finally {
      await net.dispose();
    }
  },
);
