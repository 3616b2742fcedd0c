/**
 * A peer's connection to the network: one WebSocket at a time to the peer's home, opened with
 * a fresh signed hello, kept alive, given up on when silent, and opened again with backoff
 * after a drop. Frames sent while it is down wait in a bounded queue and leave, in order, on
 * the next welcome. It knows nothing of what the frames mean.
 *
 * @module
 */
import { CLOSE_CODES, ProtocolError } from "../protocol/errors.ts";
import { connectUrl, signHello } from "../protocol/hello.ts";
import { DEFAULT_LIMITS, type Limits } from "../protocol/limits.ts";
import { FRAME_BATCH, packBatches, readBatch } from "../protocol/batch_frame.ts";
import {
  KEEPALIVE_PING,
  KEEPALIVE_PONG,
  parseServerMessage,
  type Welcome,
} from "../protocol/messages.ts";
import { backoffDelay } from "./backoff.ts";
import { deferred } from "./_util.ts";
import { checkNetworkUrl } from "./network_url.ts";
import type {
  CloseDetail,
  ConnectionEvents,
  ConnectionOptions,
  PeerState,
  SendResult,
} from "./connection_options.ts";
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_FIRST_CONNECT_TIMEOUT_MS } from "./constants.ts";
import { diagnoseUpgrade, fetchNetworkId } from "./dial.ts";

export * from "./connection_options.ts";

/**
 * A reconnecting connection.
 *
 * @example Usage
 * ```ts
 * import { Connection, type ConnectionEvents } from "./connection.ts";
 * import type { Identity } from "../identity/identity.ts";
 * // The peer owns one; frames sent while it is down wait for the next welcome.
 * export async function open(identity: Identity, events: ConnectionEvents, frame: Uint8Array) {
 *   const connection = new Connection({ url: "ws://127.0.0.1:8787", identity }, events);
 *   await connection.connect();
 *   connection.sendFrame(frame);
 * }
 * ```
 */
export class Connection {
  readonly #o: ConnectionOptions;
  readonly #events: ConnectionEvents;
  readonly #WebSocket: typeof WebSocket;
  readonly #fetch: typeof fetch;
  #network: string | undefined;
  #state: PeerState = "idle";
  #ws: WebSocket | undefined;
  #welcome: Welcome | undefined;
  #attempt = 0;
  readonly #queue: Uint8Array[] = [];
  /** Frames sent in this turn of the event loop, leaving together at its end. */
  #turn: Uint8Array[] = [];
  #lastInbound = 0;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #firstDeadline: ReturnType<typeof setTimeout> | undefined;
  /** Why the last attempt failed, for the message of a first connection that never came. */
  #lastFailure = "";
  readonly #ready = deferred<Welcome>();

  /**
   * @param options URL, identity and behaviour.
   * @param events What to tell the owner.
   * @throws {TypeError} If the URL is not a `ws(s)`/`http(s)` URL, or the runtime has no
   *   WebSocket and none is given.
   */
  constructor(options: ConnectionOptions, events: ConnectionEvents) {
    checkNetworkUrl(options.url);
    this.#o = options;
    this.#events = events;
    this.#network = options.network;
    const ws = options.WebSocket ?? globalThis.WebSocket;
    if (!ws) throw new TypeError("Cannot create peer: no WebSocket class; pass options.WebSocket");
    this.#WebSocket = ws;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
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

  /** Frames waiting to be sent. */
  get queued(): number {
    return this.#queue.length;
  }

  /** The fetch function in use. */
  get fetch(): typeof fetch {
    return this.#fetch;
  }

  /**
   * Connects, and resolves with the first welcome.
   *
   * @returns The welcome.
   */
  connect(): Promise<Welcome> {
    if (this.#state === "idle") {
      this.#state = "connecting";
      const limit = this.#o.firstConnectTimeoutMs ?? DEFAULT_FIRST_CONNECT_TIMEOUT_MS;
      if (Number.isFinite(limit)) {
        this.#firstDeadline = setTimeout(() => this.#unreachable(limit), limit);
      }
      this.#open();
    } else if (this.#state === "closed") {
      return Promise.reject(new TypeError("Cannot connect: peer is closed"));
    }
    return this.#ready.promise;
  }

  /**
   * Sends a binary frame now, or queues it until the next welcome.
   *
   * @param frame The frame.
   * @returns `"sent"`, `"queued"`, or `"dropped"` (queue full, or closed).
   */
  sendFrame(frame: Uint8Array): SendResult {
    if (this.#state === "closed") return "dropped";
    if (this.#state === "open" && this.#queue.length === 0 && this.#ws) {
      if (!this.#welcome?.batch) this.#ws.send(frame);
      // The first frame of a turn schedules the send: a microtask, so a lone frame does not
      // wait for a timer, and every frame sent in the same turn goes along.
      else if (this.#turn.push(frame) === 1) queueMicrotask(() => this.#flushTurn());
      return "sent";
    }
    const cap = this.#o.sendQueueFrames ?? DEFAULT_LIMITS.DEFAULT_SEND_QUEUE_FRAMES;
    if (this.#queue.length >= cap) return "dropped";
    this.#queue.push(frame);
    return "queued";
  }

  /**
   * Sends a text frame on the open connection (control messages are not queued).
   *
   * @param text The text.
   * @returns Whether it went out.
   */
  sendText(text: string): boolean {
    if (this.#state !== "open" || !this.#ws) return false;
    // What was sent before this text leaves before it.
    this.#flushTurn();
    this.#ws.send(text);
    return true;
  }

  /**
   * Closes the connection for good; queued frames are dropped.
   *
   * @param code The close code.
   * @param reason The reason.
   */
  close(code: number, reason: string): void {
    if (this.#state === "closed") return;
    const ws = this.#ws;
    this.#flushTurn(); // sent before the close, so it goes before it
    this.#finish({ code, reason });
    try {
      ws?.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  #flushTurn(): void {
    if (this.#turn.length === 0) return;
    const frames = this.#turn;
    this.#turn = [];
    // The connection dropped in this turn: the frames lead the queue for the next welcome.
    if (this.#state !== "open" || !this.#ws) this.#queue.unshift(...frames);
    else this.#sendAll(this.#ws, frames);
  }

  #sendAll(ws: WebSocket, frames: Uint8Array[]): void {
    if (!this.#welcome?.batch) {
      for (const frame of frames) ws.send(frame);
      return;
    }
    const { MAX_BATCH_FRAMES, MAX_BATCH_BYTES } = this.limits;
    for (const message of packBatches(frames, MAX_BATCH_FRAMES, MAX_BATCH_BYTES)) ws.send(message);
  }

  async #open(): Promise<void> {
    this.#clearTimers();
    let url: string;
    try {
      this.#network ??= await fetchNetworkId(this.#fetch, this.#o.url);
      const hello = await signHello(this.#o.identity, this.#network, this.#o.url);
      url = connectUrl(this.#o.url, hello, {
        batch: this.#o.batch !== false,
        ...(this.#o.invitation ? { invitation: this.#o.invitation } : {}),
      });
    } catch (error) {
      return this.#failed(CLOSE_CODES.ABNORMAL, error);
    }
    if (this.#state === "closed") return;
    const ws = new this.#WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    let opened = false;
    this.#connectTimer = setTimeout(() => {
      if (this.#ws === ws && this.#state !== "open") {
        this.#drop(ws, CLOSE_CODES.GAVE_UP, "connect timeout");
      }
    }, this.#o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
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

  /** The first connection did not come in time: stop, and say where it tried. */
  #unreachable(limit: number): void {
    if (this.#state === "open" || this.#state === "closed") return;
    const why = this.#lastFailure ? ` (last: ${this.#lastFailure})` : "";
    const message = `Cannot reach ${this.#o.url} within ${limit} ms${why}`;
    const ws = this.#ws;
    this.#finish({
      code: CLOSE_CODES.GAVE_UP,
      reason: message,
      error: new ProtocolError("UNREACHABLE", message),
    });
    try {
      ws?.close();
    } catch {
      // Never opened.
    }
  }

  async #diagnose(url: string, code: number): Promise<void> {
    const { refusal, why, retryAfter } = await diagnoseUpgrade(this.#fetch, url);
    if (this.#state === "closed") return;
    if (refusal) {
      this.#finish({ code: CLOSE_CODES.HELLO_REFUSED, reason: refusal.message, error: refusal });
      return;
    }
    this.#failed(code, new Error(why), retryAfter);
  }

  #onMessage(data: unknown): void {
    this.#lastInbound = Date.now();
    if (typeof data !== "string") {
      const bytes = new Uint8Array(data as ArrayBuffer);
      // A network that sends a broken batch is not this peer's to fix: what parsed is kept.
      if (bytes[0] === FRAME_BATCH) {
        for (const f of readBatch(bytes).frames) this.#events.binary(f);
      } else this.#events.binary(bytes);
      return;
    }
    if (data === KEEPALIVE_PONG) return;
    const message = parseServerMessage(data);
    if (message?.t === "welcome") this.#onWelcome(message);
    else if (message) this.#events.text(message);
  }

  #onWelcome(welcome: Welcome): void {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#firstDeadline);
    // A limit the network does not name keeps its default.
    this.#welcome = { ...welcome, limits: { ...DEFAULT_LIMITS, ...welcome.limits } };
    this.#state = "open";
    this.#attempt = 0;
    const ws = this.#ws!;
    // Queued frames leave before anything sent from now on, so order is kept.
    this.#sendAll(ws, this.#queue.splice(0));
    const interval = this.#o.keepaliveIntervalMs ?? DEFAULT_LIMITS.KEEPALIVE_INTERVAL_MS;
    const timeout = this.#o.keepaliveTimeoutMs ?? DEFAULT_LIMITS.KEEPALIVE_TIMEOUT_MS;
    this.#keepalive = setInterval(() => {
      if (Date.now() - this.#lastInbound > timeout) {
        this.#drop(ws, CLOSE_CODES.GAVE_UP, "keepalive timeout");
      } else ws.send(KEEPALIVE_PING);
    }, interval);
    this.#ready.resolve(this.#welcome);
    this.#events.welcome(this.#welcome);
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
    this.#events.lost(`Connection lost (${code})`, code);
    if (this.#state === "closed") return;
    if (code === CLOSE_CODES.SESSION_REPLACED) {
      this.#finish({ code, reason });
      return;
    }
    this.#failed(code, new Error(reason || `Connection closed with ${code}`));
  }

  #failed(code: number, error: unknown, retryAfter = 0): void {
    this.#lastFailure = error instanceof Error ? error.message : String(error);
    this.#ws = undefined;
    this.#clearTimers();
    if (this.#state === "closed") return;
    const reconnect = this.#o.reconnect;
    if (reconnect === false) {
      this.#finish({
        code,
        reason: error instanceof Error ? error.message : String(error),
        error: new ProtocolError("INTERNAL", `Connection failed: ${String(error)}`),
      });
      return;
    }
    const attempt = this.#attempt++;
    // A home that moved is no failure: the peer goes to its new home at once.
    const moved = code === CLOSE_CODES.HOME_MOVED && attempt === 0;
    const delayMs = moved ? 0 : Math.max(backoffDelay(attempt, reconnect), retryAfter);
    this.#state = "connecting";
    this.#events.reconnecting({ attempt, delayMs, code });
    this.#retry = setTimeout(() => void this.#open(), delayMs);
  }

  #finish(detail: CloseDetail): void {
    this.#state = "closed";
    this.#ws = undefined;
    this.#clearTimers();
    this.#queue.length = 0;
    this.#turn = [];
    this.#ready.reject(
      detail.error ?? new ProtocolError("INTERNAL", `Peer closed: ${detail.reason}`),
    );
    this.#events.closed(detail);
  }

  #clearTimers(): void {
    clearInterval(this.#keepalive);
    clearTimeout(this.#retry);
    clearTimeout(this.#connectTimer);
    this.#keepalive = this.#retry = this.#connectTimer = undefined;
    if (this.#state === "closed") clearTimeout(this.#firstDeadline);
  }
}
