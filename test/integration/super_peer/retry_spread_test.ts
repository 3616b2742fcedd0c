// Peers refused together by a budget they share (their client address's) are told waits
// spread at random up to twice its length, so that they do not all come back at one moment,
// as a burst that everyone else on the shard waits behind.
import { Identity } from "../../../mod.ts";
import { startNetwork, TEST_ADDRESS_HEADER } from "../../../scripts/local_network.ts";
import { assert } from "../../support/assert.ts";
import { identityOnShard, openBareSocket, waitUntil } from "../../support/peers.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const PEERS = 8;

Deno.test("admission: refusals by a shared budget name waits spread apart", opts, async () => {
  const net = await startNetwork({
    shards: 2,
    // The address's bucket is small and slow; each peer's own is not what refuses.
    limits: { ADDRESS_UNITS_PER_SECOND: 100, ADDRESS_BURST_UNITS: 200 },
  });
  try {
    const heard: string[][] = Array.from({ length: PEERS }, () => []);
    const sockets = await Promise.all(
      heard.map(async (h) =>
        openBareSocket(net, await identityOnShard(0, 2), h, {
          [TEST_ADDRESS_HEADER]: "203.0.113.77",
        })
      ),
    );
    const other = (await Identity.generate()).peerId;
    const lookup = (ws: WebSocket, id: number) =>
      ws.send(JSON.stringify({ t: "lookup", id, peer: other }));
    // Spend the address's burst from one socket, until it is refused.
    for (let i = 0; i < 40; i++) lookup(sockets[0], i);
    await waitUntil(() => heard[0].some((t) => t.includes("client address")));
    assert(heard[0].some((t) => t.includes("client address")), heard[0].join("\n"));
    // Now each peer of the address asks once, at the same moment: each is refused.
    sockets.forEach((ws, i) => lookup(ws, 1_000 + i));
    const refusal = (texts: string[]) =>
      texts.map((t) => JSON.parse(t)).find((m) => m.id >= 1_000 && m.code === "RATE_LIMITED");
    await waitUntil(() => heard.every((h) => refusal(h)));
    const waits = heard.map((h) => refusal(h)?.retryAfter as number);
    assert(waits.every((w) => w > 0), `waits ${waits}`);
    // Told the same wait, they would all come back together; spread, they do not.
    const ratio = Math.max(...waits) / Math.min(...waits);
    assert(ratio >= 1.2, `waits ${waits.join(", ")} ms: at most ${ratio.toFixed(2)}x apart`);
    assert(ratio <= 2.5, `waits ${waits.join(", ")} ms: more than twice apart`);
    for (const ws of sockets) ws.close();
  } finally {
    await net.dispose();
  }
});
