/**
 * The relay: the binary hot path. A peer's SEND is admitted (size, rate, quota), checked,
 * turned into a DELIVER in place, and handed to a socket here or queued for the
 * destination's home shard; at the destination's home, frames from other shards go to their
 * sockets, or to the mailbox of an offline peer that asked for it.
 *
 * @module
 */
import { base64urlnopad } from "@scure/base";
import {
  decodeFrame,
  deliverInPlace,
  FLAG_MAILBOX,
  FLAG_SEQUENCED,
  FLAG_SIGNAL,
  FRAME_HEADER_BYTES,
  FRAME_SEND,
  framePayloadBytes,
  framePeer,
  frameSeq,
  isSendTo,
  isSignalFrame,
  type Refusal,
  type RelayStats,
  wantsMailbox,
} from "../src/protocol/mod.ts";
import { isPeerId } from "../src/identity/mod.ts";
import { HomeCache } from "../src/routing/mod.ts";
import { ShardQueue } from "../src/routing/_shard_queue.ts";
import type { NetworkConfig } from "./config.ts";
import type { Admission } from "./admission.ts";
import type { Mailbox } from "./mailbox.ts";
import type { DeliverOutcome, PutOutcome, RefusedFrame } from "./rpc.ts";
import type { Session, Sessions } from "./sessions.ts";
import type { Shards } from "./shards.ts";

/** A frame on its way to another shard. */
interface Outgoing {
  from: string;
  seq: number;
  to: string;
  frame: Uint8Array;
}

const utf8Decoder = new TextDecoder();

/**
 * Counters that start at zero, for a super-peer that just started.
 *
 * @returns The counters.
 *
 * @example Usage
 * ```ts
 * import { emptyStats } from "./relay.ts";
 * console.assert(emptyStats().framesIn === 0);
 * ```
 */
export function emptyStats(): RelayStats {
  return {
    framesIn: 0,
    payloadBytesIn: 0,
    delivered: 0,
    forwarded: 0,
    refused: 0,
    refusals: {},
    directOffers: 0,
    directAnswers: 0,
    transfersApplied: 0,
    blocksSealed: 0,
    statsCalls: 0,
  };
}

const OFFER = new TextEncoder().encode('{"t":"offer"');
const ANSWER = new TextEncoder().encode('{"t":"answer"');

/** Counts a signal frame that carries an SDP offer or answer (a direct upgrade under way). */
function countSignal(stats: RelayStats, bytes: Uint8Array): void {
  const at = bytes.length - framePayloadBytes(bytes);
  const starts = (p: Uint8Array) => p.every((b, i) => bytes[at + i] === b);
  if (starts(OFFER)) stats.directOffers++;
  else if (starts(ANSWER)) stats.directAnswers++;
}

/**
 * The relay of one super-peer.
 *
 * @example Usage
 * ```ts
 * import { Relay } from "./relay.ts";
 * import type { Sessions } from "./sessions.ts";
 * export function frame(
 *   o: ConstructorParameters<typeof Relay>[0] & { sessions: Sessions },
 *   ws: WebSocket,
 *   bytes: Uint8Array,
 * ) {
 *   const relay = new Relay(o);
 *   relay.onFrame(ws, o.sessions.of(ws), bytes);
 * }
 * ```
 */
export class Relay {
  readonly #config: NetworkConfig;
  readonly #shard: number;
  readonly #sessions: Sessions;
  readonly #shards: Shards;
  readonly #mailbox: Mailbox;
  readonly #admission: Admission;
  readonly #stats: RelayStats;
  readonly #waitUntil: (p: Promise<unknown>) => void;
  readonly #homes: HomeCache;
  readonly #outbound: ShardQueue<Outgoing>;

  /** @param o What the relay works with. */
  constructor(o: {
    config: NetworkConfig;
    shard: number;
    sessions: Sessions;
    shards: Shards;
    mailbox: Mailbox;
    admission: Admission;
    stats: RelayStats;
    waitUntil: (p: Promise<unknown>) => void;
  }) {
    this.#config = o.config;
    this.#shard = o.shard;
    this.#sessions = o.sessions;
    this.#shards = o.shards;
    this.#mailbox = o.mailbox;
    this.#admission = o.admission;
    this.#stats = o.stats;
    this.#waitUntil = o.waitUntil;
    this.#homes = new HomeCache(o.config.shards);
    this.#outbound = new ShardQueue<Outgoing>({
      deliver: (shard, items) => this.#forward(shard, items),
      onUndelivered: (item, reason) => this.#undelivered(item, reason),
      maxQueued: o.config.limits.MAX_SHARD_QUEUE_FRAMES,
      maxBatch: o.config.limits.MAX_RELAY_BATCH_FRAMES,
    });
  }

  /**
   * Relays one binary frame a peer sent.
   *
   * @param ws The sender's socket.
   * @param session The sender's session.
   * @param bytes The frame; it becomes the DELIVER, so the caller must not use it afterwards.
   */
  onFrame(ws: WebSocket, session: Session, bytes: Uint8Array): void {
    const { limits } = this.#config;
    const seq = frameSeq(bytes);
    const refuse = (r: Refusal, peer?: string) => this.#sessions.refuse(ws, r, { seq, peer });
    if (bytes.length > limits.MAX_FRAME_BYTES) {
      return refuse({
        ok: false,
        code: "FRAME_TOO_LARGE",
        message: `Frame is ${bytes.length} bytes, limit is ${limits.MAX_FRAME_BYTES}`,
      }, framePeer(bytes));
    }
    // Admission: the frame's cost, then (payload only: signaling is never metered, so that two
    // peers over quota can still set up the channel that relieves the relay) the relay quota.
    const flags = bytes[1];
    // As `wantsMailbox`, read from the flags already at hand: the hot path stays short.
    const mailed = (flags & (FLAG_MAILBOX | FLAG_SIGNAL | FLAG_SEQUENCED)) === FLAG_MAILBOX;
    const cost = mailed ? limits.COST_MAIL : limits.COST_RELAY_FRAME;
    const over = this.#admission.charge(
      session.peer,
      cost,
      bytes.length,
      (flags & FLAG_SIGNAL) === 0,
    );
    if (over) return refuse(over, framePeer(bytes));
    // A peer mostly writes to the one it wrote to last: then the header is checked against
    // the last destination's bytes, and no id string is made.
    let to = session.lastTo;
    if (!to || !isSendTo(bytes, to.bytes)) {
      const decoded = decodeFrame(bytes);
      if (!decoded.ok) return refuse(decoded, framePeer(bytes));
      if (decoded.frame.type !== FRAME_SEND) {
        return refuse(
          { ok: false, code: "UNKNOWN_FRAME_TYPE", message: "Peers send SEND frames only" },
          decoded.frame.peer,
        );
      }
      const id = decoded.frame.peer;
      // A destination is checked once (the cache holds only peer ids): nothing is relayed, or
      // mailed, to what can never connect.
      if (this.#homes.known(id) === undefined && !isPeerId(id)) {
        return refuse(
          { ok: false, code: "BAD_FRAME", message: `Destination "${id}" is not a peer id` },
          id,
        );
      }
      to = {
        id,
        bytes: bytes.slice(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + id.length),
        home: this.#homes.of(id),
      };
      session.lastTo = to;
    }
    if (!isSignalFrame(bytes)) this.#stats.payloadBytesIn += framePayloadBytes(bytes);
    else countSignal(this.#stats, bytes);
    // The SEND's buffer becomes the DELIVER: the payload is neither copied nor re-encoded.
    const out = deliverInPlace(bytes, session.peerBytes);
    const dest = to.id;
    if (to.home === this.#shard) {
      if (this.#deliverHere(dest, out)) return;
      if (!wantsMailbox(out)) return refuse(notConnected(dest), dest);
      this.#waitUntil(
        this.#toMailbox(dest, out).then((r) => {
          if (!r.ok) refuse(r, dest);
        }),
      );
      return;
    }
    const queued = this.#outbound.push(to.home, {
      from: session.peer,
      seq: seq!,
      to: dest,
      frame: out,
    });
    if (queued) this.#stats.forwarded++;
    else {
      refuse({ ok: false, code: "OVERLOADED", message: `Queue to shard ${to.home} is full` }, dest);
    }
  }

  /**
   * At the destinations' home: delivers frames relayed from another shard. A frame for an
   * offline peer that asks for the mailbox is kept there instead.
   *
   * @param to The destination peer of each frame.
   * @param frames The DELIVER frames, ready to send.
   * @returns The frames whose destination is not connected here, and those its mailbox
   *   refused.
   */
  deliver(to: string[], frames: Uint8Array[]): DeliverOutcome | Promise<DeliverOutcome> {
    const missing: number[] = [];
    let mailed: Promise<RefusedFrame | null>[] | undefined;
    for (let i = 0; i < frames.length; i++) {
      if (this.#deliverHere(to[i], frames[i])) continue;
      if (wantsMailbox(frames[i])) {
        (mailed ??= []).push(
          this.#toMailbox(to[i], frames[i]).then((r) => r.ok ? null : { ...r, index: i }),
        );
      } else missing.push(i);
    }
    // The usual batch has no mailbox frame: answered at once, with no promise in between.
    if (!mailed) return { missing, refused: [] };
    return Promise.all(mailed).then((r) => ({
      missing,
      refused: r.filter((x): x is RefusedFrame => x !== null),
    }));
  }

  #deliverHere(peer: string, frame: Uint8Array): boolean {
    if (!this.#sessions.send(peer, frame)) return false;
    this.#stats.delivered++;
    return true;
  }

  #forward(shard: number, items: Outgoing[]): Promise<number[]> {
    return this.#shards.stub(shard).deliver(items.map((i) => i.to), items.map((i) => i.frame))
      .then(
        ({ missing, refused }) => {
          for (const { index, ...r } of refused) {
            const item = items[index];
            this.#sessions.refusePeer(item.from, r, { seq: item.seq, peer: item.to });
          }
          return missing;
        },
        (error) => {
          this.#shards.broken(shard);
          throw error;
        },
      );
  }

  // At the destination's home: a DELIVER for an offline peer becomes a mailbox message from
  // its sender, who hears of its delivery (or expiry) by a notice, as with `mail`.
  async #toMailbox(to: string, frame: Uint8Array): Promise<PutOutcome> {
    const decoded = decodeFrame(frame);
    if (!decoded.ok) return decoded;
    const { peer: from, payload, text } = decoded.frame;
    const data = text ? utf8Decoder.decode(payload) : base64urlnopad.encode(payload);
    return await this.#mailbox.put({ to, from, data, bin: !text, notify: true });
  }

  #undelivered(item: Outgoing, reason: "not_found" | "unreachable"): void {
    const r: Refusal = reason === "not_found" ? notConnected(item.to) : {
      ok: false,
      code: "SHARD_UNAVAILABLE",
      message: `Home of peer "${item.to}" is unreachable`,
    };
    this.#sessions.refusePeer(item.from, r, { seq: item.seq, peer: item.to });
  }
}

function notConnected(peer: string): Refusal {
  return { ok: false, code: "PEER_NOT_FOUND", message: `Peer "${peer}" is not connected` };
}
