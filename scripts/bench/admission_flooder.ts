/**
 * Flooding peers for the admission benchmark, run in a worker thread of their own so that
 * their send loops do not delay the bystander's clock in the main thread. Each peer sends
 * one kind from a pool of messages built once, in one of two ways:
 * - inside its limits (`paced`): as much as its budget allows and no more, its burst first,
 *   then at its rate (its own, or its share of its address's if that is less), each message
 *   at the server's price, waiting out any `retryAfter` it is given (the shard's own budget);
 * - flat out: as fast as its socket takes it, whatever `retryAfter` says; a socket closed for
 *   flooding is opened again at once, as the same peer from the same client address.
 * A flood may also be aimed at a bare object (`bare`): plain sockets, no hello.
 *
 * Messages in: a `FloodStart` starts; `"stop"` stops. Out: `{ ready: true }`
 * once every peer is connected and sending, `{ sent, opened }` once stopped.
 *
 * @module
 */
import { Identity } from "../../src/identity/mod.ts";
import { signTransfer, transferToJson } from "../../src/ledger/mod.ts";
import {
  type ControlRequest,
  DEFAULT_LIMITS,
  encodeBatch,
  encodeFrame,
  FRAME_SEND,
} from "../../src/protocol/mod.ts";
import { Bitfield } from "../../src/swarm/bitfield.ts";
import { pieceCount } from "../../src/swarm/content_id.ts";
import { openWelcomed } from "./admission_drive.ts";
import {
  json,
  price,
  randomAccount as randomPeer,
  randomHex as hex,
  range,
  relayPrice,
} from "./admission_kind_base.ts";
import { identityOn } from "./common.ts";

/** The kinds a flood may send. */
export type FloodKind =
  | "tx.256"
  | "tx.funded"
  | "tx.funded.own"
  | "sub"
  | "mail"
  | "relay.mailed"
  | "provide.have"
  | "peers"
  | "junk"
  | "relay"
  | "batch"
  | "pub"
  | "account";

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
  /** Inside the peers' limits, or flat out. */
  paced: boolean;
  /** A bare object's socket address to flood instead of the network (plain sockets). */
  bare?: string;
  /** The flooders' identities (saved, `JSON.stringify`), when the network must know them first. */
  identities?: string[];
  /** Limits the network was started with over the defaults: the flooders pace by them. */
  limits?: Record<string, number>;
}

/** One message of a pool, and what the server charges for it. */
export interface PoolEntry {
  data: string | Uint8Array;
  /** Its price in units, as the server computes it. */
  price: number;
}

const L = DEFAULT_LIMITS;
const POOL = 256;
/** The topic the `pub` flood publishes on; the bench subscribes a peer of another shard to it. */
export const PUB_TOPIC = "flood/pub";
/**
 * Batches of 256 transfers a funded flooder signs: a paced peer's burst and rate send about 3
 * in a 2.5 s flood (5,576 units each).
 */
const FUNDED_BATCHES = 6;
/** Payees of a `tx.funded.own` flood, all homed on the flooders' shard. */
const OWN_PAYEES = 32;
/** Bytes a socket may hold unsent before its peer waits a tick. */
const HIGH_WATER = 256 * 1024;
/** Messages one peer sends per tick at most, so that all of them get their turn. */
const PER_TICK = 64;

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
 * @param home The flooders' shard and the network's shard count (`tx.funded.own` pays there).
 * @returns The pool.
 */
export async function floodPool(
  kind: FloodKind,
  identity: Identity,
  network: string,
  home: { shard: number; shards: number } = { shard: 0, shards: 1 },
): Promise<PoolEntry[]> {
  const messages = await poolMessages(kind, identity, network, home);
  return messages.map((data) => ({ data, price: priceOf(kind, data) }));
}

/** The server's price of one pool message (`requestPrice`, the relay's frame prices). */
function priceOf(kind: FloodKind, data: string | Uint8Array): number {
  switch (kind) {
    case "relay":
      return relayPrice({});
    case "relay.mailed":
      return relayPrice({ mailbox: true });
    case "batch":
      return relayPrice({ batch: L.MAX_BATCH_FRAMES });
    case "junk":
      return L.COST_REQUEST;
    default:
      return price(JSON.parse(data as string) as ControlRequest);
  }
}

async function poolMessages(
  kind: FloodKind,
  identity: Identity,
  network: string,
  home: { shard: number; shards: number },
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
    case "tx.funded":
    case "tx.funded.own": {
      // Paid from a funded account (the network's genesis), fresh nonces each batch: each
      // transfer is read, checked by the verifier, applied and sealed, most of them across
      // shards (a receipt each), or (`.own`) all to payees on the flooders' own shard, so that
      // no other shard has work of theirs. More batches than a flood sends, so no nonce comes
      // twice.
      const own = kind === "tx.funded.own"
        ? await Promise.all(range(OWN_PAYEES).map(() => identityOn(home.shard, home.shards)))
        : [];
      const batches = [];
      for (let b = 0; b < FUNDED_BATCHES; b++) {
        const txs = [];
        for (let i = 1; i <= L.MAX_TX_BATCH; i++) {
          const nonce = b * L.MAX_TX_BATCH + i;
          const to = own.length > 0 ? own[nonce % own.length].peerId : randomPeer();
          txs.push(
            transferToJson(await signTransfer(identity, { network, to, amount: 1n, nonce })),
          );
        }
        batches.push(json({ t: "tx", id: b + 1, txs }));
      }
      return batches;
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
    // Numbered publishes on the topic a peer on another shard subscribes to (`PUB_TOPIC`): each
    // goes through the flooder's home, the topic's home and the subscriber's. None is dropped
    // as a repeat: a paced flood sends fewer than the pool holds.
    case "pub":
      return range(POOL).map((i) =>
        json({ t: "pub", id: i, topic: PUB_TOPIC, n: i + 1, data: "x".repeat(64) })
      );
    case "account":
      return range(POOL).map((i) => json({ t: "account", id: i, account: identity.peerId }));
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

/** What the flooders of one worker did. */
interface FloodState {
  stop: boolean;
  sent: number;
  opened: number;
  /** `RATE_LIMITED` refusals they were given. */
  refused: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RATE_LIMITED = '"code":"RATE_LIMITED"';

/** Opens a flooder's socket: welcomed by the network as `identity`, or plain to a bare object. */
async function openFlooder(
  start: FloodStart,
  address: string,
  identity: Identity,
): Promise<WebSocket> {
  if (start.bare === undefined) {
    const headers = { [start.addressHeader]: address };
    return (await openWelcomed(start.url, start.network, identity, 60_000, headers)).ws;
  }
  const ws = new WebSocket(start.bare);
  ws.binaryType = "arraybuffer";
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error("Cannot open a bare socket"));
  });
  return ws;
}

/**
 * A peer's budget as the limits state it: its own rate and burst, or its share of its
 * address's if that is less (`sharing` peers of one address).
 */
function budgetOf(
  sharing: number,
  over: Record<string, number> = {},
): { rate: number; burst: number } {
  const L = { ...DEFAULT_LIMITS, ...over };
  return {
    rate: Math.min(L.RATE_LIMIT_FRAMES_PER_SECOND, L.ADDRESS_UNITS_PER_SECOND / sharing),
    burst: Math.min(L.RATE_LIMIT_BURST_FRAMES, L.ADDRESS_BURST_UNITS / sharing),
  };
}

/** Sends a pool until stopped, paced or flat out, opening the socket again whenever it closes. */
async function floodPeer(
  start: FloodStart,
  address: string,
  sharing: number,
  identity: Identity,
  pool: PoolEntry[],
  state: FloodState,
  ready: () => void,
): Promise<void> {
  let i = 0;
  let first = true;
  const { rate, burst } = budgetOf(sharing, start.limits);
  let tokens = burst;
  let at = performance.now();
  let pausedUntil = 0;
  while (!state.stop) {
    let ws: WebSocket;
    try {
      ws = await openFlooder(start, address, identity);
    } catch {
      await sleep(20);
      continue;
    }
    state.opened++;
    let open = true;
    ws.onclose = () => open = false;
    ws.onmessage = (e) => {
      if (typeof e.data !== "string" || !e.data.includes(RATE_LIMITED)) return;
      state.refused++;
      // A paced peer waits as it is told; a flat-out one does not listen.
      const wait = (JSON.parse(e.data) as { retryAfter?: number }).retryAfter ?? 0;
      pausedUntil = Math.max(pausedUntil, performance.now() + wait);
    };
    if (first) ready(), first = false;
    while (!state.stop && open) {
      const now = performance.now();
      tokens = Math.min(burst, tokens + (now - at) / 1000 * rate);
      at = now;
      for (let k = 0; k < PER_TICK && open && ws.bufferedAmount < HIGH_WATER; k++) {
        const entry = pool[i % pool.length];
        if (start.paced && (now < pausedUntil || tokens < entry.price)) break;
        try {
          ws.send(entry.data);
          tokens -= entry.price;
          i++;
          state.sent++;
        } catch {
          open = false;
        }
      }
      await sleep(start.paced ? 1 : 0);
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
 * @param post Reports `ready`, then the counts (sent, sockets opened, refusals).
 * @param stopped Resolves when the flood should stop.
 */
export async function runFlood(
  start: FloodStart,
  post: (m: unknown) => void,
  stopped: Promise<void>,
): Promise<void> {
  const peers = await Promise.all(
    start.identities
      ? start.identities.map((text) => Identity.fromJSON(text))
      : range(start.peers).map(() => identityOn(start.shard, start.shards)),
  );
  const pools = await Promise.all(peers.map((p) => floodPool(start.kind, p, start.network, start)));
  const state: FloodState = { stop: false, sent: 0, opened: 0, refused: 0 };
  let readyCount = 0;
  const sharing = Math.ceil(start.peers / start.addresses.length);
  const runs = peers.map((p, k) => {
    const address = start.addresses[k % start.addresses.length];
    return floodPeer(start, address, sharing, p, pools[k], state, () => {
      if (++readyCount === peers.length) post({ ready: true });
    });
  });
  await stopped;
  state.stop = true;
  await Promise.all(runs);
  post({ sent: state.sent, opened: state.opened, refused: state.refused });
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
