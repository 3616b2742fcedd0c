/**
 * `Peer`: a node of the network, with nothing but a URL and an identity. It connects with a
 * signed hello, sends and receives frames addressed by peer id, keeps the connection alive,
 * and reconnects with backoff and a fresh hello when the connection drops.
 *
 * @module
 */
import type { Identity } from "../identity/identity.ts";
import { isPeerId } from "../identity/peer_id.ts";
import {
  type BlockHeaderJson,
  CLOSE_CODES,
  connectUrl,
  decodeFrame,
  DEFAULT_LIMITS,
  DEFAULT_SEND_QUEUE_FRAMES,
  encodeFrame,
  type ErrorMessage,
  FRAME_DELIVER,
  FRAME_SEND,
  KEEPALIVE_INTERVAL_MS,
  KEEPALIVE_PING,
  KEEPALIVE_PONG,
  KEEPALIVE_TIMEOUT_MS,
  type Limits,
  parseServerMessage,
  payloadOf,
  type PeerInfo,
  ProtocolError,
  type Reply,
  signHello,
  type Welcome,
} from "../protocol/mod.ts";
import { PeerLedger } from "./ledger.ts";
import { type LookupResult, PeerServices } from "./services.ts";
import { DirectManager, type DirectOptions } from "./direct/manager.ts";
import { browserTransport } from "./direct/transport.ts";
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import { MessageStream } from "./message_stream.ts";

/** Default time allowed for one connection attempt to reach its welcome, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default number of received messages buffered for {@linkcode Peer.messages}. */
export const DEFAULT_RECEIVE_BUFFER = 4_096;

/** A message delivered to this peer. */
export interface PeerMessage {
  /** The sender's peer id. */
  from: string;
  /** The sender's sequence number: per frame on the relay, per pair once sequenced. */
  seq: number;
  /** The payload: a string if it was sent as text, else bytes. */
  data: string | Uint8Array;
  /** The path it came by. */
  via: "relay" | "direct";
}

/** What {@linkcode Peer.send} did with a frame. */
export type SendResult = "sent" | "queued" | "dropped";

/** Connection state of a {@linkcode Peer}. */
export type PeerState = "idle" | "connecting" | "open" | "closed";

/** Options of a {@linkcode Peer}. */
export interface PeerOptions {
  /** The network's URL: `ws(s)://host` or `http(s)://host`. */
  url: string;
  /** This peer's identity. */
  identity: Identity;
  /** The network id; fetched from `GET /v1/network` when absent. */
  network?: string;
  /** Reconnect after a drop; `false` to stay closed. @default {} (on, default backoff) */
  reconnect?: BackoffOptions | false;
  /** Time allowed for one attempt to reach its welcome, in ms. @default 10000 */
  connectTimeoutMs?: number;
  /** Frames kept while disconnected. @default DEFAULT_SEND_QUEUE_FRAMES */
  sendQueueFrames?: number;
  /** Messages buffered for `messages()`. @default 4096 */
  receiveBuffer?: number;
  /** Keepalive interval, in ms. @default KEEPALIVE_INTERVAL_MS */
  keepaliveIntervalMs?: number;
  /** Silence after which the connection counts as dead, in ms. @default KEEPALIVE_TIMEOUT_MS */
  keepaliveTimeoutMs?: number;
  /** The WebSocket class, for runtimes without a global one. @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
  /** The fetch function. @default globalThis.fetch */
  fetch?: typeof fetch;
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

/** Detail of the `reconnecting` event. */
export interface ReconnectingDetail {
  /** Attempt number, from 0. */
  attempt: number;
  /** Delay before the attempt, in ms. */
  delayMs: number;
  /** Close code of the connection that dropped. */
  code: number;
}

/** Detail of the `close` event. */
export interface CloseDetail {
  /** The close code. */
  code: number;
  /** The reason. */
  reason: string;
  /** Why the peer gave up, when it was not asked to close. */
  error?: ProtocolError;
}

/**
 * A peer of the network.
 *
 * Events: `open` (detail: {@linkcode Welcome}, after every (re)connect), `message`
 * (detail: {@linkcode PeerMessage}), `error` (detail: an error reply with its code),
 * `reconnecting` (detail: {@linkcode ReconnectingDetail}), `close` (detail:
 * {@linkcode CloseDetail}, once, when the peer stops for good), `block` (detail: a new
 * signed block header of a shard watched with `peer.ledger.watchBlocks()`), `signal`
 * (detail: `{from, data}`, direct-channel signaling sent with `sendSignal()`).
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
  readonly #WebSocket: typeof WebSocket;
  readonly #fetch: typeof fetch;
  #network: string | undefined;
  #state: PeerState = "idle";
  #ws: WebSocket | undefined;
  #welcome: Welcome | undefined;
  #seq = 0;
  #attempt = 0;
  readonly #queue: Uint8Array[] = [];
  readonly #streams = new Set<MessageStream<PeerMessage>>();
  #lastInbound = 0;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #ready: { resolve: (w: Welcome) => void; reject: (e: Error) => void; promise: Promise<Welcome> };
  #nextRequest = 1;
  readonly #requests = new Map<
    number,
    { resolve: (r: Reply) => void; reject: (e: Error) => void }
  >();
  #ledger: PeerLedger | undefined;
  readonly #direct: DirectManager;
  readonly #services: PeerServices;
  /** The highest block height heard of per shard. */
  readonly #blockHeights = new Map<number, number>();

  /** @param options URL, identity and connection behaviour. */
  constructor(options: PeerOptions) {
    super();
    this.#options = options;
    this.#network = options.network;
    const ws = options.WebSocket ?? globalThis.WebSocket;
    if (!ws) throw new TypeError("Cannot create peer: no WebSocket class; pass options.WebSocket");
    this.#WebSocket = ws;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#ready = deferred<Welcome>();
    // deno-lint-ignore no-this-alias
    const peer = this;
    this.#services = new PeerServices({
      request: (m, timeoutMs) => this.request(m, timeoutMs),
      sendControl: (m) => {
        if (!this.#ws || this.#state !== "open") return false;
        this.#ws.send(JSON.stringify(m));
        return true;
      },
      get connected() {
        return peer.#state === "open" && peer.#ws !== undefined;
      },
      dispatchEvent: (e) => this.dispatchEvent(e),
    });
    this.#direct = new DirectManager({
      identity: options.identity,
      sendRelay: (to, payload, text) => this.#sendFrame(to, payload, { sequenced: true, text }),
      sendSignal: (to, data) => void this.sendSignal(to, data),
      deliver: (m) => this.#deliver(m),
      changed: (remote, open) =>
        this.dispatchEvent(new CustomEvent("direct", { detail: { peer: remote, open } })),
    }, { ...options.direct, transport: this.#directTransport() });
  }

  // The best transport available: the one given, else the runtime's own WebRTC if direct
  // channels were asked for.
  #directTransport() {
    const direct = this.#options.direct;
    return direct?.transport ?? (direct ? browserTransport() : undefined);
  }

  /**
   * Asks for a direct channel to a peer now (needs `options.direct`).
   *
   * @param to The peer.
   */
  upgrade(to: string): void {
    this.#direct.upgrade(to);
  }

  /**
   * Whether traffic to a peer goes over a direct channel now.
   *
   * @param to The peer.
   * @returns Whether it does.
   */
  isDirect(to: string): boolean {
    return this.#direct.isDirect(to);
  }

  /**
   * Closes the direct channel to a peer, as a failure would: its traffic falls back to the
   * relay, nothing lost, and an upgrade is tried again later.
   *
   * @param to The peer.
   */
  dropDirect(to: string): void {
    this.#direct.closeLink(to);
  }

  /** This peer's id. */
  get peerId(): string {
    return this.#options.identity.peerId;
  }

  /** The connection state. */
  get state(): PeerState {
    return this.#state;
  }

  /** The welcome of the current connection, if open. */
  get welcome(): Welcome | undefined {
    return this.#state === "open" ? this.#welcome : undefined;
  }

  /** The limits in force: from the last welcome, else the defaults. */
  get limits(): Limits {
    return this.#welcome?.limits ?? DEFAULT_LIMITS;
  }

  /** The ledger, through this peer's connection and the network's HTTP API. */
  get ledger(): PeerLedger {
    this.#ledger ??= new PeerLedger(this, {
      url: httpUrl(this.#options.url),
      fetch: this.#fetch,
      identity: this.#options.identity,
    });
    return this.#ledger;
  }

  /** The network services: topics, presence, discovery, mailbox. */
  get services(): PeerServices {
    return this.#services;
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
  lookup(peer: string): Promise<LookupResult> {
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
   * Sends a control request over the open connection and resolves with its answer.
   *
   * @param message The request; an `id` is added.
   * @param timeoutMs How long to wait for the answer.
   * @returns The answer.
   * @throws {ProtocolError} If not connected, refused, or unanswered in time.
   */
  request(message: { t: string; [key: string]: unknown }, timeoutMs = 30_000): Promise<Reply> {
    const ws = this.#ws;
    if (this.#state !== "open" || !ws) {
      return Promise.reject(
        new ProtocolError("OVERLOADED", "Cannot send a request: not connected"),
      );
    }
    const id = this.#nextRequest++;
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#requests.delete(id);
        reject(new ProtocolError("INTERNAL", `No answer to request ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#requests.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      ws.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Frames waiting to be sent. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Connects, and resolves with the first welcome. Rejects if the network refuses this peer
   * (a bad hello: wrong network, clock far off), or if reconnecting is off and the attempt fails.
   *
   * @returns The welcome.
   */
  connect(): Promise<Welcome> {
    if (this.#state === "idle") {
      this.#state = "connecting";
      this.#open();
    } else if (this.#state === "closed") {
      return Promise.reject(new TypeError("Cannot connect: peer is closed"));
    }
    return this.#ready.promise;
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
    if (!this.#directTransport() && !this.#options.reliable) return this.#sendFrame(to, data, {});
    if (!isPeerId(to)) {
      throw new TypeError(`Cannot send: "${String(to).slice(0, 64)}" is not a peer id`);
    }
    const size = typeof data === "string" ? data.length * 3 : data.length;
    const max = this.limits.MAX_FRAME_BYTES - 64;
    if (size > max && (typeof data !== "string" || new TextEncoder().encode(data).length > max)) {
      throw new RangeError(`Cannot send to "${to}": payload is over ${max} bytes`);
    }
    if (this.#state === "closed") return "dropped";
    return this.#direct.send(to, data);
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

  #sendFrame(
    to: string,
    data: string | Uint8Array,
    flags: { signal?: boolean; sequenced?: boolean; text?: boolean; mailbox?: boolean },
  ): SendResult {
    if (!isPeerId(to)) {
      throw new TypeError(`Cannot send: "${String(to).slice(0, 64)}" is not a peer id`);
    }
    if (this.#state === "closed") return "dropped";
    const seq = this.#seq;
    const frame = encodeFrame(FRAME_SEND, to, seq, data, flags);
    const max = this.limits.MAX_FRAME_BYTES;
    if (frame.length > max) {
      throw new RangeError(
        `Cannot send to "${to}": frame is ${frame.length} bytes, limit is ${max}`,
      );
    }
    this.#seq = (seq + 1) >>> 0;
    if (this.#state === "open" && this.#queue.length === 0 && this.#ws) {
      this.#ws.send(frame);
      return "sent";
    }
    const cap = this.#options.sendQueueFrames ?? DEFAULT_SEND_QUEUE_FRAMES;
    if (this.#queue.length >= cap) return "dropped";
    this.#queue.push(frame);
    return "queued";
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
    if (this.#state === "closed") stream.end();
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
    if (this.#state === "closed") return;
    const ws = this.#ws;
    this.#finish({ code, reason });
    try {
      ws?.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  async #open(): Promise<void> {
    this.#clearTimers();
    let url: string;
    try {
      this.#network ??= await this.#fetchNetwork();
      url = connectUrl(this.#options.url, await signHello(this.#options.identity, this.#network));
    } catch (error) {
      return this.#failed(1006, error);
    }
    if (this.#state === "closed") return;
    const ws = new this.#WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    let opened = false;
    this.#connectTimer = setTimeout(() => {
      if (this.#ws === ws && this.#state !== "open") this.#drop(ws, 4000, "connect timeout");
    }, this.#options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
    ws.onopen = () => {
      opened = true;
      this.#lastInbound = Date.now();
    };
    ws.onmessage = (event) => {
      if (this.#ws === ws) this.#onMessage(event.data);
    };
    ws.onerror = () => {};
    ws.onclose = (event) => {
      if (this.#ws !== ws) return;
      if (opened) this.#lost(event.code, event.reason);
      else void this.#diagnose(url, event.code);
    };
  }

  async #fetchNetwork(): Promise<string> {
    const res = await this.#fetch(new URL("/v1/network", httpUrl(this.#options.url)));
    if (!res.ok) throw new Error(`GET /v1/network answered ${res.status}`);
    const body = await res.json() as { network?: unknown };
    if (typeof body.network !== "string") throw new Error("GET /v1/network has no network id");
    return body.network;
  }

  /**
   * The browser hides why an upgrade failed, so ask the same URL over plain HTTP: a hello the
   * network refuses (4xx with a code) is final; anything else is worth another attempt.
   */
  async #diagnose(url: string, code: number): Promise<void> {
    let refusal: ProtocolError | undefined;
    try {
      const res = await this.#fetch(httpUrl(url));
      if (res.status >= 400 && res.status < 500 && res.status !== 429) {
        const body = await res.json() as { error?: { code?: string; message?: string } };
        refusal = new ProtocolError(
          (body.error?.code ?? "INTERNAL") as ProtocolError["code"],
          body.error?.message ?? `Connect refused with HTTP ${res.status}`,
        );
      } else {
        await res.body?.cancel();
      }
    } catch {
      // Unreachable: try again later.
    }
    if (this.#state === "closed") return;
    if (refusal) {
      this.#finish({ code: 4401, reason: refusal.message, error: refusal });
      return;
    }
    this.#failed(code, new Error("Connection attempt failed"));
  }

  #onMessage(data: unknown): void {
    this.#lastInbound = Date.now();
    if (typeof data === "string") {
      if (data === KEEPALIVE_PONG) return;
      const message = parseServerMessage(data);
      if (message?.t === "welcome") this.#onWelcome(message);
      else if (message?.t === "error") {
        const pending = message.id === undefined ? undefined : this.#requests.get(message.id);
        if (pending) {
          this.#requests.delete(message.id!);
          pending.reject(new ProtocolError(message.code, message.message));
        } else {
          // Over quota on the relay: whoever can go direct should, now.
          if (message.code === "RESOURCE_LIMIT_EXCEEDED") this.#direct.upgradeAll();
          this.dispatchEvent(new CustomEvent<ErrorMessage>("error", { detail: message }));
        }
      } else if (message?.t === "block") {
        // A block can come twice (live and from the mailbox after a resume): heights only rise.
        const { shard, height } = message.header;
        if (height <= (this.#blockHeights.get(shard) ?? 0)) return;
        this.#blockHeights.set(shard, height);
        this.dispatchEvent(new CustomEvent<BlockHeaderJson>("block", { detail: message.header }));
      } else if (
        message?.t === "topic" || message?.t === "presence" || message?.t === "mail" ||
        message?.t === "mail.notice"
      ) {
        this.#services.receive(message);
      } else if (message) {
        const pending = this.#requests.get(message.id);
        this.#requests.delete(message.id);
        pending?.resolve(message);
      }
      return;
    }
    const decoded = decodeFrame(new Uint8Array(data as ArrayBuffer));
    if (!decoded.ok || decoded.frame.type !== FRAME_DELIVER) return;
    const frame = decoded.frame;
    if (frame.signal) {
      const detail = { from: frame.peer, data: payloadOf(frame) };
      this.#direct.fromSignal(detail.from, detail.data);
      this.dispatchEvent(
        new CustomEvent<{ from: string; data: string | Uint8Array }>("signal", { detail }),
      );
      return;
    }
    if (frame.sequenced) {
      this.#direct.fromRelay(frame.peer, frame.payload, frame.text);
      return;
    }
    this.#deliver({ from: frame.peer, seq: frame.seq, data: payloadOf(frame), via: "relay" });
  }

  #deliver(message: PeerMessage): void {
    for (const stream of this.#streams) stream.push(message);
    this.dispatchEvent(new CustomEvent<PeerMessage>("message", { detail: message }));
  }

  #onWelcome(welcome: Welcome): void {
    clearTimeout(this.#connectTimer);
    // A limit the network does not name keeps its default.
    this.#welcome = { ...welcome, limits: { ...DEFAULT_LIMITS, ...welcome.limits } };
    this.#state = "open";
    this.#attempt = 0;
    const ws = this.#ws!;
    // Queued frames leave before anything sent from now on, so order is kept.
    for (const frame of this.#queue.splice(0)) ws.send(frame);
    this.#services.resume();
    const interval = this.#options.keepaliveIntervalMs ?? KEEPALIVE_INTERVAL_MS;
    const timeout = this.#options.keepaliveTimeoutMs ?? KEEPALIVE_TIMEOUT_MS;
    this.#keepalive = setInterval(() => {
      if (Date.now() - this.#lastInbound > timeout) this.#drop(ws, 4000, "keepalive timeout");
      else ws.send(KEEPALIVE_PING);
    }, interval);
    this.#ready.resolve(this.#welcome);
    this.dispatchEvent(new CustomEvent<Welcome>("open", { detail: this.#welcome }));
  }

  /** Drops a connection the peer gave up on, and goes on as if the network had dropped it. */
  #drop(ws: WebSocket, code: number, reason: string): void {
    try {
      ws.close(code, reason);
    } catch {
      // Already closing.
    }
    this.#lost(code, reason);
  }

  #lost(code: number, reason: string): void {
    this.#ws = undefined;
    this.#failRequests(`Connection lost (${code})`);
    if (this.#state === "closed") return;
    if (code === CLOSE_CODES.SESSION_REPLACED) {
      this.#finish({ code, reason });
      return;
    }
    this.#failed(code, new Error(reason || `Connection closed with ${code}`));
  }

  #failed(code: number, error: unknown): void {
    this.#ws = undefined;
    this.#clearTimers();
    if (this.#state === "closed") return;
    const reconnect = this.#options.reconnect;
    if (reconnect === false) {
      this.#finish({
        code,
        reason: error instanceof Error ? error.message : String(error),
        error: new ProtocolError("INTERNAL", `Connection failed: ${String(error)}`),
      });
      return;
    }
    const attempt = this.#attempt++;
    const delayMs = backoffDelay(attempt, reconnect);
    this.#state = "connecting";
    this.dispatchEvent(
      new CustomEvent<ReconnectingDetail>("reconnecting", { detail: { attempt, delayMs, code } }),
    );
    this.#retry = setTimeout(() => void this.#open(), delayMs);
  }

  #failRequests(why: string): void {
    // The answer may never come; the caller finds out what happened by asking again.
    for (const { reject } of this.#requests.values()) {
      reject(new ProtocolError("SHARD_UNAVAILABLE", why));
    }
    this.#requests.clear();
  }

  #finish(detail: CloseDetail): void {
    this.#failRequests(`Peer closed: ${detail.reason}`);
    this.#direct.close();
    this.#services.close();
    this.#state = "closed";
    this.#ws = undefined;
    this.#clearTimers();
    this.#queue.length = 0;
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    this.#ready.reject(
      detail.error ?? new ProtocolError("INTERNAL", `Peer closed: ${detail.reason}`),
    );
    this.dispatchEvent(new CustomEvent<CloseDetail>("close", { detail }));
  }

  #clearTimers(): void {
    clearInterval(this.#keepalive);
    clearTimeout(this.#retry);
    clearTimeout(this.#connectTimer);
    this.#keepalive = this.#retry = this.#connectTimer = undefined;
  }
}

function httpUrl(url: string): string {
  const u = new URL(url);
  if (u.protocol === "ws:") u.protocol = "http:";
  else if (u.protocol === "wss:") u.protocol = "https:";
  return u.toString();
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A peer closed before anyone called connect() must not raise an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
