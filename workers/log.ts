/**
 * The super-peers' and the edge's log: one JSON object per line for each notable event (a
 * socket closed for a refusal, a restart, a receipt retried, a block sealed), so that
 * `wrangler tail` and Workers Logs can filter on its fields (`event`, `shard`, `code`, …).
 *
 * @module
 */

/** The events logged, by name. */
export type LogEvent =
  | "block.sealed"
  | "fanout.retry"
  | "receipt.retry"
  | "shard.start"
  | "socket.refused"
  | "edge.error"
  | "edge.admission_hook"
  | "edge.turn_mint"
  | "door.error"
  | "growth.step"
  | "growth.copied"
  | "growth.called_off"
  | "growth.unreached"
  | "growth.prepared"
  | "failpoint.stalled";

/**
 * Writes one event as a JSON line: `info` to the log, `warn` and `error` as such.
 *
 * @example Usage
 * ```ts
 * import { logEvent } from "./log.ts";
 * logEvent("block.sealed", { shard: 3, height: 12, entries: 40 });
 * ```
 *
 * @param event What happened.
 * @param fields Its details.
 * @param level How much it matters. @default "info"
 */
export function logEvent(
  event: LogEvent,
  fields: Record<string, unknown>,
  level: "info" | "warn" | "error" = "info",
): void {
  const line = JSON.stringify({ event, level, ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
