/**
 * The summary of the network's figures that the observer publishes on `$stats` each
 * interval: totals over the shards that answered, and the busiest shards' rows.
 *
 * @module
 */
import {
  type NetworkStats,
  type NetworkSummary,
  type NetworkTotals,
  STATS_SUMMARY_ROWS,
} from "../../src/protocol/mod.ts";

const TOTALS: Exclude<keyof NetworkTotals, "routes" | "turnPeerMaxBytes">[] = [
  "peers",
  "framesIn",
  "payloadBytesIn",
  "delivered",
  "forwarded",
  "refused",
  "directOffers",
  "directAnswers",
  "turnBytes",
  "turnPeers",
  "transfersApplied",
  "blocksSealed",
  "receiptsPending",
  "mailWaiting",
  "subscriptions",
  "topicBacklog",
];

/**
 * The summary of a snapshot, for the `$stats` topic.
 *
 * @example Usage
 * ```ts
 * import { shardCapacity } from "../../src/protocol/mod.ts";
 * import { summarize } from "./stats_summary.ts";
 * const s = summarize({ network: "dev", at: 0, shards: 4, figures: [], helloRefusals: {}, framesPerSecond: 0, load: [], capacity: shardCapacity(8), gatherings: 0 });
 * console.assert(s.answered === 0 && s.totals.peers === 0);
 * ```
 *
 * @param stats The snapshot.
 * @returns Its summary.
 */
export function summarize(stats: NetworkStats): NetworkSummary {
  const totals = {
    ...Object.fromEntries(TOTALS.map((k) => [k, 0])),
    routes: { direct: 0, turn: 0, relay: 0 },
    turnPeerMaxBytes: 0,
  } as NetworkTotals;
  for (const f of stats.figures) {
    // A shard of an older release has none of the TURN figures: it adds nothing.
    for (const k of TOTALS) totals[k] += f[k] ?? 0;
    for (const [route, n] of Object.entries(f.routes ?? {})) {
      totals.routes[route as keyof NetworkTotals["routes"]] += n;
    }
    totals.turnPeerMaxBytes = Math.max(totals.turnPeerMaxBytes, f.turnPeerMaxBytes ?? 0);
  }
  const rows = [...stats.figures].sort((a, b) =>
    b.peers - a.peers || (b.head?.timestamp ?? 0) - (a.head?.timestamp ?? 0) || a.shard - b.shard
  ).slice(0, STATS_SUMMARY_ROWS);
  const load = new Map((stats.load ?? []).map((l) => [l.shard, l]));
  return {
    network: stats.network,
    at: stats.at,
    shards: stats.shards,
    answered: stats.figures.length,
    totals,
    framesPerSecond: stats.framesPerSecond,
    // A row without a load (an older observer's) goes without one: JSON drops `undefined`.
    rows: rows.map((r) => ({ ...r, load: load.get(r.shard) })),
  };
}
