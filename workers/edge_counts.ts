/**
 * The edge's own counters: hellos it refused, by code. An isolate keeps them in memory and
 * sends them to the observer (the home of `$stats`) at most once per `STATS_INTERVAL_MS`, in
 * the background of a request, so that a flood of bad hellos costs the shards one call per
 * isolate per interval, not one per hello. What an isolate counted since it last sent is lost
 * if the runtime drops it first.
 *
 * @module
 */

const pending: Record<string, number> = {};
let lastSent = 0;

/**
 * Counts a refused hello, and says whether it is time to send the counts.
 *
 * @example Usage
 * ```ts
 * import { countHelloRefusal, takeHelloRefusals } from "./edge_counts.ts";
 * countHelloRefusal("HELLO_EXPIRED", 2_000, 0);
 * console.assert(takeHelloRefusals().HELLO_EXPIRED === 1);
 * ```
 *
 * @param code The refusal's code.
 * @param intervalMs `STATS_INTERVAL_MS`.
 * @param now The time. @default Date.now()
 * @returns Whether to send them now (with {@linkcode takeHelloRefusals}).
 */
export function countHelloRefusal(code: string, intervalMs: number, now = Date.now()): boolean {
  pending[code] = (pending[code] ?? 0) + 1;
  return now - lastSent >= intervalMs;
}

/**
 * The counts since they were last taken, and a new start.
 *
 * @example Usage
 * ```ts
 * import { takeHelloRefusals } from "./edge_counts.ts";
 * console.assert(typeof takeHelloRefusals() === "object");
 * ```
 *
 * @param now The time. @default Date.now()
 * @returns Refusals by code.
 */
export function takeHelloRefusals(now = Date.now()): Record<string, number> {
  lastSent = now;
  const out = { ...pending };
  for (const code of Object.keys(pending)) delete pending[code];
  return out;
}
