/**
 * The growth benchmark's echoing pair, in a worker thread of its own: two peers, one echoing
 * what the other sends through the relay, a round trip `GAP_MS` after the last one, each
 * labelled with the phase the main thread says the network is in. On its own thread, a trip
 * times the network, not the bench's other peers (64 subscribers reconnecting as their homes
 * move, the state loaded, the rates measured) on the same event loop.
 *
 * The main thread posts {@linkcode EchoStart}, waits for `{ ready: true }`, then posts
 * `{ phase }` as the network moves on; `{ phase: "done" }` ends the trips, which come back as
 * `{ trips }`.
 *
 * @module
 */
import { Identity, Peer, type PeerMessage } from "../../mod.ts";

/** Between two round trips, ms. */
export const GAP_MS = 5;

/** What the worker is started with. */
export interface EchoStart {
  /** The network's URL. */
  url: string;
  /** Its id. */
  network: string;
  /** The sending peer's identity, saved (`JSON.stringify`). */
  a: string;
  /** The echoing peer's identity, saved. */
  b: string;
}

/** A round trip: the phase it began in, and how long it took, ms. */
export interface EchoTrip {
  phase: string;
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the pair until the phase is `done`, then answers with the trips.
 *
 * @example Usage
 * ```ts ignore
 * const worker = new Worker(new URL("./growth_echo.ts", import.meta.url), { type: "module" });
 * worker.postMessage({ url, network, a: JSON.stringify(a), b: JSON.stringify(b) });
 * ```
 *
 * @param start The network and the pair.
 * @param post Where answers go.
 * @param phase The phase now, as the main thread last said.
 */
export async function echoPair(
  start: EchoStart,
  post: (m: unknown) => void,
  phase: () => string,
): Promise<void> {
  const open = async (saved: string) => {
    const identity = await Identity.fromJSON(saved);
    const peer = new Peer({ url: start.url, identity, network: start.network, seal: false });
    await peer.connect();
    return peer;
  };
  const [a, b] = [await open(start.a), await open(start.b)];
  b.addEventListener("message", (e) => {
    const m = (e as CustomEvent<PeerMessage>).detail;
    b.send(m.from, m.data);
  });
  let back: (() => void) | undefined;
  a.addEventListener("message", () => back?.());
  post({ ready: true });
  const trips: EchoTrip[] = [];
  for (let k = 0; phase() !== "done"; k++) {
    const at = phase();
    const t = performance.now();
    const answered = new Promise<void>((r) => back = r);
    a.send(b.peerId, `e${k}`);
    await Promise.race([answered, sleep(5_000)]);
    trips.push({ phase: at, ms: performance.now() - t });
    await sleep(GAP_MS);
  }
  await Promise.all([a.close(), b.close()]);
  post({ trips });
}

// As a worker: the first message starts the pair, the others move its phase on.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  let phase = "idle";
  let started = false;
  self.onmessage = (e: MessageEvent) => {
    if (!started) {
      started = true;
      void echoPair(e.data as EchoStart, (m) => self.postMessage(m), () => phase);
    } else phase = (e.data as { phase: string }).phase;
  };
}
