/**
 * Part three of the admission benchmark: a bystander under floods. With the default limits
 * (but for the per-address ones, since every client here comes from one address), a
 * bystander homed on the flooded shard does `lookup` round trips at a steady pace and opens
 * a new connection now and then, unloaded and while 1, 4 and 16 peers flood the shard with
 * one dear kind of request each.
 *
 * @module
 */
import type { Identity } from "../../src/identity/mod.ts";
import { startNetwork } from "../local_network.ts";
import { openWelcomed } from "./admission_drive.ts";
import type { FloodKind, FloodStart } from "./admission_flooder.ts";
import { identityOn, median } from "./common.ts";

/** The kinds flooded with, the dearest per unit of part one and the refused junk. */
export const FLOOD_KINDS: FloodKind[] = ["tx.256", "sub", "provide.have", "mail", "relay.mailed"];
/** Flooding peers at once. */
export const FLOODERS = [1, 4, 16];
/** How long the bystander measures under each flood, in ms. */
const MEASURE_MS = 3_000;
/** How long a flood runs before the bystander measures, in ms. */
const SETTLE_MS = 500;
/** Between a lookup's answer and the next lookup: 4 units each, well within its limits. */
const LOOKUP_GAP_MS = 5;
/** Between two new connections of the bystander. */
const WELCOME_GAP_MS = 200;
const SHARDS = 8;
/** A round trip or a welcome longer than this is counted as this, in ms. */
const CAP_MS = 5_000;

/** The limits of part three: the defaults, but one address may open all the connections. */
export const FLOOD_LIMITS: Record<string, number> = {
  MAX_CONNECTIONS_PER_ADDRESS: 1_000_000,
  ADDRESS_HELLOS_PER_MINUTE: 1_000_000,
  ADDRESS_HELLO_BURST: 1_000_000,
};

/** What the bystander saw in one phase. */
export interface BystanderFigures {
  /** p99 of the `lookup` round trips, ms. */
  p99: number;
  /** Median time from a new socket to its welcome, ms. */
  welcome: number;
  /** Round trips measured. */
  trips: number;
  /** Messages the flooders sent per second, and sockets they opened (closed for flooding). */
  floodRate?: number;
  floodOpened?: number;
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Round trips and new connections of the bystander for `ms`. */
async function measure(
  url: string,
  network: string,
  bystander: WebSocket,
  self: string,
  fresh: Identity[],
  ms: number,
): Promise<BystanderFigures> {
  const trips: number[] = [];
  const welcomes: number[] = [];
  const end = performance.now() + ms;
  const lookups = (async () => {
    let id = Math.floor(performance.now()) * 1_000;
    while (performance.now() < end) {
      const t0 = performance.now();
      // A round trip that does not come back within the cap counts as the cap.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CAP_MS);
        const reply = `{"t":"lookup.result","id":${++id},`;
        bystander.onmessage = (e) =>
          typeof e.data === "string" && e.data.startsWith(reply) && resolve();
        bystander.send(JSON.stringify({ t: "lookup", id, peer: self }));
      });
      clearTimeout(timer);
      trips.push(performance.now() - t0);
      await sleep(LOOKUP_GAP_MS);
    }
  })();
  const connects = (async () => {
    while (performance.now() < end && fresh.length > 0) {
      const t0 = performance.now();
      try {
        const { ws, welcomeMs } = await openWelcomed(url, network, fresh.pop()!, CAP_MS);
        welcomes.push(welcomeMs);
        ws.close();
      } catch {
        // Refused or failed: counted as the time it took, and at least the cap.
        welcomes.push(Math.max(CAP_MS, performance.now() - t0));
      }
      await sleep(WELCOME_GAP_MS);
    }
  })();
  await Promise.all([lookups, connects]);
  return {
    p99: quantile(trips, 0.99),
    welcome: welcomes.length ? median(welcomes) : NaN,
    trips: trips.length,
  };
}

let settleId = 1_000_000_000;

/** Waits (up to 15 s) until a few lookups in a row come back within the unloaded p99. */
async function settle(bystander: WebSocket, self: string, p99: number): Promise<void> {
  const end = performance.now() + 15_000;
  let good = 0;
  while (good < 20 && performance.now() < end) {
    const t0 = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CAP_MS);
      const reply = `{"t":"lookup.result","id":${++settleId},`;
      bystander.onmessage = (e) =>
        typeof e.data === "string" && e.data.startsWith(reply) && resolve();
      bystander.send(JSON.stringify({ t: "lookup", id: settleId, peer: self }));
    });
    clearTimeout(timer);
    good = performance.now() - t0 <= p99 ? good + 1 : 0;
    await sleep(LOOKUP_GAP_MS);
  }
}

/** Starts a flood in a worker thread; resolves once every flooder is sending. */
async function startFlood(
  start: FloodStart,
): Promise<() => Promise<{ sent: number; opened: number }>> {
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
    const counts = new Promise<{ sent: number; opened: number }>((resolve) => {
      worker.onmessage = (e) => e.data?.sent !== undefined && resolve(e.data);
    });
    worker.postMessage("stop");
    const c = await counts;
    worker.terminate();
    return { sent: c.sent / ((performance.now() - began) / 1000), opened: c.opened };
  };
}

/**
 * Runs the floods and measures the bystander under each.
 *
 * @example Usage
 * ```ts ignore
 * const figures = await floodBench();
 * console.log(figures.get("unloaded"), figures.get("mail.16"));
 * ```
 *
 * @param log Takes a line of progress.
 * @returns The bystander's figures, by phase: `unloaded`, and `<kind>.<flooders>`.
 */
export async function floodBench(
  log: (line: string) => void = console.log,
): Promise<Map<string, BystanderFigures>> {
  // The warm-up, the unloaded phase, one per flood.
  const phases = 2 + FLOOD_KINDS.length * FLOODERS.length;
  const perPhase = Math.ceil(MEASURE_MS / WELCOME_GAP_MS) + 2;
  const fresh: Identity[] = [];
  for (let i = 0; i < phases * perPhase; i++) fresh.push(await identityOn(0, SHARDS));
  const me = await identityOn(0, SHARDS);
  const net = await startNetwork({ shards: SHARDS, network: "bench", limits: FLOOD_LIMITS });
  const out = new Map<string, BystanderFigures>();
  let bystander: WebSocket | undefined;
  try {
    bystander = (await openWelcomed(net.url, net.network, me)).ws;
    const run = (n: number) =>
      measure(net.url, net.network, bystander!, me.peerId, fresh.splice(0, perPhase), n);
    await run(1_000); // warm-up
    const unloaded = await run(MEASURE_MS);
    out.set("unloaded", unloaded);
    log(`unloaded: p99 ${unloaded.p99.toFixed(2)} ms, welcome ${unloaded.welcome.toFixed(2)} ms`);
    for (const kind of FLOOD_KINDS) {
      for (const peers of FLOODERS) {
        const stop = await startFlood({
          url: net.url,
          network: net.network,
          kind,
          peers,
          shards: SHARDS,
          shard: 0,
        });
        await sleep(SETTLE_MS);
        const f = await run(MEASURE_MS);
        const { sent, opened } = await stop();
        const figures = { ...f, floodRate: sent, floodOpened: opened };
        out.set(`${kind}.${peers}`, figures);
        log(
          `${kind} × ${peers}: p99 ${f.p99.toFixed(2)} ms (${
            (f.p99 / unloaded.p99).toFixed(2)
          }x), welcome ${f.welcome.toFixed(2)} ms (${
            (f.welcome / unloaded.welcome).toFixed(2)
          }x); flooders sent ${Math.round(sent)}/s, opened ${opened} sockets`,
        );
        // What the flood left queued is worked off before the next phase.
        await settle(bystander!, me.peerId, unloaded.p99);
      }
    }
  } finally {
    bystander?.close();
    await net.dispose();
  }
  return out;
}
