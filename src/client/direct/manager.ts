/**
 * Direct upgrades for a {@linkcode Peer}: counts traffic per remote peer, opens an
 * authenticated direct channel once a pair has exchanged enough (or on request), sends on it
 * while it lives, and falls back to the relay when it dies, replaying what the other side has
 * not acknowledged. Every message is stamped with a per-pair sequence number, on either path,
 * so the receiver delivers each once and in order.
 *
 * Direct-channel messages are binary: `0x01`, sequence (uint32), text flag (1 byte), payload;
 * or `0x02`, the highest sequence delivered (uint32), an acknowledgement.
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
      pair.link.send(dataMessage(seq, bytes, text));
      return "sent";
    }
    return this.#host.sendRelay(to, withSeq(seq, bytes), text);
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
    if (pair.link?.open) pair.link.send(dataMessage(seq, data, text));
    else this.#host.sendRelay(to, withSeq(seq, data), text);
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
   * @param payload The payload, starting with its sequence number.
   * @param text Whether the message is text.
   */
  fromRelay(from: string, payload: Uint8Array, text: boolean): void {
    if (payload.length < 4) return;
    const seq = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
    this.#accept(from, seq, payload.slice(4), text, "relay");
  }

  /**
   * Takes a signaling message from the relay.
   *
   * @param from The sender.
   * @param data The signal's text.
   */
  fromSignal(from: string, data: string | Uint8Array): void {
    if (typeof data !== "string") return;
    let m: SignalMessage | { t: "ack"; upTo: number } | { t: "upgrade" };
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    const pair = this.#pair(from);
    if (m.t === "ack" && typeof m.upTo === "number") pair.out.acknowledge(m.upTo);
    else if (!this.#o.transport) return;
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
      this.#host.sendRelay(remote, withSeq(m.seq, m.data.data), m.data.text);
    }
    if (wasOpen) this.#host.changed(remote, false);
  }

  #fromDirect(from: string, data: string | Uint8Array): void {
    if (typeof data === "string" || data.length < 5) return;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    if (data[0] === 0x02) {
      this.#pair(from).out.acknowledge(view.getUint32(1));
    } else if (data[0] === 0x01 && data.length >= 6) {
      this.#accept(from, view.getUint32(1), data.slice(6), data[5] === 1, "direct");
    }
  }

  #accept(
    from: string,
    seq: number,
    data: Uint8Array,
    text: boolean,
    via: "direct" | "relay",
  ): void {
    const pair = this.#pair(from);
    if (seq <= pair.inbox.delivered) pair.reAck = true;
    for (const m of pair.inbox.accept(seq, { seq, data, text, via })) {
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
    pair.lastAcked = upTo;
    pair.reAck = false;
    // Over the direct channel while it lives, so the relay carries nothing for this pair.
    if (pair.link?.open) {
      const ack = new Uint8Array(5);
      ack[0] = 0x02;
      new DataView(ack.buffer).setUint32(1, upTo);
      pair.link.send(ack);
    } else this.#host.sendSignal(from, JSON.stringify({ t: "ack", upTo }));
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
      };
      this.#pairs.set(remote, pair);
    }
    return pair;
  }
}

function withSeq(seq: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + data.length);
  new DataView(out.buffer).setUint32(0, seq);
  out.set(data, 4);
  return out;
}

function dataMessage(seq: number, data: Uint8Array, text: boolean): Uint8Array {
  const out = new Uint8Array(6 + data.length);
  out[0] = 0x01;
  new DataView(out.buffer).setUint32(1, seq);
  out[5] = text ? 1 : 0;
  out.set(data, 6);
  return out;
}
