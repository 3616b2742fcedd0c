// The `$stats` topic on real workerd: a page (here, a peer) that subscribes gets the network's
// summary every interval; 50 watchers cost each shard what one does (one `stats` call per
// interval); with no watcher left, the gathering stops.
import type { Peer } from "../../../mod.ts";
import { type NetworkSummary, STATS_TOPIC } from "../../../src/protocol/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { statsCalls } from "../../support/metrics.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const INTERVAL = 500;

function watch(peer: Peer): NetworkSummary[] {
  const got: NetworkSummary[] = [];
  peer.addEventListener("topic", (e) => {
    const m = (e as CustomEvent).detail;
    if (m.topic === STATS_TOPIC) got.push(JSON.parse(m.data));
  });
  return got;
}

Deno.test(
  "$stats: watchers get the summary each interval; 50 cost the shards what 1 does",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4, limits: { STATS_INTERVAL_MS: INTERVAL } });
    try {
      const one = await connectPeer(net);
      const seen = watch(one);
      await one.subscribe(STATS_TOPIC);
      await waitUntil(() => seen.length >= 2, 10_000);
      const s = seen.at(-1)!;
      assertEquals([s.network, s.shards, s.answered], [net.network, 4, 4]);
      assertEquals(s.totals.peers, 1);
      assertEquals(s.rows.length, 4);
      assert(seen[1].at - seen[0].at >= INTERVAL * 0.8, "one summary per interval");

      // One watcher for 3 s, then 50 for 3 s: the calls each shard answers per second.
      const rate = async () => {
        const a = await statsCalls(net.url, 4);
        const t = Date.now();
        await new Promise((r) => setTimeout(r, 3_000));
        const b = await statsCalls(net.url, 4);
        return b.map((n, k) => (n - a[k]) / ((Date.now() - t) / 1_000));
      };
      const alone = await rate();
      const crowd = await Promise.all(Array.from({ length: 49 }, () => connectPeer(net)));
      const seenByCrowd = crowd.map(watch);
      await Promise.all(crowd.map((p) => p.subscribe(STATS_TOPIC)));
      const many = await rate();
      await waitUntil(() => seenByCrowd.every((g) => g.length > 0), 5_000);
      console.log(
        `$stats: stats calls per shard per second, 1 watcher ${alone.map((x) => x.toFixed(2))}, ` +
          `50 watchers ${many.map((x) => x.toFixed(2))} (bound ${1_000 / INTERVAL}/s)`,
      );
      for (const r of [...alone, ...many]) assert(r <= 1_000 / INTERVAL + 0.5, `${r}/s per shard`);
      assertEquals(seenByCrowd.at(-1)!.at(-1)!.totals.peers, 50);

      // Nobody watching (each unsubscribed; one that just leaves counts until the presence
      // timeout forgets its subscriptions): no more gathering.
      await Promise.all([one, ...crowd].map((p) => p.unsubscribe(STATS_TOPIC)));
      for (const p of [one, ...crowd]) p.close();
      await new Promise((r) => setTimeout(r, 2 * INTERVAL));
      const idle = await rate();
      // The two scrapes that measure it gather at most twice in 3 s.
      assert(idle.every((r) => r <= 0.7), `idle: ${idle}`);
    } finally {
      await net.dispose();
    }
  },
);
