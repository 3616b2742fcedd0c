/**
 * Flooding peers for the admission benchmark, run in a worker thread of their own so that
 * their send loops do not delay the bystander's clock in the main thread. Each peer sends
 * one kind flat out (as fast as its socket takes it, whatever `retryAfter` says), from a
 * pool of messages built once; a socket closed for flooding is opened again at once, as the
 * same peer from the same client address.
 *
 * Messages in: a `FloodStart` starts; `"stop"` stops. Out: `{ ready: true }`
 * once every peer is connected and sending, `{ sent, opened }` once stopped.
 *
 * @module
 */
import { type Identity, peerIdFromPublicKey } from "../../src/identity/mod.ts";
import { signTransfer, transferToJson } from "../../src/ledger/mod.ts";
import { DEFAULT_LIMITS, encodeBatch, encodeFrame, FRAME_SEND } from "../../src/protocol/mod.ts";
import { Bitfield } from "../../src/swarm/bitfield.ts";
import { pieceCount } from "../../src/swarm/content_id.ts";
import { openWelcomed } from "./admission_drive.ts";
import { identityOn } from "./common.ts";

/** The kinds a flood may send. */
export type FloodKind =
  | "tx.256"
  | "sub"
  | "mail"
  | "relay.mailed"
  | "provide.have"
  | "peers"
  | "junk"
  | "relay"
  | "batch";

/** How a flood starts. */
export interface FloodStart {
  url: string;
  network: string;
  kind: FloodKind;
  peers: number;
  /** The network's shard count, and the shard the flooders are homed on. */
  shards: number;
  shard: number;
  /** The header that names a client address, and each peer's address (by index, cycled). */
  addressHeader: string;
  addresses: string[];
}

const L = DEFAULT_LIMITS;
const POOL = 256;
/** Bytes a socket may hold unsent before its peer waits a tick. */
const HIGH_WATER = 256 * 1024;
/** Messages one peer sends per tick at most, so that all of them get their turn. */
const PER_TICK = 64;

const json = (m: unknown) => JSON.stringify(m);
const hex = (n: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, "0"))
    .join("");
const randomPeer = () => peerIdFromPublicKey(crypto.getRandomValues(new Uint8Array(32)));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The messages one flooding peer cycles through. Bounded kinds are sent so as to stay
 * within their bounds, as a peer that means harm would: `sub` and `unsub` of a topic in
 * turn, `provide` and `unprovide` of a content in turn, mail to a different peer each time.
 *
 * @example Usage
 * ```ts ignore
 * const pool = await floodPool("sub", identity, "bench");
 * ```
 *
 * @param kind The kind.
 * @param identity The flooding peer.
 * @param network The network id (transfers name it).
 * @returns The pool.
 */
export async function floodPool(
  kind: FloodKind,
  identity: Identity,
  network: string,
): Promise<(string | Uint8Array)[]> {
  switch (kind) {
    case "tx.256": {
      // Signed by an account with no funds: each signature is checked, then refused.
      const txs = [];
      for (let n = 1; n <= L.MAX_TX_BATCH; n++) {
        txs.push(transferToJson(
          await signTransfer(identity, {
            network,
            to: randomPeer(),
            amount: 1n,
            nonce: n,
          }),
        ));
      }
      return [json({ t: "tx", id: 1, txs })];
    }
    case "sub":
      return range(POOL).flatMap((i) => [
        json({ t: "sub", id: i, topic: `flood/${hex(8)}` }),
      ]).flatMap((sub) => [sub, sub.replace('"t":"sub"', '"t":"unsub"')]);
    case "provide.have": {
      const have = new Bitfield(pieceCount(L.MAX_CONTENT_BYTES), true).encode();
      return range(POOL / 4).flatMap((i) => {
        const root = `${hex(32)}.${L.MAX_CONTENT_BYTES}`;
        return [
          json({ t: "provide", id: i, root, have }),
          json({ t: "unprovide", id: i, root }),
        ];
      });
    }
    case "mail":
      return range(POOL).map((i) =>
        json({ t: "mail", id: i, to: randomPeer(), data: "x".repeat(64) })
      );
    case "relay.mailed":
      return range(POOL).map((i) =>
        encodeFrame(FRAME_SEND, randomPeer(), i, "x".repeat(64), { mailbox: true })
      );
    case "peers":
      return range(POOL).map((i) => json({ t: "peers", id: i, count: L.MAX_DISCOVERY_PEERS }));
    case "junk":
      return ["not json at all"];
    // Frames to the flooder itself: each is relayed back on its own socket.
    case "relay":
      return range(POOL).map((i) => encodeFrame(FRAME_SEND, identity.peerId, i, "x".repeat(64)));
    case "batch":
      return range(4).map((b) =>
        encodeBatch(
          range(L.MAX_BATCH_FRAMES).map((i) =>
            encodeFrame(FRAME_SEND, identity.peerId, b * L.MAX_BATCH_FRAMES + i, "x".repeat(64))
          ),
        )
      );
  }
}

/** Sends a pool flat out until stopped, opening the socket again whenever it is closed. */
async function floodPeer(
  start: FloodStart,
  address: string,
  identity: Identity,
  pool: (string | Uint8Array)[],
  state: { stop: boolean; sent: number; opened: number },
  ready: () => void,
): Promise<void> {
  let i = 0;
  let first = true;
  while (!state.stop) {
    let ws: WebSocket;
    try {
      const headers = { [start.addressHeader]: address };
      ws = (await openWelcomed(start.url, start.network, identity, 60_000, headers)).ws;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    state.opened++;
    let open = true;
    ws.onclose = () => open = false;
    if (first) ready(), first = false;
    while (!state.stop && open) {
      for (let k = 0; k < PER_TICK && open && ws.bufferedAmount < HIGH_WATER; k++) {
        try {
          ws.send(pool[i++ % pool.length]);
          state.sent++;
        } catch {
          open = false;
        }
      }
      await new Promise((r) => setTimeout(r, 0));
    }
    ws.close();
  }
}

/**
 * Runs a flood in this worker: builds the peers and their pools, then floods until stopped.
 *
 * @example Usage
 * ```ts ignore
 * await runFlood(start, (m) => self.postMessage(m), stopped);
 * ```
 *
 * @param start What to send, how many peers.
 * @param post Reports `ready`, then the counts.
 * @param stopped Resolves when the flood should stop.
 */
export async function runFlood(
  start: FloodStart,
  post: (m: unknown) => void,
  stopped: Promise<void>,
): Promise<void> {
  const peers = await Promise.all(
    range(start.peers).map(() => identityOn(start.shard, start.shards)),
  );
  const pools = await Promise.all(peers.map((p) => floodPool(start.kind, p, start.network)));
  const state = { stop: false, sent: 0, opened: 0 };
  let readyCount = 0;
  const runs = peers.map((p, k) =>
    floodPeer(start, start.addresses[k % start.addresses.length], p, pools[k], state, () => {
      if (++readyCount === peers.length) post({ ready: true });
    })
  );
  await stopped;
  state.stop = true;
  await Promise.all(runs);
  post({ sent: state.sent, opened: state.opened });
}

// As a worker: started and stopped by messages.
if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  let stop: () => void;
  const stopped = new Promise<void>((r) => stop = r);
  self.onmessage = (e: MessageEvent) => {
    if (e.data === "stop") stop();
    else runFlood(e.data as FloodStart, (m) => self.postMessage(m), stopped);
  };
}
