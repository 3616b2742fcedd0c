/**
 * Parts three and four of the admission benchmark: a bystander under floods. With the default
 * limits, a bystander homed on the flooded shard does `lookup` round trips at a steady pace and
 * opens a new connection now and then, unloaded and while 1, 4 and 16 peers flood the shard
 * with one kind of request each, from one client address or from one address each (the local
 * network's test header). Part three: the flooders stay inside their limits (as much as their
 * budgets allow). Part four: they send flat out, past their limits, and the same floods are
 * aimed at a bare object in the same process (which drops every frame unread) for the floor:
 * what a flooded frame costs any Durable Object before its own code runs.
 *
 * @module
 */
import type { Identity } from "../../src/identity/mod.ts";
import { startNetwork, TEST_ADDRESS_HEADER } from "../local_network.ts";
import { openWelcomed } from "./admission_drive.ts";
import { type FloodKind, type FloodStart, PUB_TOPIC } from "./admission_flooder.ts";
import { identityOn, median, quantile } from "./common.ts";
import { CAP_MS, LOOKUP_GAP_MS, lookupTrip, roundTrip, tripsFor } from "./admission_trips.ts";
import { cpuShare, type CpuTimes, cpuTimes } from "./cpu_times.ts";
import { pinApart, unpinSelf } from "./pin_cores.ts";

/**
 * The kinds flooded with: the dearest of part one (flat out or one at a time), and the cheap
 * ones sent flat out.
 */
export const FLOOD_KINDS: FloodKind[] = [
  "tx.256",
  "tx.funded",
  "tx.funded.own",
  "sub",
  "mail",
  "relay.mailed",
  "provide.have",
  "peers",
  "junk",
  "relay",
  "batch",
  "pub",
  "account",
];

/** The kinds also flooded flat out, past the limits (part four): text, binary, and large. */
export const FLAT_KINDS: FloodKind[] = ["junk", "relay", "tx.256"];

/** What each flood sends, for the report. */
export const FLOOD_WHAT: Record<FloodKind, string> = {
  "tx.256": "`tx` of 256 transfers signed by an unfunded account",
  "tx.funded": "`tx` of 256 transfers from a funded account, fresh nonces, to random payees",
  "tx.funded.own":
    "`tx` of 256 transfers from a funded account, fresh nonces, to payees on the flooders' own shard",
  sub: "`sub` and `unsub` of a topic in turn",
  mail: "`mail` of 64 bytes to a new peer each time",
  "relay.mailed": "mailed SEND frames to a new peer each time",
  "provide.have": "`provide` (full `have`) and `unprovide` in turn",
  peers: "`peers` of the most peers",
  junk: "text that is not JSON",
  relay: "SEND frames of 64 bytes to itself",
  pub: "`pub` of 64 bytes, a new topic each time",
  account: "`account` of its own account",
  batch: "batch messages of 256 frames to itself",
};

/** One flood: its peers and how many client addresses they come from. */
export interface FloodShape {
  /** Entry-friendly label: `1`, `4.one`, `4.many`, … */
  label: string;
  peers: number;
  addresses: number;
}

/** Floods of 1, 4 and 16 peers, from one address and from one address each. */
export const FLOODS: FloodShape[] = [
  { label: "1", peers: 1, addresses: 1 },
  { label: "4.one", peers: 4, addresses: 1 },
  { label: "4.many", peers: 4, addresses: 4 },
  { label: "16.one", peers: 16, addresses: 1 },
  { label: "16.many", peers: 16, addresses: 16 },
];
/** How long the bystander measures under each flood, in ms. */
const MEASURE_MS = 1_500;
/**
 * Passes over the paced floods of a kind, each after an unloaded phase of its own: a p99 of
 * about 250 round trips moves 2x from one pass to the next on a shared machine, so the report
 * takes the median of the passes.
 */
export const PACED_PASSES = 3;
/**
 * The start of a flood, measured apart: flooders inside their limits spend their bursts at
 * once, and the shard reads every frame of them. Its longest round trip is reported; the
 * steady figures are taken after it.
 */
const START_MS = 1_000;
/** How long the shard may take to work off what a flood left, at most, in ms. */
const DRAIN_MS = 3_000;
/** Between two new connections of the bystander. */
const WELCOME_GAP_MS = 200;
const SHARDS = 8;
/** The bystander's client address: none of the flooders'. */
const BYSTANDER_ADDRESS = "198.51.100.7";
/**
 * The bystander's peers, taking turns at the round trips: a `lookup` every `LOOKUP_GAP_MS` plus
 * its answer is about 125 a second, `COST_REQUEST` each, more than one peer's budget; shared by
 * these, each stays within its own and their address within its.
 */
const BYSTANDER_PEERS = 3;
/** The bare object's path in the network's workerd. */
const BARE_PREFIX = "/bare";

/**
 * The limits of part three: the defaults. Each flooder that has its own address meets the
 * per-address caps on hellos and edge requests as an attacker would; the bystander has its own.
 */
export const FLOOD_LIMITS: Record<string, number> = {};

/** What the bystander saw in one phase. */
export interface BystanderFigures {
  /** p99 of the `lookup` round trips, ms. */
  p99: number;
  /** The longest round trip, ms. */
  max: number;
  /** Median time from a new socket to its welcome, ms. */
  welcome: number;
  /** Round trips measured. */
  trips: number;
  /** Messages the flooders sent per second, and sockets they opened (closed for flooding). */
  floodRate?: number;
  floodOpened?: number;
  /** `RATE_LIMITED` refusals the flooders were given. */
  floodRefused?: number;
  /** The longest round trip in the flood's first `START_MS`, ms. */
  start?: number;
  /** Cores used while measured: workerd's, and this process's (bystander and flooders). */
  cores?: CpuTimes;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Round trips and new connections of the bystander for `ms`. */
async function measure(
  url: string,
  network: string,
  trip: () => Promise<number>,
  fresh: Identity[],
  ms: number,
): Promise<BystanderFigures> {
  const welcomes: number[] = [];
  const end = performance.now() + ms;
  const connects = (async () => {
    while (performance.now() < end && fresh.length > 0) {
      const t0 = performance.now();
      try {
        const { ws, welcomeMs } = await openWelcomed(url, network, fresh.pop()!, CAP_MS, {
          [TEST_ADDRESS_HEADER]: BYSTANDER_ADDRESS,
        });
        welcomes.push(welcomeMs);
        ws.close();
      } catch {
        // Refused or failed: counted as the time it took, and at least the cap.
        welcomes.push(Math.max(CAP_MS, performance.now() - t0));
      }
      await sleep(WELCOME_GAP_MS);
    }
  })();
  const [trips] = await Promise.all([tripsFor(ms, trip), connects]);
  return figures(trips, welcomes);
}

/** Round trips of a bare object's bystander (its messages come back unparsed) for `ms`. */
async function measureEcho(bystander: WebSocket, ms: number): Promise<BystanderFigures> {
  return figures(await tripsFor(ms, () => roundTrip(bystander, "echo", () => true)), []);
}

function figures(trips: number[], welcomes: number[]): BystanderFigures {
  return {
    p99: quantile(trips, 0.99),
    max: Math.max(...trips),
    welcome: welcomes.length ? median(welcomes) : NaN,
    trips: trips.length,
  };
}

/** Waits (up to `DRAIN_MS`) until a few lookups in a row come back within the unloaded p99. */
async function settle(trip: () => Promise<number>, p99: number): Promise<void> {
  const end = performance.now() + DRAIN_MS;
  let good = 0;
  while (good < 20 && performance.now() < end) {
    good = await trip() <= p99 ? good + 1 : 0;
    await sleep(LOOKUP_GAP_MS);
  }
}

/**
 * A peer homed on another shard than the flooders' (shard 1), subscribed to `topic`: each
 * publish then reaches a subscribing shard as well. It takes every message as a client does,
 * acknowledging what it got.
 */
async function subscribe(url: string, network: string, topic: string): Promise<WebSocket> {
  const { ws } = await openWelcomed(url, network, await identityOn(1, SHARDS));
  await new Promise<void>((resolve) => {
    ws.onmessage = (e) =>
      typeof e.data === "string" && e.data.startsWith('{"t":"sub.result"') &&
      resolve();
    ws.send(JSON.stringify({ t: "sub", id: 1, topic }));
  });
  let acked = 0;
  let seen = 0;
  ws.onmessage = (e) => {
    if (typeof e.data !== "string" || !e.data.startsWith('{"t":"topic"')) return;
    seen = Math.max(seen, (JSON.parse(e.data) as { seq?: number }).seq ?? 0);
  };
  const timer = setInterval(() => {
    if (seen > acked && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ t: "topic.ack", seq: acked = seen }));
    }
  }, 100);
  ws.addEventListener("close", () => clearInterval(timer));
  return ws;
}

/** Starts a flood in a worker thread; resolves once every flooder is sending. */
async function startFlood(
  start: FloodStart,
): Promise<() => Promise<{ sent: number; opened: number; refused: number }>> {
  const worker = new Worker(new URL("./admission_flooder.ts", import.meta.url), { type: "module" });
  const ready = new Promise<void>((resolve, reject) => {
    worker.onerror = (e) => reject(new Error(`Flooder failed: ${e.message}`));
    worker.onmessage = (e) => e.data?.ready && resolve();
    // A shard still wedged by the last flood may not welcome them all soon: flood anyway.
    setTimeout(resolve, 5_000);
  });
  worker.postMessage(start);
  await ready;
  const began = performance.now();
  return async () => {
    const counts = new Promise<{ sent: number; opened: number; refused: number }>((resolve) => {
      worker.onmessage = (e) => e.data?.sent !== undefined && resolve(e.data);
    });
    worker.postMessage("stop");
    const c = await counts;
    worker.terminate();
    const seconds = (performance.now() - began) / 1000;
    return { sent: c.sent / seconds, opened: c.opened, refused: c.refused };
  };
}

/**
 * Runs the floods and measures the bystander under each: a fresh network per kind (a shard
 * a flood wedged does not slow the next kind's figures), its bystander measured unloaded
 * first, then under each flood of `FLOODS` inside the limits, then (for `FLAT_KINDS`) flat
 * out, and the bare object's bystander unloaded and under the same flat-out floods.
 *
 * @example Usage
 * ```ts ignore
 * const figures = await floodBench();
 * console.log(figures.get("unloaded.mail.0"), figures.get("mail.paced.16.many.0"));
 * ```
 *
 * @param log Takes a line of progress.
 * @param kinds The kinds to flood with (a trial may take a few).
 * @returns The bystander's figures, by phase: `unloaded.<kind>.<pass>`,
 *   `<kind>.paced.<label>.<pass>` (`PACED_PASSES` of each), `<kind>.flat.<label>`,
 *   `unloaded.bare.<kind>` and `<kind>.bare.<label>`.
 */
export async function floodBench(
  log: (line: string) => void = console.log,
  kinds: FloodKind[] = FLOOD_KINDS,
): Promise<Map<string, BystanderFigures>> {
  const out = new Map<string, BystanderFigures>();
  for (const kind of kinds) await floodKind(kind, out, log);
  return out;
}

/** Addresses of the documentation range, new for each flood (an address's budget outlives it). */
let nextAddress = 1;
function floodAddresses(n: number): string[] {
  return Array.from({ length: n }, () => {
    const k = nextAddress++;
    return `203.0.${113 + Math.floor(k / 250)}.${k % 250 + 1}`;
  });
}

const ratio = (f: BystanderFigures, base: BystanderFigures, key: "p99" | "welcome") =>
  `${f[key].toFixed(2)} ms (${(f[key] / base[key]).toFixed(2)}x)`;

async function floodKind(
  kind: FloodKind,
  out: Map<string, BystanderFigures>,
  log: (line: string) => void,
): Promise<void> {
  const flat = FLAT_KINDS.includes(kind);
  // The warm-up, the unloaded phase, one per flood.
  const perPhase = Math.ceil((START_MS + MEASURE_MS) / WELCOME_GAP_MS) + 2;
  const phases = 1 + PACED_PASSES * (1 + FLOODS.length) + (flat ? 1 + FLOODS.length : 0);
  const fresh: Identity[] = [];
  for (let i = 0; i < phases * perPhase; i++) fresh.push(await identityOn(0, SHARDS));
  const selves = await Promise.all(
    Array.from({ length: BYSTANDER_PEERS }, () => identityOn(0, SHARDS)),
  );
  // Funded flooders are known before the network starts: its genesis pays them.
  const funded: string[] = [];
  if (kind.startsWith("tx.funded")) {
    const count = PACED_PASSES * FLOODS.reduce((n, s) => n + s.peers, 0);
    for (let i = 0; i < count; i++) funded.push(JSON.stringify(await identityOn(0, SHARDS)));
  }
  const genesis = Object.fromEntries(
    funded.map((text) => [JSON.parse(text).peerId as string, 1_000_000]),
  );
  const net = await startNetwork({
    shards: SHARDS,
    network: "bench",
    limits: FLOOD_LIMITS,
    vars: funded.length > 0 ? { GENESIS: JSON.stringify(genesis) } : undefined,
    beside: flat
      ? {
        scriptPath: new URL("./bare_sink.js", import.meta.url).pathname,
        prefix: BARE_PREFIX,
        durableObjects: { BARE_SINK: "BareSink" },
      }
      : undefined,
  });
  const bareUrl = `${net.url.replace(/^http/, "ws")}${BARE_PREFIX}`;
  log(`${kind}: ${await pinApart()}`);
  const bystander: WebSocket[] = [];
  let bare: WebSocket | undefined;
  let subscriber: WebSocket | undefined;
  try {
    const from = { [TEST_ADDRESS_HEADER]: BYSTANDER_ADDRESS };
    for (const me of selves) {
      bystander.push((await openWelcomed(net.url, net.network, me, 60_000, from)).ws);
    }
    let turn = 0;
    const trip = () => {
      const k = turn++ % bystander.length;
      return lookupTrip(bystander[k], selves[k].peerId);
    };
    if (kind === "pub") subscriber = await subscribe(net.url, net.network, PUB_TOPIC);
    const run = (n: number, ids = fresh.splice(0, perPhase)) =>
      measure(net.url, net.network, trip, ids, n);
    await run(500); // warm-up
    const measureUnloaded = async (pass: number) => {
      const u = await run(MEASURE_MS);
      out.set(`unloaded.${kind}.${pass}`, u);
      log(`${kind}, unloaded: p99 ${u.p99.toFixed(2)} ms, welcome ${u.welcome.toFixed(2)} ms`);
      return u;
    };
    let unloaded = await measureUnloaded(0);
    const flood = async (
      shape: FloodShape,
      paced: boolean,
      measureIt: (ms: number) => Promise<BystanderFigures>,
      bareTo?: string,
    ) => {
      const stop = await startFlood({
        url: net.url,
        network: net.network,
        kind,
        peers: shape.peers,
        shards: SHARDS,
        shard: 0,
        addressHeader: TEST_ADDRESS_HEADER,
        addresses: floodAddresses(shape.addresses),
        paced,
        bare: bareTo,
        identities: funded.length > 0 ? funded.splice(0, shape.peers) : undefined,
        limits: FLOOD_LIMITS,
      });
      const opening = await measureIt(START_MS);
      const cpu = cpuTimes();
      const t0 = performance.now();
      const fig = await measureIt(MEASURE_MS);
      const cores = cpuShare(cpu, cpuTimes(), (performance.now() - t0) / 1000);
      const { sent, opened, refused } = await stop();
      return {
        ...fig,
        cores,
        start: opening.max,
        floodRate: sent,
        floodOpened: opened,
        floodRefused: refused,
      };
    };
    const says = (f: BystanderFigures) =>
      `start ${f.start!.toFixed(1)} ms; flooders sent ${
        Math.round(f.floodRate!)
      }/s, opened ${f.floodOpened} sockets, were refused ${f.floodRefused} times; cores: workerd ${
        f.cores!.workerd.toFixed(2)
      }, bench ${f.cores!.bench.toFixed(2)}`;
    const passes = [...Array(PACED_PASSES).keys()].map((pass) => ({ paced: true, pass }));
    if (flat) passes.push({ paced: false, pass: 0 });
    for (const { paced, pass } of passes) {
      if (pass > 0) unloaded = await measureUnloaded(pass);
      for (const shape of FLOODS) {
        const ids = fresh.splice(0, perPhase);
        const fig = await flood(shape, paced, (ms) => run(ms, ids));
        const mode = paced ? "paced" : "flat";
        out.set(`${kind}.${mode}.${shape.label}${paced ? `.${pass}` : ""}`, fig);
        log(
          `${kind} ${mode} × ${shape.peers} from ${shape.addresses} address(es): p99 ${
            ratio(fig, unloaded, "p99")
          }, welcome ${ratio(fig, unloaded, "welcome")}; ${says(fig)}`,
        );
        // What the flood left queued is worked off before the next phase.
        await settle(trip, unloaded.p99);
      }
    }
    if (!flat) return;
    bare = await openBare(`${bareUrl}?role=by`);
    await measureEcho(bare, 500); // warm-up
    const bareUnloaded = await measureEcho(bare, MEASURE_MS);
    out.set(`unloaded.bare.${kind}`, bareUnloaded);
    log(`${kind}, bare object unloaded: p99 ${bareUnloaded.p99.toFixed(2)} ms`);
    for (const shape of FLOODS) {
      const fig = await flood(
        shape,
        false,
        (ms) => measureEcho(bare!, ms),
        `${bareUrl}?role=flood`,
      );
      out.set(`${kind}.bare.${shape.label}`, fig);
      log(
        `${kind} flat at a bare object × ${shape.peers}: p99 ${ratio(fig, bareUnloaded, "p99")}; ${
          says(fig)
        }`,
      );
      await settle(trip, unloaded.p99);
    }
  } finally {
    subscriber?.close();
    for (const ws of bystander) ws.close();
    bare?.close();
    await net.dispose();
    await unpinSelf();
  }
}

function openBare(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error("Cannot open the bare object's socket"));
  });
}
