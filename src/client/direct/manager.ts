/**
 * Direct upgrades for a {@linkcode Peer}: counts traffic per remote peer, opens an
 * authenticated direct channel once a pair has exchanged enough (or on request), sends on it
 * while it lives, and falls back to the relay when it dies, replaying what the other side has
 * not acknowledged. Every message is stamped with a per-pair sequence number, on either path,
 * so the receiver delivers each once and in order.
 *
 * Every message carries a stamp of three uint32s (big-endian): the sender's epoch, the
 * sequence number, the sender's floor (see `pair.ts`). On the relay the stamp starts the
 * payload of a sequenced frame. Direct-channel messages are binary: `0x01`, text flag (1 byte),
 * stamp, payload; or `0x02`, epoch, the highest sequence delivered, an acknowledgement.
 *
 * @module
 */
import type { Identity } from "../../identity/identity.ts";
import { DirectLink, type SignalMessage } from "./link.ts";
import { InboundPair, OutboundPair } from "./pair.ts";
import type { DirectTransportFactory, IceServer } from "./transport.ts";

/** Default messages sent to one peer before an upgrade is tried. */
export const DEFAULT_DIRECT_THRESHOLD = 16;
/** Default wait after a failed or lost direct channel before trying again, in ms. */
export const DEFAULT_DIRECT_RETRY_MS = 2_000;
/** First wait before sending unacknowledged messages again, in ms (doubles, up to the max). */
export const DEFAULT_RESEND_MS = 1_000;
/** Longest wait between two resends, in ms. */
export const MAX_RESEND_MS = 10_000;
/** Acknowledge after this many messages delivered from one peer. */
const ACK_EVERY = 32;
/** ...or after this long, whichever comes first. */
const ACK_DELAY_MS = 100;
/** Bytes of a stamp: epoch, sequence number, floor. */
export const STAMP_BYTES = 12;
/** Earlier epochs of a sender remembered, so that their late messages are not taken. */
const RETIRED_EPOCHS = 16;

/** Options of direct upgrades, given to `Peer` as `direct`. */
export interface DirectOptions {
  /**
   * The data channel implementation (`browserTransport()`, `weriftTransport()`). Without one
   * the peer still receives sequenced messages, but neither offers nor answers a channel.
   */
  transport?: DirectTransportFactory;
  /** Messages sent to one peer before an upgrade is tried; 0 for on request only. @default 16 */
  threshold?: number;
  /** STUN/TURN servers. @default none */
  iceServers?: IceServer[];
  /** Wait before trying again after a failure, in ms. @default 2000 */
  retryMs?: number;
}

/** A delivered application message and the path it came by. */
export interface DirectDelivery {
  from: string;
  seq: number;
  data: string | Uint8Array;
  via: "direct" | "relay";
}

/** What the manager needs from its Peer. */
export interface DirectHost {
  identity: Identity;
  /** Sends a sequenced payload over the relay. */
  sendRelay(to: string, payload: Uint8Array, text: boolean): "sent" | "queued" | "dropped";
  /** Sends signaling over the relay. */
  sendSignal(to: string, data: string): void;
  /** Hands a message to the application. */
  deliver(message: DirectDelivery): void;
  /** Tells of a direct channel opening or closing. */
  changed(remote: string, open: boolean): void;
}

interface Pair {
  out: OutboundPair<{ data: Uint8Array; text: boolean }>;
  inbox: InboundPair<{ seq: number; data: Uint8Array; text: boolean; via: "direct" | "relay" }>;
  /** The remote sender's epoch that `inbox` follows; earlier ones, retired. */
  inEpoch?: number;
  retired: number[];
  sent: number;
  link?: DirectLink;
  retryAt: number;
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
 * The direct-upgrade logic of one Peer.
 *
 * @example Usage
 * ```ts ignore
 * const peer = new Peer({ url, identity, direct: { transport: weriftTransport() } });
 * ```
 */
export class DirectManager {
  readonly #host: DirectHost;
  readonly #o: DirectOptions;
  readonly #pairs = new Map<string, Pair>();

  /**
   * @param host The Peer's side.
   * @param options Transport, threshold, ICE servers.
   */
  constructor(host: DirectHost, options: DirectOptions) {
    this.#host = host;
    this.#o = options;
  }

  /**
   * Whether a direct channel to a peer is open.
   *
   * @param remote The peer.
   * @returns Whether it is.
   */
  isDirect(remote: string): boolean {
    return this.#pairs.get(remote)?.link?.open ?? false;
  }

  /**
   * Sends an application message to a peer, directly if a channel is open, else by relay.
   *
   * @param to The peer.
   * @param data The message.
   * @returns What happened to it.
   */
  send(to: string, data: string | Uint8Array): "sent" | "queued" | "dropped" {
    const pair = this.#pair(to);
    if (pair.out.full) return "dropped";
    const text = typeof data === "string";
    const bytes = text ? encoder.encode(data) : data;
    const { seq } = pair.out.stamp({ data: bytes, text });
    pair.sent++;
    const threshold = this.#o.threshold ?? DEFAULT_DIRECT_THRESHOLD;
    if (threshold > 0 && pair.sent >= threshold) this.upgrade(to);
    this.#armResend(to, pair);
    if (pair.link?.open) {
      pair.link.send(dataMessage(stampOf(pair, seq), bytes, text));
      return "sent";
    }
    return this.#host.sendRelay(to, stamped(stampOf(pair, seq), bytes), text);
  }

  // A message the relay refused (rate limit, quota, peer offline) or that a path lost is
  // never acknowledged: after a while, everything unacknowledged goes again on the current
  // path, and the receiver drops what it already has.
  #armResend(to: string, pair: Pair): void {
    if (pair.resendTimer) return;
    const ackedThen = pair.out.acknowledged;
    pair.resendTimer = setTimeout(() => {
      pair.resendTimer = undefined;
      const waiting = pair.out.unacknowledged();
      if (waiting.length === 0) {
        pair.resendMs = DEFAULT_RESEND_MS;
        return;
      }
      if (pair.out.acknowledged === ackedThen) {
        for (const m of waiting) this.#transmit(to, pair, m.seq, m.data.data, m.data.text);
        pair.resendMs = Math.min(pair.resendMs * 2, MAX_RESEND_MS);
      } else pair.resendMs = DEFAULT_RESEND_MS;
      this.#armResend(to, pair);
    }, pair.resendMs);
  }

  #transmit(to: string, pair: Pair, seq: number, data: Uint8Array, text: boolean): void {
    if (pair.link?.open) pair.link.send(dataMessage(stampOf(pair, seq), data, text));
    else this.#host.sendRelay(to, stamped(stampOf(pair, seq), data), text);
  }

  /**
   * Asks for a direct channel to a peer now. The peer with the smaller id makes the offer; the
   * other asks it to.
   *
   * @param to The peer.
   */
  upgrade(to: string): void {
    const pair = this.#pair(to);
    if (!this.#o.transport || pair.link || Date.now() < pair.retryAt) return;
    if (this.#host.identity.peerId < to) this.#startLink(to, pair, "offerer");
    else {
      pair.retryAt = Date.now() + (this.#o.retryMs ?? DEFAULT_DIRECT_RETRY_MS);
      this.#host.sendSignal(to, JSON.stringify({ t: "upgrade" }));
    }
  }

  /** Asks for a direct channel to every peer this one has sent to. */
  upgradeAll(): void {
    for (const remote of this.#pairs.keys()) this.upgrade(remote);
  }

  /**
   * Takes a sequenced relay frame's payload.
   *
   * @param from The sender.
   * @param payload The payload, starting with its stamp.
   * @param text Whether the message is text.
   */
  fromRelay(from: string, payload: Uint8Array, text: boolean): void {
    if (payload.length < STAMP_BYTES) return;
    this.#accept(from, readStamp(payload, 0), payload.slice(STAMP_BYTES), text, "relay");
  }

  /**
   * Takes a signaling message from the relay.
   *
   * @param from The sender.
   * @param data The signal's text.
   */
  fromSignal(from: string, data: string | Uint8Array): void {
    if (typeof data !== "string") return;
    let m: SignalMessage | { t: "ack"; epoch: number; upTo: number } | { t: "upgrade" };
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    const pair = this.#pair(from);
    if (m.t === "ack") {
      // An acknowledgement of an earlier life of this side says nothing of this one.
      if (m.epoch === pair.out.epoch && typeof m.upTo === "number") pair.out.acknowledge(m.upTo);
    } else if (!this.#o.transport) return;
    else if (m.t === "upgrade") {
      if (!pair.link && this.#host.identity.peerId < from) this.#startLink(from, pair, "offerer");
    } else if (m.t === "offer") {
      // A new offer replaces whatever half-open link there was.
      if (pair.link && !pair.link.open) this.#drop(from, pair);
      if (!pair.link) this.#startLink(from, pair, "answerer");
      pair.link?.handleSignal({ from, data });
    } else pair.link?.handleSignal({ from, data });
  }

  /** Closes every direct channel. */
  close(): void {
    for (const [remote, pair] of this.#pairs) {
      clearTimeout(pair.ackTimer);
      clearTimeout(pair.resendTimer);
      if (pair.link) this.#drop(remote, pair);
    }
  }

  /**
   * Closes the direct channel to a peer, as if it had failed (traffic falls back to the relay).
   *
   * @param remote The peer.
   */
  closeLink(remote: string): void {
    const pair = this.#pairs.get(remote);
    pair?.link?.close();
  }

  #startLink(remote: string, pair: Pair, role: "offerer" | "answerer"): void {
    const link = new DirectLink({
      peer: { sendSignal: (to: string, data: string) => this.#host.sendSignal(to, data) } as never,
      identity: this.#host.identity,
      remote,
      role,
      transport: this.#o.transport!({ iceServers: this.#o.iceServers }),
    });
    pair.link = link;
    link.addEventListener("message", (e) => this.#fromDirect(remote, (e as CustomEvent).detail));
    link.addEventListener("close", () => {
      if (pair.link === link) this.#drop(remote, pair);
    });
    link.connect().then(
      () => this.#host.changed(remote, true),
      () => {
        if (pair.link === link) this.#drop(remote, pair);
      },
    );
  }

  /** Forgets a link; what it carried and was not acknowledged goes again by relay. */
  #drop(remote: string, pair: Pair): void {
    const link = pair.link;
    const wasOpen = link?.open ?? false;
    pair.link = undefined;
    pair.retryAt = Date.now() + (this.#o.retryMs ?? DEFAULT_DIRECT_RETRY_MS);
    pair.sent = 0;
    link?.close();
    for (const m of pair.out.unacknowledged()) {
      this.#host.sendRelay(remote, stamped(stampOf(pair, m.seq), m.data.data), m.data.text);
    }
    if (wasOpen) this.#host.changed(remote, false);
  }

  #fromDirect(from: string, data: string | Uint8Array): void {
    if (typeof data === "string") return;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data[0] === 0x02 && data.length >= 9) {
      const out = this.#pair(from).out;
      if (view.getUint32(1) === out.epoch) out.acknowledge(view.getUint32(5));
    } else if (data[0] === 0x01 && data.length >= 2 + STAMP_BYTES) {
      const stamp = readStamp(data, 2);
      this.#accept(from, stamp, data.slice(2 + STAMP_BYTES), data[1] === 1, "direct");
    }
  }

  #accept(
    from: string,
    { epoch, seq, floor }: Stamp,
    data: Uint8Array,
    text: boolean,
    via: "direct" | "relay",
  ): void {
    const pair = this.#pair(from);
    if (pair.inEpoch !== epoch) {
      // A late message from an earlier life of the sender: that life is over.
      if (pair.retired.includes(epoch)) return;
      // The sender started over (or this side did): so does the receiving half.
      if (pair.inEpoch !== undefined) {
        pair.retired.push(pair.inEpoch);
        if (pair.retired.length > RETIRED_EPOCHS) pair.retired.shift();
      }
      pair.inEpoch = epoch;
      pair.inbox = new InboundPair();
      pair.lastAcked = 0;
    }
    if (seq <= pair.inbox.delivered) pair.reAck = true;
    for (const m of pair.inbox.accept(seq, { seq, data, text, via }, floor)) {
      this.#host.deliver({
        from,
        seq: m.seq,
        data: m.text ? decoder.decode(m.data) : m.data,
        via: m.via,
      });
    }
    this.#scheduleAck(from, pair);
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
    const upTo = pair.inbox.delivered;
    const epoch = pair.inEpoch;
    if (epoch === undefined) return;
    pair.lastAcked = upTo;
    pair.reAck = false;
    // Over the direct channel while it lives, so the relay carries nothing for this pair.
    if (pair.link?.open) {
      const ack = new Uint8Array(9);
      const view = new DataView(ack.buffer);
      ack[0] = 0x02;
      view.setUint32(1, epoch);
      view.setUint32(5, upTo);
      pair.link.send(ack);
    } else this.#host.sendSignal(from, JSON.stringify({ t: "ack", epoch, upTo }));
  }

  #pair(remote: string): Pair {
    let pair = this.#pairs.get(remote);
    if (!pair) {
      pair = {
        out: new OutboundPair(),
        inbox: new InboundPair(),
        sent: 0,
        retryAt: 0,
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

/** What travels with every sequenced message. */
interface Stamp {
  epoch: number;
  seq: number;
  floor: number;
}

// The floor is read when the message leaves (or leaves again): it only rises.
function stampOf(pair: Pair, seq: number): Stamp {
  return { epoch: pair.out.epoch, seq, floor: pair.out.acknowledged };
}

function writeStamp(out: Uint8Array, at: number, { epoch, seq, floor }: Stamp): void {
  const view = new DataView(out.buffer, out.byteOffset + at, STAMP_BYTES);
  view.setUint32(0, epoch);
  view.setUint32(4, seq);
  view.setUint32(8, floor);
}

function readStamp(bytes: Uint8Array, at: number): Stamp {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, STAMP_BYTES);
  return { epoch: view.getUint32(0), seq: view.getUint32(4), floor: view.getUint32(8) };
}

function stamped(stamp: Stamp, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(STAMP_BYTES + data.length);
  writeStamp(out, 0, stamp);
  out.set(data, STAMP_BYTES);
  return out;
}

function dataMessage(stamp: Stamp, data: Uint8Array, text: boolean): Uint8Array {
  const out = new Uint8Array(2 + STAMP_BYTES + data.length);
  out[0] = 0x01;
  out[1] = text ? 1 : 0;
  writeStamp(out, 2, stamp);
  out.set(data, 2 + STAMP_BYTES);
  return out;
}
