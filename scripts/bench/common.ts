/**
 * What every benchmark section shares: its result shape and small helpers.
 *
 * @module
 */
import { Identity } from "../../src/identity/mod.ts";
import { shardOf } from "../../src/routing/mod.ts";

/** One entry of `docs/benchmarks.json`; `ratio` is `value / baseline_value`. */
export interface Entry {
  name: string;
  unit: string;
  value: number;
  baseline: string | null;
  baseline_value: number | null;
  ratio: number | null;
  target?: string;
}

/** A section's results: samples per entry (one per round) and how to report them. */
export interface SectionResult {
  /** Heading and method, Markdown. */
  title: string;
  method: string;
  /** Per-round samples, by entry name. */
  samples: Record<string, number[]>;
  /** Entry definitions, in report order. */
  entries: { name: string; unit: string; what: string; baseline: string | null; target?: string }[];
}

/**
 * Limits raised for a throughput benchmark: the defaults (2,000 frames/s per peer, a relay
 * quota of 64 MiB a minute) would cap the figure at the limit instead of measuring the relay.
 */
export const UNTHROTTLED: Record<string, number> = {
  RATE_LIMIT_FRAMES_PER_SECOND: 1_000_000,
  RATE_LIMIT_BURST_FRAMES: 1_000_000,
  RATE_LIMIT_BYTES_PER_SECOND: 1_000_000_000,
  RATE_LIMIT_BURST_BYTES: 1_000_000_000,
  // Every bench client comes from one address.
  MAX_CONNECTIONS_PER_ADDRESS: 1_000_000,
  ADDRESS_HELLOS_PER_MINUTE: 1_000_000,
  EDGE_REQUESTS_PER_10_SECONDS: 1_000_000,
  ADDRESS_HTTP_UNITS_PER_SECOND: 1_000_000,
  ADDRESS_HTTP_BURST_UNITS: 1_000_000,
  ADDRESS_HELLO_BURST: 1_000_000,
  // The peers of one address share a budget at each shard, on top of their own.
  ADDRESS_UNITS_PER_SECOND: 1_000_000_000,
  SHARD_UNITS_PER_SECOND: 1_000_000_000,
  SHARD_BURST_UNITS: 1_000_000_000,
  ADDRESS_BURST_UNITS: 1_000_000_000,
  RELAY_QUOTA_BYTES: 1_000_000_000,
};

/**
 * The median of some numbers.
 *
 * @param xs The numbers.
 * @returns The median (the upper one for an even count).
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * The value at a quantile of some numbers (nearest rank).
 *
 * @param xs The numbers.
 * @param q The quantile, 0 to 1.
 * @returns The value.
 */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/**
 * Makes identities until one passes `test`.
 *
 * @param test What its peer id must satisfy.
 * @returns The identity.
 */
export async function identityWhere(test: (peerId: string) => boolean): Promise<Identity> {
  for (;;) {
    const id = await Identity.generate();
    if (test(id.peerId)) return id;
  }
}

/**
 * Makes an identity homed on a shard.
 *
 * @param shard The shard.
 * @param shards The shard count.
 * @returns The identity.
 */
export function identityOn(shard: number, shards: number): Promise<Identity> {
  return identityWhere((id) => shardOf(id, shards) === shard);
}
