/**
 * Guards of the super-peer's doors. An exception thrown in a room must not escape a runtime
 * entry point (`fetch`, `webSocketMessage`, `webSocketClose`, `webSocketError`, `alarm`): it
 * would go unlogged, and the peer whose frame met it would get no answer. A guarded door logs
 * one `door.error` line and answers in its stead; the socket's session and the object go on.
 * Failpoints (`FAILPOINTS`) let a test make a room throw on purpose.
 *
 * @module
 */
import type { Refusal } from "../../src/protocol/mod.ts";
import type { NetworkConfig } from "../config.ts";
import { logEvent } from "../log.ts";

/** How soon the alarm comes again after a room's part of it threw. */
export const ALARM_RETRY_MS = 1_000;

/** What a peer is told when its frame met a failure of the network's own. */
export const INTERNAL: Refusal = { ok: false, code: "INTERNAL", message: "Internal error" };

/** The runtime entry points of the super-peer, as they are named in the log. */
export type Door = "fetch" | "webSocketMessage" | "webSocketClose" | "webSocketError" | "alarm";

/**
 * Runs a door's work. A throw, or a rejection of the promise it returns, is logged (event
 * `door.error`, level `error`, with the door, the shard, `about` and the error) and answered by
 * `recover`; it never leaves the door. Work that returns no promise stays synchronous, so the
 * relay's hot path pays no promise for the guard.
 *
 * @param door The entry point.
 * @param shard The shard, for the log line.
 * @param work The door's work.
 * @param recover What the door returns instead, given the error.
 * @param about More fields for the log line (the peer, the alarm step), read only on failure.
 * @returns What the work returns, or what `recover` returns.
 *
 * @example Usage
 * ```ts
 * import { guarded } from "./guard.ts";
 * const answer = guarded("fetch", 0, (): string => {
 *   throw new Error("a room failed");
 * }, () => "recovered");
 * console.assert(answer === "recovered");
 * ```
 */
export function guarded<T>(
  door: Door,
  shard: number,
  work: () => T | Promise<T>,
  recover: (error: unknown) => T,
  about?: () => Record<string, unknown>,
): T | Promise<T> {
  const failed = (error: unknown): T => {
    doorFailed(door, shard, error, about);
    return recover(error);
  };
  try {
    const result = work();
    return result instanceof Promise ? result.catch(failed) : result;
  } catch (error) {
    return failed(error);
  }
}

/**
 * Logs what a door caught: one `door.error` line at level `error`. For a door that guards
 * itself inline (the frames' door, which should make no closure per frame).
 *
 * @param door The entry point.
 * @param shard The shard.
 * @param error What was thrown.
 * @param about More fields for the line; if reading them throws too, the line goes without.
 *
 * @example Usage
 * ```ts
 * import { doorFailed } from "./guard.ts";
 * doorFailed("webSocketMessage", 0, new Error("a room failed"), () => ({ peer: "p" }));
 * ```
 */
export function doorFailed(
  door: Door,
  shard: number,
  error: unknown,
  about?: () => Record<string, unknown>,
): void {
  let fields: Record<string, unknown> = {};
  try {
    fields = about?.() ?? {};
  } catch {
    // What the line would say is broken too: the line goes without it.
  }
  logEvent("door.error", { door, shard, ...fields, error: describe(error) }, "error");
}

/**
 * Runs the alarm's steps in order, each guarded on its own (logged with its name as `step`).
 *
 * @param shard The shard, for the log line.
 * @param steps The steps, by name, in the order they run.
 * @returns Whether any step failed.
 *
 * @example Usage
 * ```ts
 * import { guardedSteps } from "./guard.ts";
 * const failed = await guardedSteps(0, { one: () => {}, two: () => Promise.resolve() });
 * console.assert(failed === false);
 * ```
 */
export async function guardedSteps(
  shard: number,
  steps: Record<string, () => unknown>,
): Promise<boolean> {
  let failed = false;
  for (const [step, work] of Object.entries(steps)) {
    await guarded("alarm", shard, work, () => void (failed = true), () => ({ step }));
  }
  return failed;
}

/**
 * The id of a control request, if its text has one, so that the peer can match the refusal
 * to its request. Read only when the request failed.
 *
 * @param message The frame.
 * @returns The id, if there is a numeric one.
 *
 * @example Usage
 * ```ts
 * import { requestId } from "./guard.ts";
 * console.assert(requestId('{"t":"sub","id":7}') === 7);
 * console.assert(requestId("not json") === undefined);
 * ```
 */
export function requestId(message: string | ArrayBuffer): number | undefined {
  if (typeof message !== "string") return undefined;
  try {
    const id = (JSON.parse(message) as { id?: unknown }).id;
    return typeof id === "number" ? id : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The stack's first frames say where; the whole stack would make one line unreadable.
  const where = error.stack?.split("\n").slice(1, 4).map((l) => l.trim()).join(" | ");
  return where ? `${error.name}: ${error.message} (${where})` : `${error.name}: ${error.message}`;
}

/** Times each failpoint has thrown in this isolate. */
const thrown = new Map<string, number>();

/**
 * Throws if the failpoint `name` is armed in the config and has times left: how a test makes a
 * room fail where it would never fail on its own. Costs one map lookup when nothing is armed.
 *
 * @param config The network's config.
 * @param name The failpoint, e.g. `control`.
 * @throws {Error} When the failpoint is armed.
 *
 * @example Usage
 * ```ts
 * import { failpoint } from "./guard.ts";
 * import type { NetworkConfig } from "../config.ts";
 * export function answer(config: NetworkConfig) {
 *   failpoint(config, "control"); // throws only where FAILPOINTS arms it
 * }
 * ```
 */
export function failpoint(config: NetworkConfig, name: string): void {
  const times = config.failpoints.get(name);
  if (times === undefined) return;
  const done = thrown.get(name) ?? 0;
  if (done >= times) return;
  thrown.set(name, done + 1);
  throw new Error(`Failpoint "${name}" thrown on purpose`);
}

/**
 * Stalls for good if the failpoint `<name>.stall` is armed, after logging that it did
 * (`failpoint.stalled`): where a test kills the runtime (`kill -9`) at a chosen point, since a
 * test outside the process cannot otherwise tell when that point is reached. Costs one map
 * lookup when nothing is armed.
 *
 * @example Usage
 * ```ts
 * import { stallpoint } from "./guard.ts";
 * import type { NetworkConfig } from "../config.ts";
 * export async function phase(config: NetworkConfig) {
 *   await stallpoint(config, "growth.copy"); // never returns where FAILPOINTS arms it
 * }
 * ```
 *
 * @param config The network's config.
 * @param name The point, e.g. `growth.copy`.
 * @returns At once, unless armed.
 */
export function stallpoint(config: NetworkConfig, name: string): Promise<void> {
  if (!config.failpoints.has(`${name}.stall`)) return Promise.resolve();
  logEvent("failpoint.stalled", { name });
  return new Promise(() => {});
}
