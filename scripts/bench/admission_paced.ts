/**
 * Part one's second measure: what a request costs the network when it comes as a peer inside
 * its limits sends it, one at a time at its budget's rate, rather than flat out. A frame that
 * arrives alone pays the runtime's whole cost of an event (the wake, the dispatch into the
 * object, the commit and its output gate, the write back), which frames sent back to back
 * share; a flooder inside its limits sends alone. So each kind is also sent from one socket
 * (or one HTTP lane) at `rate` a second, evenly spaced, and the CPU time of the network's
 * workerd processes (every shard, the edge, the verifier) is read before and after, less what
 * they spend idle over the same time.
 *
 * @module
 */
import { answerCounter, type Counting, type HttpCall } from "./admission_drive.ts";
import { median } from "./common.ts";
import { ownWorkerdNs } from "./cpu_times.ts";

/** How long a paced phase sends for. */
export const PACED_MS = 2_000;
/** How long the idle phase of a pass lasts (the baseline subtracted). */
const IDLE_MS = 4_000;
/**
 * Windows the idle phase is cut into; the baseline is their median. workerd's own background
 * (timers, alarms, sweeps) comes in bursts: the least window reads about nothing, and would
 * leave the background to the requests of every phase; a burst of work the last pass left in
 * one window is outvoted.
 */
const IDLE_WINDOWS = 4;
/** How long the network is left before an idle phase, to end the work of the last pass. */
const IDLE_SETTLE_MS = 1_500;
/**
 * After a phase's last answer, the work it left (a write group's commit, a budget's flush, a
 * block sealed within `BLOCK_INTERVAL_MS`, receipts pushed) is its own: the phase goes on until
 * a window of `QUIET_WINDOW_MS` finds workerd at most `QUIET_CORES` above idle, up to
 * `QUIET_MAX_MS`. The next phase then starts on a quiet network, not on this one's tail.
 */
const QUIET_WINDOW_MS = 250;
/** Cores above idle under which a window is quiet. */
const QUIET_CORES = 0.01;
/** The longest a phase waits for quiet after its last answer. */
const QUIET_MAX_MS = 3_000;
/** How long to wait for a paced phase's last answers. */
const DRAIN_MS = 30_000;

/** A paced phase's outcome. */
export interface PacedResult {
  /** Requests sent. */
  requests: number;
  /**
   * workerd CPU µs per request, the idle baseline taken out; `NaN` where it could not be read
   * (no `/proc`, no workerd of this process's, nothing sent, not every answer in time).
   */
  us: number;
  /** Cores of workerd the phase took above idle, over its sending (1 = one core all the time). */
  cores: number;
  /** Answers that were refusals. */
  refused: number;
  /** Whether every answer came in time. */
  complete: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends messages on one socket at `rate` a second, each on its own schedule, and waits for
 * every answer; prices them by workerd's CPU time.
 *
 * @example Usage
 * ```ts ignore
 * const idle = await idleCores();
 * const r = await pacedSocket(ws, messages, 714, { binary: true }, 1, peerId, idle);
 * console.log(`${r.us.toFixed(0)} µs per request, ${(r.cores * 100).toFixed(1)}% of a core`);
 * ```
 *
 * @param ws An open, welcomed socket.
 * @param messages What it sends, in order (about `rate` × `PACED_MS` of them).
 * @param rate Messages a second.
 * @param counting How the answers are counted.
 * @param answers Answers each message brings.
 * @param lookupPeer A peer id for the trailing `lookup` of a silent kind.
 * @param idle workerd's cores when idle ({@linkcode idleCores}).
 * @returns The figures.
 */
export function pacedSocket(
  ws: WebSocket,
  messages: (string | Uint8Array)[],
  rate: number,
  counting: Counting,
  answers: number,
  lookupPeer: string,
  idle: number,
): Promise<PacedResult> {
  return measured(messages.length, rate, idle, async () => {
    const expected = counting.silent ? 1 : messages.length * answers;
    if (expected === 0) return { refused: 0, complete: true };
    let done!: (complete: boolean) => void;
    const finished = new Promise<boolean>((r) => done = r);
    const counter = answerCounter(counting, expected, answers, () => done(true));
    ws.onmessage = (e) => counter.take(e.data);
    await onSchedule(messages.length, rate, (i) => ws.send(messages[i]));
    if (counting.silent) ws.send(JSON.stringify({ t: "lookup", id: 1, peer: lookupPeer }));
    const timer = setTimeout(() => done(false), DRAIN_MS);
    const complete = await finished;
    clearTimeout(timer);
    ws.onmessage = null;
    return { refused: counter.refused, complete };
  });
}

/**
 * Sends HTTP requests at `rate` a second, each when its time comes (not after the previous
 * answer), and reads every body; prices them by workerd's CPU time.
 *
 * @example Usage
 * ```ts ignore
 * const r = await pacedHttp(calls, 15, await idleCores());
 * ```
 *
 * @param calls The requests, in order.
 * @param rate Requests a second.
 * @param idle workerd's cores when idle ({@linkcode idleCores}).
 * @param onBody Takes each answer's body.
 * @returns The figures.
 */
export function pacedHttp(
  calls: HttpCall[],
  rate: number,
  idle: number,
  onBody?: (body: string) => void,
): Promise<PacedResult> {
  return measured(calls.length, rate, idle, async () => {
    let refused = 0;
    const pending: Promise<void>[] = [];
    let complete = true;
    await onSchedule(calls.length, rate, (i) => {
      pending.push((async () => {
        try {
          const init = { ...calls[i].init, signal: AbortSignal.timeout(DRAIN_MS) };
          const res = await fetch(calls[i].url, init);
          const body = await res.text();
          if (!res.ok) refused++;
          onBody?.(body);
        } catch {
          refused++;
          complete = false;
        }
      })());
    });
    await Promise.all(pending);
    return { refused, complete };
  });
}

/**
 * A rarer kind's phase lasts until it has sent this many (up to `PACED_MAX_MS`): its CPU time
 * over few requests would be lost in the idle baseline's noise.
 */
const PACED_MIN_REQUESTS = 100;
/** The longest a paced phase sends for. */
const PACED_MAX_MS = 6_000;

/**
 * How many requests a paced phase at `rate` a second sends: `PACED_MS` of them, and at least
 * `PACED_MIN_REQUESTS` as long as they take no more than `PACED_MAX_MS`; at least one.
 *
 * @example Usage
 * ```ts ignore
 * pacedCount(500); // 1000
 * pacedCount(22); // 100
 * pacedCount(1); // 6
 * ```
 *
 * @param rate Requests a second.
 * @returns Requests.
 */
export function pacedCount(rate: number): number {
  const n = Math.max(rate * PACED_MS, Math.min(PACED_MIN_REQUESTS * 1000, rate * PACED_MAX_MS));
  return Math.max(1, Math.round(n / 1000));
}

// Calls `send(i)` for i = 0..n-1, the i-th at `i / rate` seconds from the start, waking every
// millisecond (as a peer's own timer would) and sending what is due.
async function onSchedule(n: number, rate: number, send: (i: number) => void): Promise<void> {
  const start = performance.now();
  let i = 0;
  while (i < n) {
    const due = Math.min(n, Math.floor((performance.now() - start) / 1000 * rate) + 1);
    for (; i < due; i++) send(i);
    if (i < n) await sleep(1);
  }
}

/**
 * workerd's cores busy when no request is sent (timers, alarms, sweeps): the baseline a paced
 * phase's time is counted above. Waits `IDLE_SETTLE_MS` and for quiet first, then takes the
 * median of `IDLE_WINDOWS` windows.
 *
 * @example Usage
 * ```ts ignore
 * const idle = await idleCores(); // e.g. 0.02
 * ```
 *
 * @returns Cores (1 = one core all the time); `NaN` where they cannot be read.
 */
export async function idleCores(): Promise<number> {
  await sleep(IDLE_SETTLE_MS);
  await quiet(0);
  const windows: number[] = [];
  for (let w = 0; w < IDLE_WINDOWS; w++) windows.push(await coresOver(IDLE_MS / IDLE_WINDOWS));
  return median(windows);
}

// workerd's cores busy over the next `ms`.
async function coresOver(ms: number): Promise<number> {
  const from = ownWorkerdNs();
  const start = performance.now();
  await sleep(ms);
  return (ownWorkerdNs() - from) / 1e6 / (performance.now() - start);
}

// Waits until a window finds workerd quiet (see `QUIET_WINDOW_MS`).
async function quiet(idle: number): Promise<void> {
  const end = performance.now() + QUIET_MAX_MS;
  while (performance.now() < end) {
    // Quiet, or unreadable (NaN).
    if (!(await coresOver(QUIET_WINDOW_MS) > idle + QUIET_CORES)) return;
  }
}

async function measured(
  requests: number,
  rate: number,
  idle: number,
  phase: () => Promise<{ refused: number; complete: boolean }>,
): Promise<PacedResult> {
  const from = ownWorkerdNs();
  const start = performance.now();
  const { refused, complete } = await phase();
  await quiet(idle);
  const ms = performance.now() - start;
  const used = ownWorkerdNs() - from;
  // Below the idle baseline (a quiet phase of a kind sent a few times a second): it cost
  // nothing that can be told from the baseline's noise, so 0, and the flat-out figure prices it.
  const busyMs = Math.max(0, used / 1e6 - idle * ms);
  const readable = Number.isFinite(used) && requests > 0 && complete;
  const us = readable ? busyMs * 1000 / requests : NaN;
  return { requests, us, cores: us * rate / 1e6, refused, complete };
}
