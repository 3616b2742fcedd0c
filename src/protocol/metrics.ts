/**
 * The network's figures as one shard gathers them from every shard: the snapshot behind
 * `GET /v1/metrics` (which the edge renders in the Prometheus text format) and the summary
 * published on the `$stats` topic for pages that watch the network (which the observer
 * makes). Only their shapes are here: what a page or a scraper reads.
 *
 * @module
 */
import type { CapacityResource, ShardLoad } from "./capacity.ts";
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
  /** Each answering shard's load against the capacity model (`capacity.ts`). */
  load: ShardLoad[];
  /** What one shard holds, by resource: the model's figures, and mail's bound in force. */
  capacity: Record<CapacityResource, number>;
  /** Gatherings the observer made since it started (one `stats` call to each shard each). */
  gatherings: number;
}

/**
 * Sums over every shard that answered (`routes` route by route; `turnPeerMaxBytes` the most of
 * any shard).
 */
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
  | "turnBytes"
  | "turnPeers"
  | "routes"
  | "turnPeerMaxBytes"
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
  /**
   * The busiest shards (most peers, then the latest block), at most `STATS_SUMMARY_ROWS`, each
   * with its load against the capacity model (`capacity.ts`) when the observer had it.
   */
  rows: (StatsAnswer & { load?: ShardLoad })[];
}
