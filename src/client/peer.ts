/**
 * `Peer`: a node of the network, with nothing but a URL and an identity. It composes the
 * rooms beside it: a reconnecting {@linkcode Connection}, request/reply matching, the
 * exactly-once layer, the direct upgrade policy, the network services and the ledger. A send
 * goes straight down: `send` → exactly-once stamp (when reliable or direct) → the direct
 * channel if one is open, else a relay frame on the connection.
 *
 * @module
 */
import { isPeerId } from "../identity/peer_id.ts";
import {
  type BlockHeaderJson,
  CLOSE_CODES,
  type ControlReplies,
  type ControlType,
  decodeFrame,
  directAck,
  directData,
  encodeFrame,
  type ErrorMessage,
  FRAME_DELIVER,
  FRAME_SEND,
  type Limits,
  parseDirectMessage,
  parseSignal,
  payloadOf,
  type PeerInfo,
  type PeerPresence,
  readStamped,
  type ServerMessage,
  type Stamp,
  stamped,
  type Welcome,
} from "../protocol/mod.ts";
import {
  type CloseDetail,
  Connection,
  type ConnectionOptions,
  httpUrl,
  type PeerState,
  type ReconnectingDetail,
  type SendResult,
} from "./connection.ts";
import { browserTransport } from "./direct/transport.ts";
import { type DirectOptions, DirectUpgrades } from "./direct/upgrades.ts";
import { type Delivery, ExactlyOnce } from "./exactly_once.ts";
import { PeerLedger } from "./ledger.ts";
import { MessageStream } from "./message_stream.ts";
import { type RequestMessage, Requests } from "./requests.ts";
import { PeerServices } from "./services.ts";

export type { CloseDetail, PeerState, ReconnectingDetail, SendResult };

/** Default number of received messages buffered for {@linkcode Peer.messages}. */
export const DEFAULT_RECEIVE_BUFFER = 4_096;

/** A message delivered to this peer. */
export type PeerMessage = Delivery;

/** Options of a {@linkcode Peer}: its connection's, and these. */
export interface PeerOptions extends ConnectionOptions {
  /** Messages buffered for `messages()`. @default 4096 */
  receiveBuffer?: number;
  /**
   * Direct channels: with a transport, the peer moves a pair's traffic onto an authenticated
   * WebRTC data channel after `threshold` messages (or on `upgrade()`), and back to the relay
   * if it fails, every message delivered once and in order. @default relay only
   */
  direct?: DirectOptions;
  /**
   * Every message to a peer is stamped, acknowledged and sent again until acknowledged, so it
   * is delivered once and in order across reconnects, refusals (rate limit, peer offline for
   * a moment) and restarts of either side. Always so when a direct transport is in use; the
   * receiver needs nothing set. @default false
   */
  reliable?: boolean;
}

/**
 * A peer of the network.
 *
 * Events: `open` (detail: {@linkcode Welcome}, after every (re)connect), `message`
 * (detail: {@linkcode PeerMessage}), `error` (detail: an error reply with its code),
 * `reconnecting` (detail: {@linkcode ReconnectingDetail}), `close` (detail:
 * {@linkcode CloseDetail}, once, when the peer stops for good), `block` (detail: a new
 * signed block header of a shard watched with `peer.ledger.watchBlocks()`), `signal`
 * (detail: `{from, data}`, direct-channel signaling sent with `sendSignal()`), `direct`
 * (detail: `{peer, open}`), and the services' `topic`, `presence`, `mail`, `mail.notice`.
 *
 * @example Two peers
 * ```ts ignore
 * import { Identity, Peer } from "./mod.ts";
 * const alice = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
 * await alice.connect();
 * alice.send("6Mk…bob", "hello");
 * for await (const m of alice.messages()) console.log(m.from, m.data);
 * ```
 */
export class Peer extends EventTarget {
  readonly #options: PeerOptions;
  readonly #connection: Connection;
  readonly #requests: Requests;
  readonly #exactlyOnce: ExactlyOnce;
  readonly #upgrades: DirectUpgrades;
  readonly #services: PeerServices;
  readonly #streams = new Set<MessageStream<PeerMessage>>();
  readonly #direct: boolean;
  #ledger: PeerLedger | undefined;
  #seq = 0;
  /** The highest block height heard of per shard. */
  readonly #blockHeights = new Map<number, number>();

  /** @param options URL, identity and connection behaviour. */
  constructor(options: PeerOptions) {
    super();
    this.#options = options;
    this.#connection = new Connection(options, {
      welcome: (w) => {
        this.#services.resume();
        this.dispatchEvent(new CustomEvent<Welcome>("open", { detail: w }));
      },
      text: (m) => this.#onText(m),
      binary: (bytes) => this.#onFrame(bytes),
      lost: (why) => this.#requests.failAll(why),
      reconnecting: (detail) =>
        this.dispatchEvent(new CustomEvent<ReconnectingDetail>("reconnecting", { detail })),
      closed: (detail) => this.#closed(detail),
    });
    const sendText = (text: string) => this.#connection.sendText(text);
    this.#requests = new Requests(sendText);
    const peer = this.#connection;
    this.#services = new PeerServices({
      request: (m, timeoutMs) => this.#requests.request(m, timeoutMs),
      sendControl: (m) => sendText(JSON.stringify(m)),
      get connected() {
        return peer.state === "open";
      },
      dispatchEvent: (e) => this.dispatchEvent(e),
    });
    // The best transport available: the one given, else the runtime's own WebRTC if direct
    // channels were asked for.
    const transport = options.direct?.transport ??
      (options.direct ? browserTransport() : undefined);
    this.#direct = transport !== undefined;
    this.#exactlyOnce = new ExactlyOnce({
      transmit: (to, stamp, data, text) => this.#transmit(to, stamp, data, text),
      acknowledge: (from, epoch, upTo) => {
        // Over the direct channel while it lives, so the relay carries nothing for this pair.
        const link = this.#upgrades.open(from);
        if (link) link.send(directAck(epoch, upTo));
        else this.sendSignal(from, JSON.stringify({ t: "ack", epoch, upTo }));
      },
      deliver: (m) => this.#deliver(m),
    });
    this.#upgrades = new DirectUpgrades({
      identity: options.identity,
      sendSignal: (to, data) => void this.sendSignal(to, data),
      changed: (remote, open) =>
        this.dispatchEvent(new CustomEvent("direct", { detail: { peer: remote, open } })),
      lost: (remote) => this.#exactlyOnce.replay(remote),
      message: (from, data) => this.#onDirect(from, data),
    }, { ...options.direct, transport });
  }

  /** This peer's id. */
  get peerId(): string {
    return this.#options.identity.peerId;
  }

  /** The connection state. */
  get state(): PeerState {
    return this.#connection.state;
  }

  /** The welcome of the current connection, if open. */
  get welcome(): Welcome | undefined {
    return this.#connection.welcome;
  }

  /** The limits in force: from the last welcome, else the defaults. */
  get limits(): Limits {
    return this.#connection.limits;
  }

  /** Frames waiting to be sent. */
  get queued(): number {
    return this.#connection.queued;
  }

  /** The ledger, through this peer's connection and the network's HTTP API. */
  get ledger(): PeerLedger {
    this.#ledger ??= new PeerLedger({
      url: httpUrl(this.#options.url),
      fetch: this.#connection.fetch,
      identity: this.#options.identity,
      request: (m) => this.#requests.request(m),
      isOpen: () => this.state === "open",
      onOpen: (listener) => this.addEventListener("open", listener),
    });
    return this.#ledger;
  }

  /** The network services: topics, presence, discovery, mailbox. */
  get services(): PeerServices {
    return this.#services;
  }

  /**
   * Connects, and resolves with the first welcome. Rejects if the network refuses this peer
   * (a bad hello: wrong network, clock far off), or if reconnecting is off and the attempt fails.
   *
   * @returns The welcome.
   */
  connect(): Promise<Welcome> {
    return this.#connection.connect();
  }

  /**
   * Sends a control request over the open connection and resolves with its answer.
   *
   * @param message The request; an `id` is added.
   * @param timeoutMs How long to wait for the answer.
   * @returns The answer, typed by the request's `t`.
   * @throws {ProtocolError} If not connected, refused, or unanswered in time.
   */
  request<T extends ControlType>(
    message: RequestMessage<T>,
    timeoutMs?: number,
  ): Promise<ControlReplies[T]> {
    return this.#requests.request(message, timeoutMs);
  }

  /**
   * Sends a payload to a peer. While connected the frame goes out at once; while connecting
   * or reconnecting it waits in a bounded queue and leaves, in order, on the next welcome.
   *
   * With `mailbox: true` the frame goes through the relay (never a direct channel), and if
   * the destination is offline its home keeps it in its mailbox: the destination gets it as a
   * `mail` event when it connects, and this peer a `mail.notice` (`delivered` or `expired`).
   * Without it, an offline destination is a `PEER_NOT_FOUND` refusal.
   *
   * @param to The destination peer id.
   * @param data Bytes, or a string sent as UTF-8 text.
   * @param options `mailbox: true` to leave it in the mailbox of an offline destination.
   * @returns `"sent"`, `"queued"`, or `"dropped"` (queue full, or the peer is closed).
   * @throws {TypeError} If `to` is not a peer id.
   * @throws {RangeError} If the frame is larger than `MAX_FRAME_BYTES`.
   */
  send(to: string, data: string | Uint8Array, options: { mailbox?: boolean } = {}): SendResult {
    if (options.mailbox) return this.#sendFrame(to, data, { mailbox: true });
    if (!this.#direct && !this.#options.reliable) return this.#sendFrame(to, data, {});
    assertPeerId(to);
    const size = typeof data === "string" ? data.length * 3 : data.length;
    const max = this.limits.MAX_FRAME_BYTES - 64;
    if (size > max && (typeof data !== "string" || new TextEncoder().encode(data).length > max)) {
      throw new RangeError(`Cannot send to "${to}": payload is over ${max} bytes`);
    }
    if (this.state === "closed") return "dropped";
    const result = this.#exactlyOnce.send(to, data);
    if (result !== "dropped") this.#upgrades.counted(to);
    return result;
  }

  /**
   * Sends direct-channel signaling to a peer through the relay (a frame with the signal
   * flag): it reaches the other peer's `signal` event, never its application messages.
   *
   * @param to The destination peer id.
   * @param data The signaling message, as text.
   * @returns As {@linkcode Peer.send}.
   */
  sendSignal(to: string, data: string): SendResult {
    return this.#sendFrame(to, data, { signal: true });
  }

  /**
   * Asks for a direct channel to a peer now (needs `options.direct`).
   *
   * @param to The peer.
   */
  upgrade(to: string): void {
    this.#upgrades.upgrade(to);
  }

  /**
   * Whether traffic to a peer goes over a direct channel now.
   *
   * @param to The peer.
   * @returns Whether it does.
   */
  isDirect(to: string): boolean {
    return this.#upgrades.open(to) !== undefined;
  }

  /**
   * Closes the direct channel to a peer, as a failure would: its traffic falls back to the
   * relay, nothing lost, and an upgrade is tried again later.
   *
   * @param to The peer.
   */
  dropDirect(to: string): void {
    this.#upgrades.closeLink(to);
  }

  /**
   * Subscribes to a topic; `topic` events carry its messages (`$presence`: `presence`
   * events). Kept across reconnects.
   *
   * @param topic The topic.
   */
  subscribe(topic: string): Promise<void> {
    return this.#services.subscribe(topic);
  }

  /**
   * Ends a subscription.
   *
   * @param topic The topic.
   */
  unsubscribe(topic: string): Promise<void> {
    return this.#services.unsubscribe(topic);
  }

  /**
   * Publishes on a topic; resolves once the topic's home took it.
   *
   * @param topic The topic.
   * @param data Text, or bytes.
   * @returns The publisher's number given to it.
   */
  publish(topic: string, data: string | Uint8Array): Promise<number> {
    return this.#services.publish(topic, data);
  }

  /**
   * Up to `count` online peers at random (optionally subscribers of a topic).
   *
   * @param options `count`, `topic`.
   * @returns The peers and their home shards.
   */
  findPeers(options: { count?: number; topic?: string } = {}): Promise<PeerInfo[]> {
    return this.#services.findPeers(options);
  }

  /**
   * Whether a peer is online, and its home shard.
   *
   * @param peer The peer id.
   * @returns Its presence.
   */
  lookup(peer: string): Promise<PeerPresence> {
    return this.#services.lookup(peer);
  }

  /**
   * Leaves a message in a peer's mailbox (handed over now if it is online).
   *
   * @param to The recipient.
   * @param data Text, or bytes.
   * @param options `notify`: a `mail.notice` event tells of delivery.
   * @returns The message's id and status.
   */
  sendMail(
    to: string,
    data: string | Uint8Array,
    options: { notify?: boolean } = {},
  ): Promise<{ mid: string; status: "delivered" | "stored" }> {
    return this.#services.sendMail(to, data, options);
  }

  /**
   * Messages delivered to this peer, from now on, as an async iterator. Each call makes an
   * independent reader; it ends when the peer closes.
   *
   * @returns The reader.
   */
  messages(): AsyncIterableIterator<PeerMessage> {
    const stream = new MessageStream<PeerMessage>(
      this.#options.receiveBuffer ?? DEFAULT_RECEIVE_BUFFER,
    );
    if (this.state === "closed") stream.end();
    else this.#streams.add(stream);
    return stream;
  }

  /** Same as {@linkcode Peer.messages}. */
  [Symbol.asyncIterator](): AsyncIterableIterator<PeerMessage> {
    return this.messages();
  }

  /**
   * Closes the connection for good. Frames still queued are dropped.
   *
   * @param code The close code. @default 1000
   * @param reason The reason.
   */
  close(code: number = CLOSE_CODES.NORMAL, reason = "closed by peer"): void {
    this.#connection.close(code, reason);
  }

  // A stamped message goes on the pair's direct channel while one is open, else by relay.
  #transmit(to: string, stamp: Stamp, data: Uint8Array, text: boolean): SendResult {
    const link = this.#upgrades.open(to);
    if (link) {
      link.send(directData(stamp, data, text));
      return "sent";
    }
    return this.#sendFrame(to, stamped(stamp, data), { sequenced: true, text });
  }

  #sendFrame(
    to: string,
    data: string | Uint8Array,
    flags: { signal?: boolean; sequenced?: boolean; text?: boolean; mailbox?: boolean },
  ): SendResult {
    assertPeerId(to);
    if (this.state === "closed") return "dropped";
    const frame = encodeFrame(FRAME_SEND, to, this.#seq, data, flags);
    const max = this.limits.MAX_FRAME_BYTES;
    if (frame.length > max) {
      throw new RangeError(
        `Cannot send to "${to}": frame is ${frame.length} bytes, limit is ${max}`,
      );
    }
    this.#seq = (this.#seq + 1) >>> 0;
    return this.#connection.sendFrame(frame);
  }

  #onText(message: ServerMessage): void {
    switch (message.t) {
      case "error":
        if (this.#requests.refuse(message)) return;
        // Over quota on the relay: whoever can go direct should, now.
        if (message.code === "RESOURCE_LIMIT_EXCEEDED") {
          this.#upgrades.upgradeAll(this.#exactlyOnce.peers());
        }
        this.dispatchEvent(new CustomEvent<ErrorMessage>("error", { detail: message }));
        return;
      case "block": {
        // A block can come twice (live and from the mailbox after a resume): heights only rise.
        const { shard, height } = message.header;
        if (height <= (this.#blockHeights.get(shard) ?? 0)) return;
        this.#blockHeights.set(shard, height);
        this.dispatchEvent(new CustomEvent<BlockHeaderJson>("block", { detail: message.header }));
        return;
      }
      case "topic":
      case "presence":
      case "mail":
      case "mail.notice":
        return this.#services.receive(message);
      case "welcome":
        return;
      default:
        this.#requests.answer(message);
    }
  }

  #onFrame(bytes: Uint8Array): void {
    const decoded = decodeFrame(bytes);
    if (!decoded.ok || decoded.frame.type !== FRAME_DELIVER) return;
    const frame = decoded.frame;
    if (frame.signal) {
      const detail = { from: frame.peer, data: payloadOf(frame) };
      const signal = parseSignal(detail.data);
      if (signal?.t === "ack") {
        this.#exactlyOnce.acknowledged(frame.peer, signal.epoch, signal.upTo);
      } else if (signal) this.#upgrades.signal(frame.peer, signal, detail.data as string);
      this.dispatchEvent(
        new CustomEvent<{ from: string; data: string | Uint8Array }>("signal", { detail }),
      );
      return;
    }
    if (frame.sequenced) {
      const m = readStamped(frame.payload);
      if (m) this.#exactlyOnce.receive(frame.peer, m.stamp, m.data, frame.text, "relay");
      return;
    }
    this.#deliver({ from: frame.peer, seq: frame.seq, data: payloadOf(frame), via: "relay" });
  }

  #onDirect(from: string, data: string | Uint8Array): void {
    if (typeof data === "string") return;
    const m = parseDirectMessage(data);
    if (m?.t === "ack") this.#exactlyOnce.acknowledged(from, m.epoch, m.upTo);
    else if (m) this.#exactlyOnce.receive(from, m.stamp, m.data, m.text, "direct");
  }

  #deliver(message: PeerMessage): void {
    for (const stream of this.#streams) stream.push(message);
    this.dispatchEvent(new CustomEvent<PeerMessage>("message", { detail: message }));
  }

  #closed(detail: CloseDetail): void {
    this.#requests.failAll(`Peer closed: ${detail.reason}`);
    this.#upgrades.close();
    this.#exactlyOnce.close();
    this.#services.close();
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    this.dispatchEvent(new CustomEvent<CloseDetail>("close", { detail }));
  }
}

function assertPeerId(to: string): void {
  if (!isPeerId(to)) {
    throw new TypeError(`Cannot send: "${String(to).slice(0, 64)}" is not a peer id`);
  }
}
