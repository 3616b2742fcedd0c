/**
 * Exactly-once, ordered delivery between this peer and each other peer, whatever path a
 * message takes. Every message is stamped (the sender's epoch, a per-pair number, the
 * sender's floor), kept until acknowledged and sent again with backoff while it is not; the
 * receiver delivers each number once and in order and acknowledges what it delivered. This
 * layer knows no path: it is given a function that transmits a stamped message, and one that
 * sends an acknowledgement; the peer decides whether they go by relay or direct channel.
 * Used by every `reliable` peer and by every peer with direct channels.
 *
 * @module
 */
import type { SendResult } from "./connection.ts";
import type { Stamp } from "../protocol/mod.ts";
import { InboundPair, OutboundPair } from "./pair.ts";
import { DEFAULT_RESEND_MS, MAX_RESEND_MS } from "./constants.ts";

/** Acknowledge after this many messages delivered from one peer... */
const ACK_EVERY = 32;
/** ...or after this long, whichever comes first. */
const ACK_DELAY_MS = 100;
/** Earlier epochs of a sender remembered, so that their late messages are not taken. */
const RETIRED_EPOCHS = 16;

/** A message delivered in order, once, with the path it came by. */
export interface Delivery {
  /** The sender. */
  from: string;
  /** Its per-pair sequence number. */
  seq: number;
  /**
   * Text, or bytes. Bytes are this message's alone, but may be a view into a slightly
   * larger buffer (a direct channel's message, its header before them): read them through
   * the `Uint8Array`, or mind `byteOffset` when taking its `buffer`.
   */
  data: string | Uint8Array;
  /** The path it came by. */
  via: "direct" | "relay";
  /**
   * Whether the network could neither read it nor forge it: sealed end to end through the
   * relay, or over a direct channel (DTLS bound to both identity keys). `false`: it came in
   * clear, and anyone on the path could have written it under the sender's name.
   */
  sealed: boolean;
}

/** What the layer is given by its peer. */
export interface ExactlyOnceHost {
  /** Transmits a stamped message on the path of the peer's choosing. */
  transmit(to: string, stamp: Stamp, data: Uint8Array, text: boolean): SendResult;
  /** Sends an acknowledgement of `from`'s messages, up to `upTo`, of its epoch `epoch`. */
  acknowledge(from: string, epoch: number, upTo: number): void;
  /** Hands a message to the application. */
  deliver(message: Delivery): void;
  /** A peer started over (a new epoch after another): it is another run of the program. */
  restarted?(from: string, via: "direct" | "relay"): void;
}

interface Pair {
  out: OutboundPair<{ data: Uint8Array; text: boolean }>;
  inbox: InboundPair<
    { seq: number; data: Uint8Array; text: boolean; via: "direct" | "relay"; sealed: boolean }
  >;
  /** The remote sender's epoch that `inbox` follows; earlier ones, retired. */
  inEpoch?: number;
  retired: number[];
  lastAcked: number;
  ackTimer?: ReturnType<typeof setTimeout>;
  /** A repeat arrived: the sender did not hear our acknowledgement; say it again. */
  reAck: boolean;
  resendTimer?: ReturnType<typeof setTimeout>;
  resendMs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The exactly-once layer of one peer.
 *
 * @example Usage
 * ```ts
 * import { ExactlyOnce } from "./exactly_once.ts";
 * const got: unknown[] = [];
 * const b = new ExactlyOnce({ transmit: () => "sent", acknowledge: () => {}, deliver: (m) => got.push(m.data) });
 * const a = new ExactlyOnce({
 *   transmit: (_to, stamp, data, text) => (b.receive("A", stamp, data, text, "relay", true), "sent"),
 *   acknowledge: () => {},
 *   deliver: () => {},
 * });
 * a.send("B", "hi");
 * console.assert(got[0] === "hi");
 * a.close();
 * b.close();
 * ```
 */
export class ExactlyOnce {
  readonly #host: ExactlyOnceHost;
  readonly #pairs = new Map<string, Pair>();

  /** @param host The transmit, acknowledge and deliver functions. */
  constructor(host: ExactlyOnceHost) {
    this.#host = host;
  }

  /** The peers this one has a pair with (sent to, or heard from). */
  peers(): Iterable<string> {
    return this.#pairs.keys();
  }

  /**
   * Stamps a message to a peer and transmits it; it is sent again until acknowledged.
   *
   * @param to The peer.
   * @param data Text, or bytes.
   * @returns What the transmit did (`"queued"` when the path could not take it now: it is kept
   *   and sent again), or `"dropped"` when too many await acknowledgement.
   */
  send(to: string, data: string | Uint8Array): SendResult {
    const pair = this.#pair(to);
    if (pair.out.full) return "dropped";
    const text = typeof data === "string";
    const bytes = text ? encoder.encode(data) : data;
    const { seq } = pair.out.stamp({ data: bytes, text });
    this.#armResend(to, pair);
    // Kept until acknowledged: one the path could not take now goes at the next resend, so it
    // is queued, not dropped.
    const result = this.#host.transmit(to, stampOf(pair, seq), bytes, text);
    return result === "dropped" ? "queued" : result;
  }

  /**
   * Transmits again everything a peer has not acknowledged, in order: its path changed.
   *
   * @param to The peer.
   */
  replay(to: string): void {
    const pair = this.#pairs.get(to);
    if (!pair) return;
    for (const m of pair.out.unacknowledged()) {
      this.#host.transmit(to, stampOf(pair, m.seq), m.data.data, m.data.text);
    }
  }

  /**
   * Takes a stamped message from either path.
   *
   * @param from The sender.
   * @param stamp Its stamp.
   * @param data The message.
   * @param text Whether it is text.
   * @param via The path it came by.
   * @param sealed Whether it came sealed (or over a direct channel).
   */
  receive(
    from: string,
    { epoch, seq, floor }: Stamp,
    data: Uint8Array,
    text: boolean,
    via: "direct" | "relay",
    sealed: boolean,
  ): void {
    const pair = this.#pair(from);
    if (pair.inEpoch !== epoch) {
      // A late message from an earlier life of the sender: that life is over.
      if (pair.retired.includes(epoch)) return;
      // The sender started over (or this side did): so does the receiving half.
      if (pair.inEpoch !== undefined) {
        pair.retired.push(pair.inEpoch);
        if (pair.retired.length > RETIRED_EPOCHS) pair.retired.shift();
        this.#host.restarted?.(from, via);
      }
      pair.inEpoch = epoch;
      pair.inbox = new InboundPair();
      pair.lastAcked = 0;
    }
    if (seq <= pair.inbox.delivered) pair.reAck = true;
    for (const m of pair.inbox.accept(seq, { seq, data, text, via, sealed }, floor)) {
      this.#host.deliver({
        from,
        seq: m.seq,
        data: m.text ? decoder.decode(m.data) : m.data,
        via: m.via,
        sealed: m.sealed,
      });
    }
    this.#scheduleAck(from, pair);
  }

  /**
   * Takes an acknowledgement from a peer.
   *
   * @param from The peer.
   * @param epoch The epoch it acknowledges; one of an earlier life of this side says nothing.
   * @param upTo The highest number it delivered.
   */
  acknowledged(from: string, epoch: number, upTo: number): void {
    const out = this.#pairs.get(from)?.out;
    if (out && epoch === out.epoch) out.acknowledge(upTo);
  }

  /** Stops every timer. */
  close(): void {
    for (const pair of this.#pairs.values()) {
      clearTimeout(pair.ackTimer);
      clearTimeout(pair.resendTimer);
    }
  }

  // A message the relay refused (rate limit, quota, peer offline) or that a path lost is
  // never acknowledged: after a while, everything unacknowledged goes again on the current
  // path, and the receiver drops what it already has.
  #armResend(to: string, pair: Pair): void {
    if (pair.resendTimer) return;
    const ackedThen = pair.out.acknowledged;
    pair.resendTimer = setTimeout(() => {
      pair.resendTimer = undefined;
      if (pair.out.unacknowledged().length === 0) {
        pair.resendMs = DEFAULT_RESEND_MS;
        return;
      }
      if (pair.out.acknowledged === ackedThen) {
        this.replay(to);
        pair.resendMs = Math.min(pair.resendMs * 2, MAX_RESEND_MS);
      } else pair.resendMs = DEFAULT_RESEND_MS;
      this.#armResend(to, pair);
    }, pair.resendMs);
  }

  #scheduleAck(from: string, pair: Pair): void {
    const upTo = pair.inbox.delivered;
    if (upTo - pair.lastAcked >= ACK_EVERY) this.#ack(from, pair);
    else if (!pair.ackTimer && (upTo > pair.lastAcked || pair.reAck)) {
      pair.ackTimer = setTimeout(() => this.#ack(from, pair), ACK_DELAY_MS);
    }
  }

  #ack(from: string, pair: Pair): void {
    clearTimeout(pair.ackTimer);
    pair.ackTimer = undefined;
    const epoch = pair.inEpoch;
    if (epoch === undefined) return;
    pair.lastAcked = pair.inbox.delivered;
    pair.reAck = false;
    this.#host.acknowledge(from, epoch, pair.lastAcked);
  }

  #pair(remote: string): Pair {
    let pair = this.#pairs.get(remote);
    if (!pair) {
      pair = {
        out: new OutboundPair(),
        inbox: new InboundPair(),
        lastAcked: 0,
        reAck: false,
        resendMs: DEFAULT_RESEND_MS,
        retired: [],
      };
      this.#pairs.set(remote, pair);
    }
    return pair;
  }
}

// The floor is read when the message leaves (or leaves again): it only rises.
function stampOf(pair: Pair, seq: number): Stamp {
  return { epoch: pair.out.epoch, seq, floor: pair.out.acknowledged };
}
