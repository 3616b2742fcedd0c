/**
 * What a connection is told to do, what it tells its owner, and its defaults.
 *
 * @module
 */
import type { Identity } from "../identity/identity.ts";
import type { ProtocolError, ServerMessage, Welcome } from "../protocol/mod.ts";
import type { BackoffOptions } from "./backoff.ts";

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
  /**
   * An invitation to a closed network (`signInvitation` from `superpeer/protocol`, made by a
   * key the network lists in `INVITE_KEYS`), sent beside every hello. Without one, a closed
   * network refuses the peer with `ADMISSION_REFUSED` unless it lists the peer itself.
   */
  invitation?: string;
  /** Reconnect after a drop; `false` to stay closed. @default {} (on, default backoff) */
  reconnect?: BackoffOptions | false;
  /** Time allowed for one attempt to reach its welcome, in ms. @default 10000 */
  connectTimeoutMs?: number;
  /**
   * Time the first connection may take, attempts and backoff included, before `connect()`
   * rejects with `UNREACHABLE` naming the URL and the peer closes; `Infinity` waits forever.
   * Once welcomed, the peer reconnects after a drop without a deadline.
   * @default 30000
   */
  firstConnectTimeoutMs?: number;
  /**
   * Batch frames: the binary frames sent within one turn of the event loop leave as one
   * WebSocket message, and the network sends this peer's frames the same way (asked for with
   * `batch=1` on connect; used only once the welcome says `batch: true`). A lone frame still
   * leaves at once, at the end of the turn. `false` sends every frame as its own message.
   * @default true
   */
  batch?: boolean;
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
  /**
   * A connection dropped, with its close code: answers in flight will not come (after
   * `HOME_MOVED`, every request was answered or never read, and may be sent again).
   */
  lost(why: string, code: number): void;
  /** A reconnect is scheduled. */
  reconnecting(detail: ReconnectingDetail): void;
  /** The connection stopped for good. */
  closed(detail: CloseDetail): void;
}
