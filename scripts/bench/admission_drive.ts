/**
 * Driving one shard flat out with one kind of request, for the admission benchmark: the
 * requests are built before the clock starts and sent from a few bare sockets (or HTTP
 * lanes), so that the client's share of the machine stays small and the shard is the
 * bottleneck; the answers are counted, not parsed.
 *
 * @module
 */
import type { Identity } from "../../src/identity/mod.ts";
import { connectUrl, signHello } from "../../src/protocol/mod.ts";
import { framesIn } from "./client_pair.ts";

/** What one socket sends in a phase, and how its answers are told apart. */
export interface SocketLoad {
  /** The messages, in order. */
  messages: (string | Uint8Array)[];
  /** Answers expected in all (frames delivered, or replies). */
  expected: number;
}

/** How a kind's answers are counted. */
export interface Counting {
  /** Binary frames coming back (relayed to the sender itself), else text replies. */
  binary: boolean;
  /** The `t` of its reply (`"error"` refusals always count as answers too). */
  reply?: string;
  /** No answer at all: each socket follows its load with a `lookup` and waits for that. */
  silent?: boolean;
}

/** A phase's outcome. */
export interface PhaseResult {
  /** Wall time from the first send to the last answer, in ms. */
  ms: number;
  /** Answers that were refusals (`{"t":"error"…`). */
  refused: number;
  /** Whether every answer came before the timeout. */
  complete: boolean;
}

/**
 * Opens a bare socket with a fresh hello and waits for its welcome.
 *
 * @example Usage
 * ```ts ignore
 * const ws = await openWelcomed("http://127.0.0.1:8787", "bench", identity);
 * ```
 *
 * @param url The network's URL.
 * @param network The network id.
 * @param identity Whose socket.
 * @param timeoutMs How long to wait for the welcome before giving up (and closing it).
 * @param headers Headers of the upgrade request: the local network's test header names the
 *   client address to act as (none: the loopback client's own).
 * @returns The socket, and the ms from its creation to the welcome.
 */
export async function openWelcomed(
  url: string,
  network: string,
  identity: Identity,
  timeoutMs = 60_000,
  headers?: Record<string, string>,
): Promise<{ ws: WebSocket; welcomeMs: number }> {
  const target = connectUrl(url, await signHello(identity, network, url), { batch: true });
  const start = performance.now();
  // Deno's WebSocket takes headers, as a proxy in front of the edge would write them.
  const ws = headers === undefined
    ? new WebSocket(target)
    : new WebSocket(target, { headers } as unknown as string[]);
  ws.binaryType = "arraybuffer";
  let timer: ReturnType<typeof setTimeout> | undefined;
  await new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => {
      ws.onopen = () => ws.close();
      reject(new Error("No welcome in time"));
    }, timeoutMs);
    ws.onerror = () => reject(new Error("Cannot open a benchmark socket"));
    ws.onmessage = (e) => typeof e.data === "string" && resolve();
  }).finally(() => clearTimeout(timer));
  const welcomeMs = performance.now() - start;
  ws.onmessage = null;
  ws.onerror = null;
  return { ws, welcomeMs };
}

const LOOKUP_REPLY = '{"t":"lookup.result"';
const ERROR_REPLY = '{"t":"error"';

/** Counts one socket's answers to a phase (see {@linkcode answerCounter}). */
export interface AnswerCounter {
  /** Takes one message the socket received. */
  take(data: unknown): void;
  /** Answers so far that were refusals. */
  readonly refused: number;
}

/**
 * Counts the answers a socket gets to what it sent, and says when all have come: replies of
 * the kind's `t` (or, for a silent kind, the trailing `lookup`'s), relayed frames, and
 * refusals (a refusal answers all of a message's `answers`: a batch is refused in one).
 *
 * @example Usage
 * ```ts ignore
 * const c = answerCounter({ binary: false, reply: "lookup.result" }, 10, 1, () => done());
 * ws.onmessage = (e) => c.take(e.data);
 * ```
 *
 * @param counting How the kind is answered.
 * @param expected Answers expected in all (1 for a silent kind: its trailing `lookup`).
 * @param answers Answers each message brings.
 * @param done Called once, when the last has come.
 * @returns The counter.
 */
export function answerCounter(
  counting: Counting,
  expected: number,
  answers: number,
  done: () => void,
): AnswerCounter {
  const reply = counting.silent ? LOOKUP_REPLY : `{"t":"${counting.reply}"`;
  let left = expected;
  let refused = 0;
  const count = (n: number) => {
    if (left > 0 && (left -= n) <= 0) done();
  };
  return {
    take(data) {
      if (typeof data === "string") {
        if (data.startsWith(ERROR_REPLY)) {
          refused++;
          // A silent kind's refusals are counted; only the trailing `lookup` ends it.
          if (!counting.silent) count(answers);
        } else if (data.startsWith(reply)) count(1);
      } else if (counting.binary && !counting.silent) count(framesIn(data as ArrayBuffer));
    },
    get refused() {
      return refused;
    },
  };
}

/**
 * Sends each socket's load at once and waits for every answer.
 *
 * @example Usage
 * ```ts ignore
 * const r = await saturate(sockets, loads, { binary: false, reply: "lookup.result" }, peerId);
 * ```
 *
 * @param sockets The open sockets.
 * @param loads One load per socket.
 * @param counting How answers are counted.
 * @param lookupPeer A peer id for the trailing `lookup` of a silent kind.
 * @param timeoutMs How long to wait for the answers.
 * @returns The wall time and refusals.
 */
export function saturate(
  sockets: WebSocket[],
  loads: SocketLoad[],
  counting: Counting,
  lookupPeer: string,
  timeoutMs = 60_000,
): Promise<PhaseResult> {
  const trailer = JSON.stringify({ t: "lookup", id: 1, peer: lookupPeer });
  let pending = sockets.length;
  const counters: AnswerCounter[] = [];
  return new Promise((resolve) => {
    const start = performance.now();
    const finish = (complete: boolean) => {
      clearTimeout(timer);
      for (const ws of sockets) ws.onmessage = null;
      const refused = counters.reduce((n, c) => n + c.refused, 0);
      resolve({ ms: performance.now() - start, refused, complete });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    sockets.forEach((ws, j) => {
      const expected = counting.silent ? 1 : loads[j].expected;
      const done = () => {
        if (--pending === 0) finish(true);
      };
      if (expected === 0) return done();
      const counter = answerCounter(counting, expected, 1, done);
      counters.push(counter);
      ws.onmessage = (e) => counter.take(e.data);
    });
    sockets.forEach((ws, j) => {
      for (const m of loads[j].messages) ws.send(m);
      if (counting.silent) ws.send(trailer);
    });
  });
}

/** One HTTP request, ready to send. */
export interface HttpCall {
  url: string;
  init?: RequestInit;
}

/**
 * Sends HTTP requests, each lane one at a time, all lanes at once; reads every body.
 *
 * @example Usage
 * ```ts ignore
 * const r = await saturateHttp([[{ url: `${base}/v1/health` }]]);
 * ```
 *
 * @param lanes The requests of each lane, in order.
 * @param onBody Takes each answer's body (to keep what a later phase needs).
 * @returns The wall time and the answers that were not 2xx.
 */
export async function saturateHttp(
  lanes: HttpCall[][],
  onBody?: (body: string) => void,
): Promise<PhaseResult> {
  let refused = 0;
  const start = performance.now();
  await Promise.all(lanes.map(async (calls) => {
    for (const { url, init } of calls) {
      const res = await fetch(url, init);
      const body = await res.text();
      if (!res.ok) refused++;
      onBody?.(body);
    }
  }));
  return { ms: performance.now() - start, refused, complete: true };
}
