/**
 * The relay: the binary hot path. A peer's SEND is admitted (size, rate, quota), checked,
 * turned into a DELIVER in place, and handed to a socket here or queued for the
 * destination's home shard; at the destination's home, frames from other shards go to their
 * sockets, or to the mailbox of an offline peer that asked for it.
 *
 * @module
 */
import { base64urlnopad } from "../../src/encoding/mod.ts";
import {
  BATCH_ENTRY_HEADER_BYTES,
  decodeFrame,
  deliverInPlace,
  FLAG_MAILBOX,
  FLAG_SEQUENCED,
  FLAG_SIGNAL,
  FRAME_BATCH,
  FRAME_HEADER_BYTES,
  FRAME_SEND,
  framePayloadBytes,
  framePeer,
  frameSeq,
  isSendTo,
  isSignalFrame,
  readBatch,
  type Refusal,
  type RelayStats,
  wantsMailbox,
} from "../../src/protocol/mod.ts";
import { isPeerId } from "../../src/identity/mod.ts";
import { batchTooLarge, countSignal, isAutomaticAnswer, notConnected } from "./relay_reads.ts";
import { HomeCache, ShardQueue } from "../../src/routing/mod.ts";
import type { NetworkConfig } from "../config.ts";
import type { Admission } from "./admission.ts";
import type { Mailbox } from "./services/mailbox.ts";
import { RelayOutbox } from "./relay_outbox.ts";
import type { DeliverOutcome, PutOutcome, RefusedFrame } from "../rpc.ts";
import type { Session, Sessions } from "./sessions.ts";
import type { Shards } from "../shards.ts";

/** One relay pass over a batch: what is held for peers here, and how to name it. */
interface Pass {
  outbox: RelayOutbox;
  held: { to: string; frame: Uint8Array; seq: number | undefined }[];
}

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
    turnBytes: 0,
    transfersApplied: 0,
    blocksSealed: 0,
    statsCalls: 0,
  };
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
    this.#homes = new HomeCache(o.config.placement);
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
    if (bytes[0] === FRAME_BATCH) this.#onBatch(ws, session, bytes);
    else this.#relay(ws, session, bytes);
  }

  // A batch: each frame is admitted, relayed and refused as if it came alone; what is for
  // peers here leaves at the end, one batch per destination.
  #onBatch(ws: WebSocket, session: Session, bytes: Uint8Array): void {
    const { limits } = this.#config;
    const { frames, broken } = readBatch(bytes);
    // The message was counted as one frame; it holds this many.
    this.#stats.framesIn += frames.length - 1;
    // The message pays once, then each entry its own (smaller) price.
    const message = this.#admission.charge(session, limits.COST_BATCH, 0);
    // Refused whole with one refusal: a flood of batches is not answered 256 times each.
    if (message) return this.#sessions.refuse(ws, message);
    const pass: Pass = { outbox: new RelayOutbox(this.#sessions), held: [] };
    let end = 1;
    for (let i = 0; i < frames.length && this.#sessions.has(session.peer); i++) {
      const frame = frames[i];
      end += BATCH_ENTRY_HEADER_BYTES + frame.length;
      if (i < limits.MAX_BATCH_FRAMES && end <= limits.MAX_BATCH_BYTES) {
        const over = this.#relay(ws, session, frame, pass);
        if (!over) continue;
        // Past the rate limit, the rest of the batch goes with this frame, in one refusal: a
        // batch refused entry by entry would be answered with up to 256 messages, and a flood
        // of such batches spent the shard on refusals.
        this.#sessions.refuse(ws, over, {
          seq: frameSeq(frame),
          peer: framePeer(frame),
          count: frames.length - i,
        });
        break;
      }
      // Charged as any frame, so that a batch of junk meets the rate limit (and the close).
      const over = this.#admission.charge(session, limits.COST_BATCH_ENTRY, frame.length);
      this.#sessions.refuse(ws, over ?? batchTooLarge(limits), {
        seq: frameSeq(frame),
        peer: framePeer(frame),
      });
    }
    if (broken) this.#sessions.refuse(ws, { ok: false, code: "BAD_FRAME", message: broken });
    for (const tag of pass.outbox.flush(broken ? undefined : { bytes, frames })) {
      const { to, frame, seq } = pass.held[tag];
      this.#stats.delivered--;
      this.#notHere(ws, to, frame, seq);
    }
  }

  // Relays one frame, or refuses it. In a batch (`pass`), a frame past the rate limit is not
  // refused here: its refusal is returned, for the batch to refuse it with the rest.
  #relay(ws: WebSocket, session: Session, bytes: Uint8Array, pass?: Pass): Refusal | void {
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
    // An automatic answer is the exception: it costs its sender nothing, and past its own
    // bucket it is dropped without a word (a refusal would be one more answer to junk).
    const flags = bytes[1];
    const answer = isAutomaticAnswer(bytes);
    if (answer && !this.#admission.answer(session.peer)) return;
    // As `wantsMailbox`, read from the flags already at hand: the hot path stays short.
    const mailed = (flags & (FLAG_MAILBOX | FLAG_SIGNAL | FLAG_SEQUENCED)) === FLAG_MAILBOX;
    const cost = mailed
      ? limits.COST_MAIL
      : pass
      ? limits.COST_BATCH_ENTRY
      : limits.COST_RELAY_FRAME;
    const over = answer
      ? null
      : this.#admission.charge(session, cost, bytes.length, (flags & FLAG_SIGNAL) === 0);
    // Past the rate limit in a batch, the batch refuses this frame with the rest; past the relay
    // quota it is refused alone, since the signaling after it still passes.
    if (over && pass && over.code === "RATE_LIMITED") return over;
    if (over) return refuse(over, framePeer(bytes));
    // A peer mostly writes to the one it wrote to last: then the header is checked against
    // the last destination's bytes, and no id string is made (its home is looked up again
    // after a growth).
    let to = session.lastTo?.version === this.#config.placement.version
      ? session.lastTo
      : undefined;
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
        version: this.#config.placement.version,
      };
      session.lastTo = to;
    }
    if (!isSignalFrame(bytes)) this.#stats.payloadBytesIn += framePayloadBytes(bytes);
    else countSignal(this.#stats, bytes);
    // The SEND's buffer becomes the DELIVER: the payload is neither copied nor re-encoded.
    const out = deliverInPlace(bytes, session.peerBytes);
    const dest = to.id;
    if (to.home === this.#shard) {
      if (pass) {
        if (pass.outbox.add(dest, out, pass.held.length)) {
          pass.held.push({ to: dest, frame: out, seq });
          this.#stats.delivered++;
          return;
        }
      } else if (this.#deliverHere(dest, out)) return;
      return this.#notHere(ws, dest, out, seq);
    }
    const queued = this.#outbound.push(to.home, {
      from: session.peer,
      seq: seq!,
      to: dest,
      // A frame of a batch is a view: sent alone, it must not carry the whole batch along.
      frame: pass ? out.slice() : out,
    });
    if (queued) this.#stats.forwarded++;
    else {
      refuse({ ok: false, code: "OVERLOADED", message: `Queue to shard ${to.home} is full` }, dest);
    }
  }

  // A frame for a peer of this shard that is not connected: to its mailbox if it asks, else
  // refused to its sender.
  #notHere(ws: WebSocket, dest: string, out: Uint8Array, seq: number | undefined): void {
    const refuse = (r: Refusal) => this.#sessions.refuse(ws, r, { seq, peer: dest });
    if (!wantsMailbox(out)) return refuse(notConnected(dest));
    this.#waitUntil(
      this.#toMailbox(dest, out).then((r) => {
        if (!r.ok) refuse(r);
      }),
    );
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
    const notHere = (i: number) => {
      if (wantsMailbox(frames[i])) {
        (mailed ??= []).push(
          this.#toMailbox(to[i], frames[i]).then((r) => r.ok ? null : { ...r, index: i }),
        );
      } else missing.push(i);
    };
    // A destination's frames of this call leave as one batch, if it asked for batches.
    const outbox = new RelayOutbox(this.#sessions);
    for (let i = 0; i < frames.length; i++) {
      if (outbox.add(to[i], frames[i], i)) this.#stats.delivered++;
      else notHere(i);
    }
    for (const i of outbox.flush()) {
      this.#stats.delivered--;
      notHere(i);
    }
    missing.sort((a, b) => a - b);
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
    const { peer: from, payload, text, sealed } = decoded.frame;
    const data = text ? utf8Decoder.decode(payload) : base64urlnopad.encode(payload);
    return await this.#mailbox.put({
      to,
      from,
      data,
      bin: !text,
      notify: true,
      sealed,
      address: this.#sessions.addressOf(from),
    });
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
