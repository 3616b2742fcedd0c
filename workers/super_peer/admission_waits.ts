/**
 * The waits admission names when it refuses: how long a heavy spender waits while the shard is
 * busy, and the spread that keeps the peers of a shared bucket from all coming back at once.
 *
 * @module
 */
import type { NetworkConfig } from "../config.ts";

/**
 * How long a heavy spender refused because the shard is busy is told to wait: the time the
 * shard's budget takes to regain a tenth of its burst.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
 * import { shardBusyWait } from "./admission_waits.ts";
 * shardBusyWait(DEFAULT_LIMITS); // 20 (ms)
 * ```
 *
 * @param limits The network's limits.
 * @returns Milliseconds.
 */
export function shardBusyWait(
  limits: Pick<NetworkConfig["limits"], "SHARD_BURST_UNITS" | "SHARD_UNITS_PER_SECOND">,
): number {
  return Math.ceil(limits.SHARD_BURST_UNITS / 10 / limits.SHARD_UNITS_PER_SECOND * 1000);
}

/**
 * A wait for a bucket that many peers share (an address's, the shard's), spread at random up
 * to twice its length: the peers refused together would otherwise all come back at the same
 * moment, as a burst that the others on the shard wait behind, refusal after refusal.
 *
 * @example Usage
 * ```ts
 * import { spread } from "./admission_waits.ts";
 * const wait = spread(40); // between 40 and 80 ms
 * console.assert(wait >= 40 && wait <= 80 && spread(0) === 0);
 * ```
 *
 * @param wait The wait, in ms.
 * @returns The wait to name, in ms.
 */
export function spread(wait: number): number {
  return wait === 0 ? 0 : Math.ceil(wait * (1 + Math.random()));
}
