// Publishers past their address's rate on real workerd: a client paces its requests to its
// own budget, but not to what other peers of its address spend, so the address refuses some
// publishes RATE_LIMITED. They go again after their wait, behind publishes the topic's home
// has already taken, and every publish a client says was taken reaches the subscriber once.
import type { Peer, TopicEvent } from "../../../../mod.ts";
import { DEFAULT_LIMITS } from "../../../../src/protocol/mod.ts";
import { startNetwork } from "../../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, waitUntil } from "../../../support/peers.ts";
import { assert, assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SHARDS = 2;
/** The address's burst takes 25 publishes, then 50 a second. */
const limits = {
  ADDRESS_UNITS_PER_SECOND: 50 * DEFAULT_LIMITS.COST_PUBLISH,
  ADDRESS_BURST_UNITS: 25 * DEFAULT_LIMITS.COST_PUBLISH,
};
const EACH = 40;

function collect(peer: Peer): TopicEvent[] {
  const got: TopicEvent[] = [];
  peer.addEventListener("topic", (e) => got.push((e as CustomEvent<TopicEvent>).detail));
  return got;
}

async function refusals(url: string, shard: number): Promise<number> {
  const res = await fetch(`${url}/v1/shards/${shard}/stats`);
  return (await res.json()).refusals.RATE_LIMITED ?? 0;
}

Deno.test(
  "pubsub: every publish taken after a RATE_LIMITED wait reaches the subscriber once",
  opts,
  async () => {
    const net = await startNetwork({ shards: SHARDS, limits });
    try {
      // The subscriber's address spends at shard 1, the publishers' at shard 0.
      const sub = await connectPeer(net, { identity: await identityOnShard(1, SHARDS) });
      const got = collect(sub);
      await sub.subscribe("t");
      const pubs = await Promise.all(
        [0, 1, 2].map(async () => connectPeer(net, { identity: await identityOnShard(0, SHARDS) })),
      );
      const before = await refusals(net.url, 0);
      const sent = pubs.flatMap((p, k) =>
        Array.from({ length: EACH }, (_, i) => ({ p, data: `p${k}m${i}` }))
      );
      const outcomes = await Promise.allSettled(sent.map(({ p, data }) => p.publish("t", data)));
      const refused = await refusals(net.url, 0) - before;
      const taken = sent.filter((_, i) => outcomes[i].status === "fulfilled").map((s) => s.data);
      const failed = outcomes.flatMap((o) =>
        o.status === "rejected" ? [(o.reason as { code: string }).code] : []
      );
      assert(refused > 0, "the address refused some publishes");
      // Each waited its turn; one whose turn came after its time would be told RATE_LIMITED.
      assertEquals(failed.filter((c) => c !== "RATE_LIMITED"), []);
      assert(taken.length > sent.length / 2, `${taken.length} of ${sent.length} taken`);
      await waitUntil(() => got.length >= taken.length, 10_000).catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
      const delivered = got.map((m) => m.data as string);
      assertEquals(new Set(delivered).size, delivered.length, "each once");
      assertEquals(taken.filter((d) => !delivered.includes(d)), [], "taken, never delivered");
      assertEquals(delivered.filter((d) => !taken.includes(d)), [], "delivered, yet refused");
      // Each publisher's numbers rise in the order the subscriber saw them.
      for (const p of pubs) {
        const ns = got.filter((m) => m.from === p.peerId).map((m) => m.n);
        assert(ns.every((n, i) => i === 0 || n > ns[i - 1]));
      }
      for (const p of [sub, ...pubs]) p.close();
    } finally {
      await net.dispose();
    }
  },
);
