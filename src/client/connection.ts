/**
 * A peer's connection to the network: one WebSocket at a time to the peer's home, opened with
 * a fresh signed hello, kept alive, given up on when silent, and opened again with backoff
 * after a drop. Frames sent while it is down wait in a bounded queue and leave, in order, on
 * the next welcome. It knows nothing of what the frames mean.
 *
 * @module
 */
import type { Identity } from "../identity/identity.ts";
import {
  CLOSE_CODES,
  connectUrl,
  DEFAULT_LIMITS,
  type ErrorCode,
  KEEPALIVE_PING,
  KEEPALIVE_PONG,
  type Limits,
  parseServerMessage,
  ProtocolError,
  type ServerMessage,
  signHello,
  type Welcome,
} from "../protocol/mod.ts";
import { backoffDelay, type BackoffOptions } from "./backoff.ts";
import { deferred, httpUrl } from "./_util.ts";

/** Refusals of a hello that a fresh attempt would meet again: the peer stops on them. */
const FINAL_HELLO_CODES: ReadonlySet<string> = new Set([
  "HELLO_MALFORMED",
  "HELLO_BAD_SIGNATURE",
  "HELLO_WRONG_NETWORK",
  "HELLO_STALE",
]);

/** Default time allowed for one connection attempt to reach its welcome, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** What became of a frame handed to the connection. */
export type SendResult = "sent" | "queued" | "dropped";

/** Connection state. */
export type PeerState = "idle" | "connecting" | "open" | "closed";

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

/** How a connection behaves. */
export interface ConnectionOptions {
  /** The network's URL: `ws(s)://host` or `http(s)://host`. */
  url: string;
  /** The identity the hello is signed with. */
  identity: Identity;
  /** The network id; fetched from `GET /v1/network` when absent. */
  network?: string;
  /** Reconnect after a drop; `false` to stay closed. @default {} (on, default backoff) */
  reconnect?: BackoffOptions | false;
  /** Time allowed for one attempt to reach its welcome, in ms. @default 10000 */
  connectTimeoutMs?: number;
  /** Frames kept while disconnected. @default DEFAULT_LIMITS.DEFAULT_SEND_QUEUE_FRAMES */
  sendQueueFrames?: number;
  /** Keepalive interval, in ms. @default DEFAULT_LIMITS.KEEPALIVE_INTERVAL_MS */
  keepaliveIntervalMs?: number;
  /** Silence after which the connection counts as dead, in ms. @default DEFAULT_LIMITS.KEEPALIVE_TIMEOUT_MS */
  keepaliveTimeoutMs?: number;
  /** The WebSocket class, for runtimes without a global one. @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
  /** The fetch function. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** What the connection tells its owner. */
export interface ConnectionEvents {
  /** A connection was welcomed (after every (re)connect); queued frames have left. */
  welcome(welcome: Welcome): void;
  /** A text message from the network, parsed (the welcome and `pong` aside). */
  text(message: ServerMessage): void;
  /** A binary frame from the network. */
  binary(bytes: Uint8Array): void;
  /** A connection dropped (answers in flight will not come). */
  lost(why: string): void;
  /** A reconnect is scheduled. */
  reconnecting(detail: ReconnectingDetail): void;
  /** The connection stopped for good. */
  closed(detail: CloseDetail): void;
}

/**
 * A reconnecting connection.
 *
 * @example Usage
 * ```ts ignore
 * const connection = new Connection({ url, identity }, events);
 * await connection.connect();
 * connection.sendFrame(frame);
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
  #lastInbound = 0;
  #keepalive: ReturnType<typeof setInterval> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #ready = deferred<Welcome>();

  /**
   * @param options URL, identity and behaviour.
   * @param events What to tell the owner.
   * @throws {TypeError} If the runtime has no WebSocket and none is given.
   */
  constructor(options: ConnectionOptions, events: ConnectionEvents) {
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
      this.#ws.send(frame);
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
      url = connectUrl(this.#o.url, await signHello(this.#o.identity, this.#network));
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

  async #fetchNetwork(): Promise<string> {
    const res = await this.#fetch(new URL("/v1/network", httpUrl(this.#o.url)));
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
      const body = await res.json().catch(() => ({})) as { code?: string; message?: string };
      // Only a hello that no fresh attempt would fix is final. A used nonce was this attempt's,
      // claimed by a home that then dropped the socket; 426 says the hello is fine and the
      // upgrade failed on the way (a restart); 429 asks for a wait.
      if (FINAL_HELLO_CODES.has(body.code ?? "")) {
        refusal = new ProtocolError(
          body.code as ErrorCode,
          body.message ?? `Connect refused with HTTP ${res.status}`,
        );
      }
    } catch {
      // Unreachable: try again later.
    }
    if (this.#state === "closed") return;
    if (refusal) {
      this.#finish({ code: CLOSE_CODES.HELLO_REFUSED, reason: refusal.message, error: refusal });
      return;
    }
    this.#failed(code, new Error("Connection attempt failed"));
  }

  #onMessage(data: unknown): void {
    this.#lastInbound = Date.now();
    if (typeof data !== "string") {
      this.#events.binary(new Uint8Array(data as ArrayBuffer));
      return;
    }
    if (data === KEEPALIVE_PONG) return;
    const message = parseServerMessage(data);
    if (message?.t === "welcome") this.#onWelcome(message);
    else if (message) this.#events.text(message);
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
    this.#events.lost(`Connection lost (${code})`);
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
    const delayMs = backoffDelay(attempt, reconnect);
    this.#state = "connecting";
    this.#events.reconnecting({ attempt, delayMs, code });
    this.#retry = setTimeout(() => void this.#open(), delayMs);
  }

  #finish(detail: CloseDetail): void {
    this.#state = "closed";
    this.#ws = undefined;
    this.#clearTimers();
    this.#queue.length = 0;
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
  }
}
