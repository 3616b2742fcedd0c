/**
 * `GET /v1/metrics`: the network's figures in the Prometheus text format (version 0.0.4), for
 * a scraper. The observer gathers them; the edge renders them.
 *
 * @module
 */
import {
  CAPACITY_RESOURCES,
  type NetworkStats,
  SHARD_CAPACITY,
  type StatsAnswer,
} from "../../src/protocol/mod.ts";

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
  [
    "superpeer_turn_bytes_total",
    "counter",
    "TURN bytes that peers homed here reported using.",
    (f) => f.turnBytes ?? 0,
  ],
  [
    "superpeer_turn_peers",
    "gauge",
    "Connected peers homed here that used TURN in their quota window.",
    (f) => f.turnPeers ?? 0,
  ],
  [
    "superpeer_turn_peer_max_bytes",
    "gauge",
    "The most TURN bytes one connected peer homed here used in its quota window.",
    (f) => f.turnPeerMaxBytes ?? 0,
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
 * import { shardCapacity } from "../../src/protocol/mod.ts";
 * import { renderMetrics } from "./metrics_text.ts";
 * const text = renderMetrics({ network: "dev", at: 0, shards: 1, figures: [], helloRefusals: { HELLO_EXPIRED: 2 }, framesPerSecond: 0, load: [], capacity: shardCapacity(8), gatherings: 1 });
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
  head(
    "superpeer_pairs",
    "gauge",
    "Pairs of the connected peers homed here, by route (direct, turn, relay), as each peer last reported them.",
  );
  for (const f of shards) {
    // A shard of an older release reports no routes.
    for (const [route, n] of Object.entries(f.routes ?? {})) {
      lines.push(`superpeer_pairs{shard="${f.shard}",route="${route}"} ${n}`);
    }
  }
  head("superpeer_edge_hello_refusals_total", "counter", "Hellos the edge refused, by code.");
  for (const [code, n] of Object.entries(stats.helloRefusals).sort()) {
    lines.push(`superpeer_edge_hello_refusals_total{code="${label(code)}"} ${n}`);
  }
  head(
    "superpeer_shard_capacity",
    "gauge",
    "What one shard holds, by resource: the capacity model's planning figures (OPERATIONS.md).",
  );
  // An observer of an older release sends no capacity: the model's own figures, then.
  const capacity = stats.capacity ??
    Object.fromEntries(Object.entries(SHARD_CAPACITY).map(([k, row]) => [k, row.value]));
  for (const [resource, value] of Object.entries(capacity)) {
    lines.push(`superpeer_shard_capacity{resource="${resource}"} ${value}`);
  }
  head(
    "superpeer_shard_load",
    "gauge",
    "Each shard's load against its capacity, by resource (1 = at capacity; mail against MAIL_MAX_PER_SHARD).",
  );
  // An observer of an older release sends no load: nothing to show, not a failed scrape.
  for (const l of [...(stats.load ?? [])].sort((a, b) => a.shard - b.shard)) {
    for (const resource of CAPACITY_RESOURCES) {
      lines.push(`superpeer_shard_load{shard="${l.shard}",resource="${resource}"} ${l[resource]}`);
    }
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
