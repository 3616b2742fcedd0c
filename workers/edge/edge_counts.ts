/**
 * The edge's own counters: hellos it refused, by code. An isolate keeps them in memory and
 * hands them to the observer (the home of `$stats`) with its next request that reaches a shard
 * anyway (a connection let through, a scrape), at most once per `STATS_INTERVAL_MS`: a bad
 * hello must wake no super-peer, and a flood of them costs the shards nothing. What an
 * isolate counted and never handed over is lost when the runtime drops it.
 *
 * @module
 */

const pending: Record<string, number> = {};
let any = false;
let lastSent = 0;

/**
 * Counts a refused hello.
 *
 * @example Usage
 * ```ts
 * import { countHelloRefusal, dueHelloRefusals } from "./edge_counts.ts";
 * countHelloRefusal("HELLO_EXPIRED");
 * console.assert(dueHelloRefusals(0)?.HELLO_EXPIRED === 1);
 * ```
 *
 * @param code The refusal's code.
 */
export function countHelloRefusal(code: string): void {
  pending[code] = (pending[code] ?? 0) + 1;
  any = true;
}

/**
 * The counts to hand over now, if there are any and the last were handed over at least an
 * interval ago; they start again from nothing.
 *
 * @example Usage
 * ```ts
 * import { dueHelloRefusals } from "./edge_counts.ts";
 * console.assert(dueHelloRefusals(2_000, 0) === undefined);
 * ```
 *
 * @param intervalMs `STATS_INTERVAL_MS` (0: now, whatever the time).
 * @param now The time. @default Date.now()
 * @returns Refusals by code, or `undefined`.
 */
export function dueHelloRefusals(
  intervalMs: number,
  now = Date.now(),
): Record<string, number> | undefined {
  if (!any || (intervalMs > 0 && now - lastSent < intervalMs)) return undefined;
  lastSent = now;
  any = false;
  const out = { ...pending };
  for (const code of Object.keys(pending)) delete pending[code];
  return out;
}
