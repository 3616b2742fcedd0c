/**
 * The relay path of a peer: its SEND frames out (numbered, flagged, bounded by
 * `MAX_FRAME_BYTES`) and its DELIVER frames in, told apart by their flags: signaling,
 * stamped (exactly-once) messages, and plain ones.
 *
 * @module
 */
import { isPeerId } from "../identity/peer_id.ts";
import {
  decodeFrame,
  encodeFrame,
  FRAME_DELIVER,
  FRAME_SEND,
  type Limits,
  payloadOf,
  readStamped,
  type Stamp,
} from "../protocol/mod.ts";
import type { PeerState, SendResult } from "./connection.ts";
import type { Delivery } from "./exactly_once.ts";

/** The flags a SEND may carry (see `docs/PROTOCOL.md` section 4). */
export interface SendFlags {
  /** Direct-channel signaling, never shown to the application. */
  signal?: boolean;
  /** The payload starts with a per-pair stamp. */
  sequenced?: boolean;
  /** A byte payload that is UTF-8 text. */
  text?: boolean;
  /** Kept in the mailbox of an offline destination. */
  mailbox?: boolean;
  /** A swarm message, for the other peer's file sharing. */
  swarm?: boolean;
}

/** Where the relay path hands what arrives. */
export interface RelayPathHandlers {
  /** A signal from a peer. */
  signal(from: string, data: string | Uint8Array): void;
  /** A stamped message from a peer. */
  sequenced(from: string, stamp: Stamp, data: Uint8Array, text: boolean): void;
  /** A plain message from a peer. */
  plain(message: Delivery): void;
  /** A swarm message from a peer. */
  swarm?(from: string, bytes: Uint8Array): void;
}

/** The connection as the relay path uses it. */
export interface RelayConnection {
  /** Its state. */
  readonly state: PeerState;
  /** The limits in force. */
  readonly limits: Limits;
  /** Sends or queues a frame. */
  sendFrame(frame: Uint8Array): SendResult;
}

/**
 * Throws unless a destination is a peer id.
 *
 * @param to The destination.
 * @throws {TypeError} If it is not a peer id.
 *
 * @example Usage
 * ```ts
 * import { assertPeerId } from "./relay_path.ts";
 * let threw = false;
 * try { assertPeerId("nope"); } catch { threw = true; }
 * console.assert(threw);
 * ```
 */
export function assertPeerId(to: string): void {
  if (!isPeerId(to)) {
    throw new TypeError(`Cannot send: "${String(to).slice(0, 64)}" is not a peer id`);
  }
}

/**
 * The relay path of one peer.
 *
 * @example Usage
 * ```ts
 * import { type RelayConnection, RelayPath, type RelayPathHandlers } from "./relay_path.ts";
 * // The peer's connection below, its exactly-once layer and its inbox above.
 * export function send(connection: RelayConnection, handlers: RelayPathHandlers, to: string) {
 *   const relay = new RelayPath(connection, handlers);
 *   relay.send(to, "hi");
 * }
 * ```
 */
export class RelayPath {
  readonly #connection: RelayConnection;
  readonly #handlers: RelayPathHandlers;
  #seq = 0;

  /**
   * @param connection The connection frames go out on.
   * @param handlers Where arriving frames go.
   */
  constructor(connection: RelayConnection, handlers: RelayPathHandlers) {
    this.#connection = connection;
    this.#handlers = handlers;
  }

  /**
   * Sends a SEND frame, numbered with this peer's next sequence number.
   *
   * @param to The destination peer id.
   * @param data Bytes, or a string sent as UTF-8 text.
   * @param flags The frame's flags.
   * @returns What the connection did with it.
   * @throws {TypeError} If `to` is not a peer id.
   * @throws {RangeError} If the frame is larger than `MAX_FRAME_BYTES`.
   */
  send(to: string, data: string | Uint8Array, flags: SendFlags = {}): SendResult {
    assertPeerId(to);
    if (this.#connection.state === "closed") return "dropped";
    const frame = encodeFrame(FRAME_SEND, to, this.#seq, data, flags);
    const max = this.#connection.limits.MAX_FRAME_BYTES;
    if (frame.length > max) {
      throw new RangeError(
        `Cannot send to "${to}": frame is ${frame.length} bytes, limit is ${max}`,
      );
    }
    this.#seq = (this.#seq + 1) >>> 0;
    return this.#connection.sendFrame(frame);
  }

  /**
   * Takes a binary frame from the network; anything but a well-formed DELIVER is ignored.
   *
   * @param bytes The frame.
   */
  receive(bytes: Uint8Array): void {
    const decoded = decodeFrame(bytes);
    if (!decoded.ok || decoded.frame.type !== FRAME_DELIVER) return;
    const frame = decoded.frame;
    if (frame.signal) return this.#handlers.signal(frame.peer, payloadOf(frame));
    if (frame.swarm) return this.#handlers.swarm?.(frame.peer, frame.payload.slice());
    if (frame.sequenced) {
      const m = readStamped(frame.payload);
      if (m) this.#handlers.sequenced(frame.peer, m.stamp, m.data, frame.text);
      return;
    }
    this.#handlers.plain({
      from: frame.peer,
      seq: frame.seq,
      data: payloadOf(frame),
      via: "relay",
    });
  }
}
