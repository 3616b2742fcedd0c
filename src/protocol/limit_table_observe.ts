/**
 * The limits of watching the network (metrics, the `$stats` topic), a part of
 * `limit_table.ts` kept apart for size.
 *
 * @module
 */
import type { LimitRow } from "./limit_row.ts";

/**
 * The observer's rows of the limit table.
 *
 * @example Usage
 * ```ts
 * import { OBSERVE_LIMITS } from "./limit_table_observe.ts";
 * console.assert(OBSERVE_LIMITS.STATS_INTERVAL_MS.value === 2_000);
 * ```
 */
export const OBSERVE_LIMITS = {
  /** How often the network's figures are gathered from every shard. */
  STATS_INTERVAL_MS: {
    value: 2_000,
    unit: "ms",
    description:
      "How often the network's figures are gathered from every shard, by one shard (the home of `$stats`). `GET /v1/metrics` and the `$stats` topic use figures at most this old, so any number of scrapes and open pages costs each shard one `stats` call per interval, and only while someone looks.",
  },
} as const satisfies Record<string, LimitRow>;
