/**
 * The network's figures as one shard gathers them from every shard: the snapshot behind
 * `GET /v1/metrics` (rendered here in the Prometheus text format, 0.0.4) and the summary
 * published on the `$stats` topic for pages that watch the network.
 *
 * @module
 */
import type { StatsAnswer } from "./http.ts";

// The topic on which the network publishes its summary, every `STATS_INTERVAL_MS`; its home
// is placement's to say, so it is defined there.
export { STATS_TOPIC } from "../routing/homes.ts";

/** Most shards listed one by one in a `$stats` summary (the busiest). */
export const STATS_SUMMARY_ROWS = 32;

/** Every shard's figures, gathered at one time. */
export interface NetworkStats {
  /** The network's id. */
  network: string;
  /** When they were gathered, ms since the epoch. */
  at: number;
  /** The number of shards. */
  shards: number;
  /** Each shard that answered in time. */
  figures: StatsAnswer[];
  /** Hello refusals at the edge, by code, since the gathering shard started. */
  helloRefusals: Record<string, number>;
  /** Frames peers sent per second over the last interval, all shards together. */
  framesPerSecond: number;
  /** Gatherings the observer made since it started (one `stats` call to each shard each). */
  gatherings: number;
}

/** Sums over every shard that answered. */
export type NetworkTotals = Pick<
  StatsAnswer,
  | "peers"
  | "framesIn"
  | "payloadBytesIn"
  | "delivered"
  | "forwarded"
  | "refused"
  | "directOffers"
  | "directAnswers"
  | "transfersApplied"
  | "blocksSealed"
  | "receiptsPending"
  | "mailWaiting"
  | "subscriptions"
  | "topicBacklog"
>;

/** What the `$stats` topic carries (its `data`, as JSON). */
export interface NetworkSummary {
  /** The network's id. */
  network: string;
  /** When the figures were gathered. */
  at: number;
  /** The number of shards. */
  shards: number;
  /** How many shards answered in time. */
  answered: number;
  /** Sums over the shards that answered. */
  totals: NetworkTotals;
  /** Frames per second over the last interval. */
  framesPerSecond: number;
  /** The busiest shards (most peers, then the latest block), at most `STATS_SUMMARY_ROWS`. */
  rows: StatsAnswer[];
}

const TOTALS: (keyof NetworkTotals)[] = [
  "peers",
  "framesIn",
  "payloadBytesIn",
  "delivered",
  "forwarded",
  "refused",
  "directOffers",
  "directAnswers",
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
 * import { summarize } from "./metrics.ts";
 * const s = summarize({ network: "dev", at: 0, shards: 4, figures: [], helloRefusals: {}, framesPerSecond: 0, gatherings: 0 });
 * console.assert(s.answered === 0 && s.totals.peers === 0);
 * ```
 *
 * @param stats The snapshot.
 * @returns Its summary.
 */
export function summarize(stats: NetworkStats): NetworkSummary {
  const totals = Object.fromEntries(TOTALS.map((k) => [k, 0])) as NetworkTotals;
  for (const f of stats.figures) for (const k of TOTALS) totals[k] += f[k];
  const rows = [...stats.figures].sort((a, b) =>
    b.peers - a.peers || (b.head?.timestamp ?? 0) - (a.head?.timestamp ?? 0) || a.shard - b.shard
  ).slice(0, STATS_SUMMARY_ROWS);
  return {
    network: stats.network,
    at: stats.at,
    shards: stats.shards,
    answered: stats.figures.length,
    totals,
    framesPerSecond: stats.framesPerSecond,
    rows,
  };
}

/** A Prometheus metric: its name, type, help, and one value per shard. */
const PER_SHARD: [string, "gauge" | "counter", string, (f: StatsAnswer) => number][] = [
  ["superpeer_peers", "gauge", "Peers connected to the shard now.", (f) => f.peers],
  ["superpeer_frames_in_total", "counter", "Frames received from peers.", (f) => f.framesIn],
  [
    "superpeer_payload_bytes_in_total",
    "counter",
    "Payload bytes of application frames received from peers.",
    (f) => f.payloadBytesIn,
  ],
  [
    "superpeer_frames_delivered_total",
    "counter",
    "Frames delivered to a socket on the shard.",
    (f) => f.delivered,
  ],
  [
    "superpeer_frames_forwarded_total",
    "counter",
    "Frames handed to another shard.",
    (f) => f.forwarded,
  ],
  [
    "superpeer_transfers_applied_total",
    "counter",
    "Transfers and faucet payments applied.",
    (f) => f.transfersApplied,
  ],
  ["superpeer_blocks_sealed_total", "counter", "Blocks sealed.", (f) => f.blocksSealed],
  ["superpeer_block_height", "gauge", "Height of the latest block.", (f) => f.head?.height ?? 0],
  [
    "superpeer_receipts_pending",
    "gauge",
    "Receipts owed to other shards, not yet acknowledged.",
    (f) => f.receiptsPending,
  ],
  ["superpeer_mail_waiting", "gauge", "Mail waiting for peers homed here.", (f) => f.mailWaiting],
  [
    "superpeer_subscriptions",
    "gauge",
    "Topic subscriptions of peers homed here.",
    (f) => f.subscriptions,
  ],
  [
    "superpeer_topic_backlog",
    "gauge",
    "Topic messages kept until every subscriber acknowledged them.",
    (f) => f.topicBacklog,
  ],
  [
    "superpeer_direct_offers_total",
    "counter",
    "Direct-channel offers relayed.",
    (f) => f.directOffers,
  ],
  [
    "superpeer_stats_calls_total",
    "counter",
    "Times the shard was asked for its figures.",
    (f) => f.statsCalls,
  ],
  [
    "superpeer_direct_answers_total",
    "counter",
    "Answers to direct-channel offers relayed.",
    (f) => f.directAnswers,
  ],
];

/** A label value, escaped as the text format wants. */
function label(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/**
 * A snapshot in the Prometheus text format (version 0.0.4): per shard, and the edge's hello
 * refusals by code. Counters start from 0 again when a shard restarts, as Prometheus expects
 * of a counter.
 *
 * @example Usage
 * ```ts
 * import { renderMetrics } from "./metrics.ts";
 * const text = renderMetrics({ network: "dev", at: 0, shards: 1, figures: [], helloRefusals: { HELLO_EXPIRED: 2 }, framesPerSecond: 0, gatherings: 1 });
 * console.assert(text.includes('superpeer_edge_hello_refusals_total{code="HELLO_EXPIRED"} 2'));
 * ```
 *
 * @param stats The snapshot.
 * @returns The text, ending with a newline.
 */
export function renderMetrics(stats: NetworkStats): string {
  const lines: string[] = [];
  const head = (name: string, type: string, help: string) =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  const shards = [...stats.figures].sort((a, b) => a.shard - b.shard);
  for (const [name, type, help, value] of PER_SHARD) {
    head(name, type, help);
    for (const f of shards) lines.push(`${name}{shard="${f.shard}"} ${value(f)}`);
  }
  head("superpeer_refusals_total", "counter", "Refusals sent to peers, by code.");
  for (const f of shards) {
    for (const [code, n] of Object.entries(f.refusals).sort()) {
      lines.push(`superpeer_refusals_total{shard="${f.shard}",code="${label(code)}"} ${n}`);
    }
  }
  head("superpeer_edge_hello_refusals_total", "counter", "Hellos the edge refused, by code.");
  for (const [code, n] of Object.entries(stats.helloRefusals).sort()) {
    lines.push(`superpeer_edge_hello_refusals_total{code="${label(code)}"} ${n}`);
  }
  head("superpeer_shards", "gauge", "Shards of the network.");
  lines.push(`superpeer_shards ${stats.shards}`);
  head("superpeer_shards_answered", "gauge", "Shards that answered the last gathering in time.");
  lines.push(`superpeer_shards_answered ${stats.figures.length}`);
  head(
    "superpeer_stats_gatherings_total",
    "counter",
    "Gatherings of every shard's figures by the observer (one stats call to each shard).",
  );
  lines.push(`superpeer_stats_gatherings_total ${stats.gatherings}`);
  head("superpeer_stats_timestamp_seconds", "gauge", "When these figures were gathered.");
  lines.push(`superpeer_stats_timestamp_seconds ${stats.at / 1_000}`);
  return lines.join("\n") + "\n";
}
