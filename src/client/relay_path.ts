/**
 * The relay path of a peer: its SEND frames out (numbered, flagged, bounded by
 * `MAX_FRAME_BYTES`) and its DELIVER frames in, told apart by their flags: signaling,
 * stamped (exactly-once) messages, and plain ones.
 *
 * @module
 */
import { payloadTooLarge } from "./_util.ts";
import { base64urlnopad } from "../encoding/mod.ts";
import { isPeerId } from "../identity/peer_id.ts";
import {
  decodeFrame,
  encodeFrame,
  FLAG_SEQUENCED,
  FLAG_SIGNAL,
  FLAG_TEXT,
  FRAME_DELIVER,
  FRAME_SEND,
} from "../protocol/frames.ts";
import type { Limits } from "../protocol/limits.ts";
import type { MailMessage } from "../protocol/service_messages.ts";
import { readStamped, type Stamp } from "../protocol/direct.ts";
import { identitySealKey, usableSealKey } from "../seal/keys.ts";
import { InOrder } from "../seal/in_order.ts";
import { AnswerBudget } from "../seal/answer_budget.ts";
import { SEAL_OVERHEAD, SEAL_UNKNOWN_SESSION, SEAL_UNSUPPORTED } from "../seal/envelope.ts";
import {
  SEAL_HANDSHAKE_TIMEOUT_MS,
  type SealCode,
  Sealer,
  type SealerOptions,
  type SealPolicy,
} from "../seal/sealer.ts";
import type { PeerState, SendResult } from "./connection.ts";
import type { Delivery } from "./exactly_once.ts";

/** The flags a SEND may carry (see `docs/PROTOCOL.md` section 5). */
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
  /** A stamped message from a peer; `sealed` if it came sealed. */
  sequenced(from: string, stamp: Stamp, data: Uint8Array, text: boolean, sealed: boolean): void;
  /** A plain message from a peer. */
  plain(message: Delivery): void;
  /** A swarm message from a peer. */
  swarm?(from: string, bytes: Uint8Array): void;
  /** A message not delivered, or not sent, for a reason of sealing, by code. */
  refused?(peer: string, code: SealCode | "SEAL_REQUIRED", message: string): void;
}

/** Sealing on the relay path (see `src/seal/`): the peer's identity and its choice. */
export interface RelaySealing extends Pick<SealerOptions, "mailMaxAgeMs" | "marks"> {
  /** This peer's identity. */
  identity: { peerId: string; toJSON(): { privateKey: { d?: string } } };
  /** What to do with a peer that cannot seal; `false`: seal nothing. @default "required" */
  seal?: SealPolicy | false;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** What a mail message carries once opened, or `undefined` if it was dropped. */
type MailData = string | Uint8Array | undefined;

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
 * @param what What was asked, for the message (`send`, `send mail`).
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
export function assertPeerId(to: string, what = "send"): void {
  if (!isPeerId(to)) {
    throw new TypeError(`Cannot ${what}: "${String(to).slice(0, 64)}" is not a peer id`);
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
  readonly #sealer: Sealer | undefined;
  // A peer that does not seal answers sealed payloads with kind 6, within a budget.
  readonly #answers = new AnswerBudget();
  // Mailbox frames being sealed, per peer, sent in the order given.
  readonly #mailing = new InOrder();
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param connection The connection frames go out on.
   * @param handlers Where arriving frames go.
   * @param sealing Sealing of every payload to a peer but swarm messages; without it,
   *   nothing is sealed and a sealed payload is answered "I do not seal".
   */
  constructor(
    connection: RelayConnection,
    handlers: RelayPathHandlers,
    sealing?: RelaySealing,
  ) {
    this.#connection = connection;
    this.#handlers = handlers;
    const policy = sealing?.seal ?? "required";
    const local = sealing &&
      { peerId: sealing.identity.peerId, secret: identitySealKey(sealing.identity) };
    this.#sealer = !local || policy === false ? undefined : new Sealer(local, {
      sendSealed: (to, bytes, n) => this.#frame(to, bytes, { sealed: true }, n),
      sendClear: (to, flags, payload) => {
        this.#frame(to, flags & FLAG_TEXT ? decoder.decode(payload) : payload, {
          signal: (flags & FLAG_SIGNAL) !== 0,
          sequenced: (flags & FLAG_SEQUENCED) !== 0,
        });
      },
      // A batch of n messages took n frame numbers: each message keeps its own.
      deliver: (from, flags, payload, seq) => this.#inner(from, flags, payload, seq >>> 0, true),
      refused: (peer, code, message) => this.#handlers.refused?.(peer, code, message),
    }, {
      policy,
      mailMaxAgeMs: sealing?.mailMaxAgeMs,
      marks: sealing?.marks,
      // What is sealed to one peer in a turn goes as one sealed message, as big as one may be.
      batchBytes: () => this.maxPayload,
    });
  }

  /** Whether payloads to peers are sealed. */
  get sealing(): boolean {
    return this.#sealer !== undefined;
  }

  /** Messages waiting for a handshake to end. */
  get waiting(): number {
    return this.#sealer?.waiting ?? 0;
  }

  /** Most payload bytes a message can carry, with what sealing adds taken off. */
  get maxPayload(): number {
    return this.#connection.limits.MAX_FRAME_BYTES - 64 - (this.#sealer ? SEAL_OVERHEAD : 0);
  }

  /**
   * Throws unless a payload fits in one message to a peer.
   *
   * @param to The destination.
   * @param data The payload.
   * @throws {TypeError} If `to` is not a peer id.
   * @throws {RangeError} If it is too large.
   */
  assertFits(to: string, data: string | Uint8Array): void {
    assertPeerId(to);
    const max = this.maxPayload;
    const size = typeof data === "string" ? data.length * 3 : data.length;
    if (size > max && (typeof data !== "string" || encoder.encode(data).length > max)) {
      throw new RangeError(`Cannot send to "${to}": payload is over ${max} bytes`);
    }
  }

  /**
   * Seals now what waits for the end of the turn.
   *
   * @returns A promise settled once all that was given is handed to the connection, or
   *   `undefined` if it all was already.
   */
  flush(): Promise<void> | undefined {
    this.#sealer?.flush();
    if (!this.#sealer?.busy && !this.#mailing.busy) return undefined;
    return Promise.all([this.#sealer?.idle(), this.#mailing.idle()]).then(() => {});
  }

  /** The network said a peer is not connected: a handshake under way with it ends now. */
  unreachable(peer: string): void {
    this.#sealer?.unreachable(peer);
  }

  /** Stops the handshake timer. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
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
    if (!this.#sealer || flags.swarm) return this.#frame(to, data, flags);
    const text = typeof data === "string" || flags.text === true;
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    const inner = (text ? FLAG_TEXT : 0) | (flags.signal ? FLAG_SIGNAL : 0) |
      (flags.sequenced ? FLAG_SEQUENCED : 0);
    const limit = this.maxPayload;
    if (bytes.length > limit) throw payloadTooLarge(to, bytes.length, limit);
    const now = Date.now();
    if (flags.mailbox) {
      if (!usableSealKey(to)) throw new TypeError(`Cannot seal to "${to}": its key is unusable`);
      // Sealed asynchronously (WebCrypto); what goes to one peer leaves in the order given.
      const mail = this.#sealer.mail.seal(to, inner, bytes, now);
      this.#mailing.add(
        to,
        mail,
        (m) => m && void this.#frame(to, m, { mailbox: true, sealed: true }),
      );
      return this.#connection.state === "open" ? "sent" : "queued";
    }
    const result = this.#sealer.seal(to, inner, bytes, now);
    if (result === "queued") this.#armTimer();
    if (result !== "batched") return result;
    // It leaves at the end of the turn, as the connection would have taken it now.
    return this.#connection.state === "open" ? "sent" : "queued";
  }

  /**
   * What a mail message carries: opened if sealed; dropped (reported by code) if it does not
   * open, or if it came in clear and sealing is required.
   *
   * @param m The mail message.
   * @returns Its text or bytes, or `undefined`.
   */
  openMailMessage(m: MailMessage): MailData | Promise<MailData> {
    const bytes = () => m.bin ? base64urlnopad.decode(m.data) : encoder.encode(m.data);
    if (m.sealed) return this.openMail(m.from, bytes());
    if (this.#sealer && !this.#sealer.takesClear(m.from)) {
      const why = "Mail in clear was dropped: sealing is required";
      return void this.#handlers.refused?.(m.from, "SEAL_REQUIRED", why);
    }
    return m.bin ? bytes() : m.data;
  }

  /**
   * Seals mail to a peer's identity, for the `mail` request.
   *
   * @param to The recipient.
   * @param data The message.
   * @returns The sealed bytes, or `undefined` if this peer does not seal.
   * @throws {TypeError} If `to` is not a peer id.
   */
  async sealMailBytes(to: string, data: string | Uint8Array): Promise<Uint8Array | undefined> {
    if (!this.#sealer) return undefined;
    assertPeerId(to, "send mail");
    const text = typeof data === "string";
    const bytes = text ? encoder.encode(data) : data;
    const sealed = await this.#sealer.mail.seal(to, text ? FLAG_TEXT : 0, bytes, Date.now());
    if (!sealed) throw new TypeError(`Cannot seal to "${to}": its key is unusable`);
    return sealed;
  }

  /**
   * Opens mail sealed to this peer (a `mail` message with `sealed: true`).
   *
   * @param from The sender the network names.
   * @param bytes The sealed bytes.
   * @returns The message, or `undefined` (reported by code) if it does not open.
   */
  async openMail(from: string, bytes: Uint8Array): Promise<MailData> {
    const refused = this.#handlers.refused;
    if (!this.#sealer) return void refused?.(from, "SEAL_UNSUPPORTED", "This peer does not seal");
    const opened = await this.#sealer.mail.open(from, bytes, Date.now());
    if (!opened.ok) return void this.#handlers.refused?.(from, opened.code, opened.message);
    return opened.flags & FLAG_TEXT ? decoder.decode(opened.payload) : opened.payload.slice();
  }

  // Handshakes that go unanswered end after SEAL_HANDSHAKE_TIMEOUT_MS; checked when the
  // earliest one runs out, until none is under way. (A timer armed for the first handshake
  // and then a full timeout again let a later one run almost twice as long.)
  #armTimer(delay: number = SEAL_HANDSHAKE_TIMEOUT_MS): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = Date.now();
      const next = this.#sealer!.tick(now);
      if (next !== undefined) this.#armTimer(Math.max(0, next - now));
    }, delay + 10);
  }

  #frame(
    to: string,
    data: string | Uint8Array,
    flags: SendFlags & { sealed?: boolean },
    messages = 1,
  ): SendResult {
    if (this.#connection.state === "closed") return "dropped";
    const frame = encodeFrame(FRAME_SEND, to, this.#seq, data, flags);
    const max = this.#connection.limits.MAX_FRAME_BYTES;
    if (frame.length > max) {
      throw new RangeError(
        `Cannot send to "${to}": frame is ${frame.length} bytes, limit is ${max}`,
      );
    }
    this.#seq = (this.#seq + messages) >>> 0;
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
    if (frame.swarm) return this.#handlers.swarm?.(frame.peer, frame.payload.slice());
    if (frame.sealed) {
      if (this.#sealer) {
        return this.#sealer.receive(frame.peer, frame.payload, Date.now(), frame.seq);
      }
      // "I do not seal", unless it is itself a notice (two such peers must not loop), and
      // within the sender's budget: junk must not spend this peer's.
      const kind = frame.payload[0];
      const notice = kind === SEAL_UNSUPPORTED || kind === SEAL_UNKNOWN_SESSION;
      if (!notice && this.#answers.answer(frame.peer, Date.now())) {
        this.#frame(frame.peer, new Uint8Array([SEAL_UNSUPPORTED]), { sealed: true });
      }
      return;
    }
    const flags = (frame.text ? FLAG_TEXT : 0) | (frame.signal ? FLAG_SIGNAL : 0) |
      (frame.sequenced ? FLAG_SEQUENCED : 0);
    if (this.#sealer && !this.#sealer.takesClear(frame.peer)) {
      // Anyone on the path could have written it, under any sender's name.
      return this.#handlers.refused?.(
        frame.peer,
        "SEAL_REQUIRED",
        "A message in clear was dropped: sealing is required",
      );
    }
    this.#inner(frame.peer, flags, frame.payload, frame.seq, false);
  }

  // What a frame or a sealed payload carries, by its (inner) flags.
  #inner(from: string, flags: number, payload: Uint8Array, seq: number, sealed: boolean): void {
    const text = (flags & FLAG_TEXT) !== 0;
    if (flags & FLAG_SIGNAL) {
      return this.#handlers.signal(from, text ? decoder.decode(payload) : payload.slice());
    }
    if (flags & FLAG_SEQUENCED) {
      const m = readStamped(payload);
      if (m) this.#handlers.sequenced(from, m.stamp, m.data, text, sealed);
      return;
    }
    this.#handlers.plain({
      from,
      seq,
      data: text ? decoder.decode(payload) : payload.slice(),
      via: "relay",
      sealed,
    });
  }
}
