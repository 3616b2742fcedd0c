/**
 * Part one of the admission benchmark: shard time per request kind. One network of several
 * shards whose measured peers are all homed on shard 0, unthrottled (the limiter must not cap
 * what is measured), each kind sent flat out from a few bare sockets (or HTTP lanes), wall
 * time over requests once the shard is the bottleneck.
 *
 * @module
 */
import type { Identity } from "../../src/identity/mod.ts";
import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
import { startNetwork, TEST_ADDRESS_HEADER } from "../local_network.ts";
import {
  openWelcomed,
  type PhaseResult,
  saturate,
  saturateHttp,
  type SocketLoad,
} from "./admission_drive.ts";
import { type Kind, type KindContext, KINDS } from "./admission_kinds.ts";
import {
  idleCores,
  pacedCount,
  pacedHttp,
  type PacedResult,
  pacedSocket,
} from "./admission_paced.ts";
import { identityOn, median, UNTHROTTLED } from "./common.ts";

/** Shards of the network; the measured peers are homed on shard 0. */
export const SHARDS = 8;
/** Sockets, and HTTP lanes, a phase is sent from. */
const LANES = 8;
/** Funded accounts that pay the transfers. */
const SENDERS = 256;
/** How long a measured phase should take, to size it from the warm-up. */
const PHASE_MS = 500;
/**
 * Passes over every kind within one round, kinds in turn: a round's figure of a kind is the
 * median of its passes, so that a burst of load from elsewhere on the machine moves one pass
 * and not the figure.
 */
export const PASSES = 3;
/** Requests of a warm-up phase, before its size is known. */
const WARMUP_REQUESTS = 256;
const MAX_REQUESTS = 60_000;

/**
 * The limits of part one: unthrottled, and the bounds that a long flat-out phase of one
 * kind would reach (mailboxes, subscriptions, provider records, the faucet's accounts) raised
 * so that every request does its work instead of being refused.
 */
export const MEASURE_LIMITS: Record<string, number> = {
  ...UNTHROTTLED,
  MAILBOX_MAX_MESSAGES: 10_000_000,
  MAILBOX_MAX_FROM_SENDER: 10_000_000,
  MAIL_MAX_PER_SENDER: 10_000_000,
  MAIL_MAX_PER_SHARD: 10_000_000,
  MAIL_MAX_PER_ADDRESS: 10_000_000,
  MAIL_MAX_UNSEEN_PER_SHARD: 10_000_000,
  MAX_SUBSCRIPTIONS_PER_PEER: 10_000_000,
  MAX_PROVIDES_PER_PEER: 10_000_000,
  MAX_PROVIDER_RECORDS_PER_SHARD: 10_000_000,
  FAUCET_ACCOUNTS_PER_ADDRESS: 1_000_000_000,
};

/** One kind's figure of one round. */
export interface KindSample {
  /** Microseconds of shard time per request, sent flat out (wall time over requests). */
  us: number;
  /**
   * Microseconds of workerd's CPU time per request, sent one at a time at the rate one peer's
   * budget (an address's HTTP budget) allows for the kind (`admission_paced.ts`).
   */
  paced: number;
  /** Requests measured. */
  requests: number;
  /** Of which refused (or not answered in time). */
  refused: number;
}

/**
 * Measures every kind, a warm-up and then `rounds` rounds of `PASSES` passes each, kinds in
 * turn within each pass; a round's figure of a kind is the median of its passes.
 *
 * @example Usage
 * ```ts ignore
 * const samples = await measureKinds(1);
 * console.log(samples.get("lookup")); // [{ us, requests, refused }]
 * ```
 *
 * @param rounds Rounds after the warm-up.
 * @param log Takes a line of progress.
 * @param only The kinds to measure, by name. @default every kind
 * @returns Each kind's samples, one per round.
 */
export async function measureKinds(
  rounds: number,
  log: (line: string) => void = console.log,
  only?: readonly string[],
): Promise<Map<string, KindSample[]>> {
  // A few kinds alone (a probe of a new one beside a known one), or every kind.
  const kinds = only ? KINDS.filter((k) => only.includes(k.name)) : KINDS;
  const senders: Identity[] = [];
  for (let i = 0; i < SENDERS; i++) senders.push(await identityOn(0, SHARDS));
  const own = await Promise.all(Array.from({ length: LANES + 2 }, () => identityOn(0, SHARDS)));
  const [offline, subscriber] = own.splice(LANES, 2);
  // Each pass mails a peer of its own, from lanes of their own client addresses: a mailbox's
  // counts per recipient, sender and address then stay near the bounds the defaults allow,
  // instead of growing pass after pass into a state no default network reaches.
  const mailed = await Promise.all(
    Array.from({ length: rounds * PASSES + 1 }, () => identityOn(0, SHARDS)),
  );
  const elsewhere = await Promise.all(
    Array.from({ length: SHARDS - 1 }, (_, k) => identityOn(k + 1, SHARDS)),
  );
  const genesis = Object.fromEntries(senders.map((s) => [s.peerId, 1_000_000_000_000]));
  const net = await startNetwork({
    shards: SHARDS,
    network: "bench",
    limits: MEASURE_LIMITS,
    vars: { GENESIS: JSON.stringify(genesis), FAUCET: "on" },
  });
  const samples = new Map<string, KindSample[]>(kinds.map((k) => [k.name, []]));
  const opened: WebSocket[] = [];
  let keepalive: ReturnType<typeof setInterval> | undefined;
  try {
    const open = async (id: Identity, lane?: number) => {
      const headers = lane === undefined
        ? undefined
        : { [TEST_ADDRESS_HEADER]: `198.51.100.${lane + 1}` };
      const { ws } = await openWelcomed(net.url, net.network, id, 60_000, headers);
      opened.push(ws);
      return ws;
    };
    const sockets = await Promise.all(own.map((id, lane) => open(id, lane)));
    // A peer online on every other shard, so that `peers` asks them all.
    await Promise.all(elsewhere.map((id) => open(id)));
    const ctx: KindContext = {
      url: net.url,
      network: net.network,
      lanes: LANES,
      selves: own.map((i) => i.peerId),
      identities: own,
      offline: offline.peerId,
      senders,
      nonces: senders.map(() => 0),
      recipient: offline.peerId,
      phase: 0,
      topics: [],
      roots: [],
      providedRoot: "",
      pubTopic: "bench/pub",
      pubN: [],
      applied: [],
    };
    const sub = await open(subscriber);
    await ask(sub, { t: "sub", id: 1, topic: ctx.pubTopic }, "sub.result");
    ctx.providedRoot = `${"ab".repeat(32)}.1000000`;
    await ask(sub, { t: "provide", id: 2, root: ctx.providedRoot }, "provide.result");
    // Topic messages are not read by anyone: the subscriber's socket only has to be there.
    sub.onmessage = null;

    // Sockets silent past the presence timeout are closed: the HTTP phases are long.
    keepalive = setInterval(() => {
      for (const ws of opened) if (ws.readyState === WebSocket.OPEN) ws.send("ping");
    }, 10_000);
    const estimate = new Map<string, number>();
    const passes = new Map<string, KindSample[]>(kinds.map((k) => [k.name, []]));
    for (let pass = 0; pass <= rounds * PASSES; pass++) {
      const r = Math.ceil(pass / PASSES);
      ctx.offline = mailed[pass].peerId;
      for (const kind of kinds) {
        const total = pass === 0
          ? Math.max(LANES, Math.round(WARMUP_REQUESTS / kind.items))
          : Math.min(
            MAX_REQUESTS,
            Math.max(LANES, Math.round(PHASE_MS * 1000 / estimate.get(kind.name)!)),
          );
        ctx.phase++;
        const { result, requests } = await runPhase(kind, ctx, sockets, total);
        const us = result.ms * 1000 / Math.max(1, requests);
        if (pass === 0) estimate.set(kind.name, us);
        else passes.get(kind.name)!.push({ us, paced: 0, requests, refused: result.refused });
        log(
          `${pass === 0 ? "warm-up" : `round ${r} pass ${pass}`}: ${kind.name} ${
            us.toFixed(1)
          } µs/request (${requests} in ${Math.round(result.ms)} ms` +
            `${result.refused ? `, ${result.refused} refused` : ""}` +
            `${result.complete ? "" : ", TIMED OUT"})`,
        );
      }
      if (pass > 0 && pass % PASSES === 0) {
        const paced = await pacedPass(ctx, sockets[0], estimate, log, kinds);
        for (const kind of kinds) {
          const got = passes.get(kind.name)!.splice(0);
          const us = median(got.map((g) => g.us));
          samples.get(kind.name)!.push({
            us,
            paced: paced.get(kind.name)!,
            requests: got.reduce((n, g) => n + g.requests, 0),
            refused: got.reduce((n, g) => n + g.refused, 0),
          });
        }
      }
    }
    // Every transfer signed was meant to apply: a refused one leaves its sender's later nonces
    // a gap, and the `tx` rows would measure refusals. Said, not hidden.
    const nonces = await Promise.all(ctx.senders.map(async (s) => {
      const r = await fetch(`${net.url}/v1/accounts/${s.peerId}`);
      return (await r.json()).nonce as number;
    }));
    const signed = ctx.nonces.reduce((a, b) => a + b, 0);
    const applied = nonces.reduce((a, b) => a + b, 0);
    log(`transfers applied: ${applied} of ${signed} signed`);
  } finally {
    clearInterval(keepalive);
    for (const ws of opened) ws.close();
    await net.dispose();
  }
  return samples;
}

/**
 * The least rate a kind is paced at (unless that would take more than `PACED_FLOOR_CORES` of a
 * core at its flat-out cost). A flood that matters comes from many peers and keeps the runtime
 * awake; one peer alone on a quiet network, a few requests a second, pays for waking it from
 * idle each time (a bare object's echo: 265 µs a message at 100 a second, 82 µs at 714), which
 * a busy shard does not pay, and its whole share stays small.
 */
export const PACED_FLOOR_RATE = 200;
/** The most of a core a kind is paced up to, reckoned at its flat-out cost. */
const PACED_FLOOR_CORES = 0.1;

/**
 * The rate a kind is paced at: one peer's budget over its price (an HTTP kind, the client
 * address's HTTP budget), or `PACED_FLOOR_RATE` if more, within `PACED_FLOOR_CORES`.
 *
 * @example Usage
 * ```ts ignore
 * pacedRate(KINDS[0], 23); // 5000 / 7: relayed frames a second
 * ```
 *
 * @param kind The kind.
 * @param flatUs Its flat-out cost, µs per request.
 * @returns Requests a second.
 */
export function pacedRate(kind: Kind, flatUs: number): number {
  const budget = kind.http
    ? LIMITS.ADDRESS_HTTP_UNITS_PER_SECOND
    : LIMITS.RATE_LIMIT_FRAMES_PER_SECOND;
  const floor = Math.min(PACED_FLOOR_RATE, PACED_FLOOR_CORES * 1e6 / flatUs);
  return Math.max(budget / kind.price, floor);
}

// One paced phase of every kind, from one socket (or one HTTP lane), in report order.
async function pacedPass(
  ctx: KindContext,
  ws: WebSocket,
  flat: Map<string, number>,
  log: (line: string) => void,
  kinds: readonly Kind[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const idle = await idleCores();
  log(`paced: workerd idle at ${(idle * 100).toFixed(2)}% of a core`);
  for (const kind of kinds) {
    const rate = pacedRate(kind, flat.get(kind.name)!);
    const n = pacedCount(rate);
    ctx.phase++;
    let r: PacedResult;
    if (kind.http) {
      const onBody = kind.http.onBody;
      r = await pacedHttp(
        await kind.http.build(ctx, 0, n),
        rate,
        idle,
        onBody && ((b) => onBody(ctx, b)),
      );
    } else {
      const s = kind.socket!;
      const messages = await s.build(ctx, 0, n);
      r = await pacedSocket(ws, messages, rate, s.counting, s.answers ?? 1, ctx.selves[0], idle);
    }
    out.set(kind.name, r.us); // NaN where it could not be read: the report leaves it out
    log(
      `paced: ${kind.name} ${r.us.toFixed(1)} µs/request at ${rate.toFixed(1)}/s (${r.requests}, ${
        (r.cores * 100).toFixed(1)
      }% of a core${r.refused ? `, ${r.refused} refused` : ""}${r.complete ? "" : ", TIMED OUT"})`,
    );
  }
  return out;
}

/** Sends one text request and waits for its reply. */
function ask(ws: WebSocket, m: unknown, reply: string): Promise<void> {
  return new Promise((resolve) => {
    ws.onmessage = (e) =>
      typeof e.data === "string" && e.data.startsWith(`{"t":"${reply}"`) && resolve();
    ws.send(JSON.stringify(m));
  });
}

async function runPhase(
  kind: Kind,
  ctx: KindContext,
  sockets: WebSocket[],
  total: number,
): Promise<{ result: PhaseResult; requests: number }> {
  const per = Math.ceil(total / LANES);
  if (kind.http) {
    const lanes = [];
    for (let j = 0; j < LANES; j++) lanes.push(await kind.http.build(ctx, j, per));
    const onBody = kind.http.onBody;
    const result = await saturateHttp(lanes, onBody && ((b) => onBody(ctx, b)));
    return { result, requests: lanes.reduce((n, l) => n + l.length, 0) };
  }
  const socket = kind.socket!;
  const loads: SocketLoad[] = [];
  for (let j = 0; j < LANES; j++) {
    const messages = await socket.build(ctx, j, per);
    loads.push({ messages, expected: messages.length * (socket.answers ?? 1) });
  }
  const result = await saturate(sockets, loads, socket.counting, ctx.selves[0]);
  return { result, requests: loads.reduce((n, l) => n + l.messages.length, 0) };
}

/** The price of each kind, by name, as the server computes it with the default limits. */
export const PRICES: ReadonlyMap<string, number> = new Map(KINDS.map((k) => [k.name, k.price]));

/** The default limits the prices are read from. */
export const LIMITS = DEFAULT_LIMITS;
