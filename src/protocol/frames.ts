/**
 * Binary frames: the hot path. A relayed payload is copied once, behind a new header, and
 * never re-encoded.
 *
 * ```
 * offset  size  field
 * 0       1     type     0x01 SEND (peer → network), 0x02 DELIVER (network → peer)
 * 1       1     flags    bit 0: payload is UTF-8 text; bit 1: payload is signaling for a
 *                        direct channel (not for the application); bit 2: payload starts
 *                        with a 12-byte per-pair stamp (epoch, number, floor); bit 3: if
 *                        the destination is offline, leave it in its mailbox; bit 4:
 *                        payload is a swarm message (file sharing, not for the
 *                        application); bit 5: payload is sealed between the two peers;
 *                        other bits 0
 * 2       4     seq      sender's sequence number, uint32 big-endian
 * 6       1     idLen    length of the peer id that follows, 1..48
 * 7       idLen peer id  ASCII: SEND names the destination, DELIVER the sender
 * 7+idLen rest  payload
 * ```
 *
 * @module
 */
import type { ErrorCode } from "./errors.ts";
import { MAX_PEER_ID_CHARS } from "../identity/peer_id.ts";
import { isBase58 } from "../encoding/base58.ts";

/** Frame type byte of SEND. */
export const FRAME_SEND = 0x01;
/** Frame type byte of DELIVER. */
export const FRAME_DELIVER = 0x02;
/** Flag bit: the payload is UTF-8 text. */
export const FLAG_TEXT = 0x01;
/** Flag bit: the payload is signaling between the two peers' direct-channel code. */
export const FLAG_SIGNAL = 0x02;
/**
 * Flag bit: the payload starts with a 12-byte per-pair stamp (epoch, sequence number, floor;
 * uint32 big-endian each), for exactly-once delivery across the relay and a direct channel.
 */
export const FLAG_SEQUENCED = 0x04;
/**
 * Flag bit: if the destination is not connected, its home keeps the payload in its mailbox
 * (and the sender hears of its delivery). Honoured on plain payload only, not with
 * {@linkcode FLAG_SIGNAL} or {@linkcode FLAG_SEQUENCED}.
 */
export const FLAG_MAILBOX = 0x08;
/**
 * Flag bit: the payload is a swarm message between the two peers' file-sharing code
 * (`docs/PROTOCOL.md` section 12), not for the application.
 */
export const FLAG_SWARM = 0x10;
/**
 * Flag bit: the payload is sealed between the two peers (`docs/PROTOCOL.md` section 13): a
 * handshake, a message under a session's keys, or mail sealed to the destination's identity.
 * The relay carries it as it carries any payload; it cannot read or alter it unseen.
 */
export const FLAG_SEALED = 0x20;
/** Every flag bit this version defines. */
export const KNOWN_FLAGS = FLAG_TEXT | FLAG_SIGNAL | FLAG_SEQUENCED | FLAG_MAILBOX | FLAG_SWARM |
  FLAG_SEALED;
/** Bytes before the peer id. */
export const FRAME_HEADER_BYTES = 7;

/** A decoded binary frame. */
export interface Frame {
  /** {@linkcode FRAME_SEND} or {@linkcode FRAME_DELIVER}. */
  type: number;
  /** Whether the payload is UTF-8 text. */
  text: boolean;
  /** Whether the payload is direct-channel signaling. */
  signal?: boolean;
  /** Whether the payload starts with a per-pair stamp (see `docs/PROTOCOL.md` section 10). */
  sequenced?: boolean;
  /** Whether the payload goes to the destination's mailbox if it is offline. */
  mailbox?: boolean;
  /** Whether the payload is a swarm message. */
  swarm?: boolean;
  /** Whether the payload is sealed between the two peers. */
  sealed?: boolean;
  /** The sender's sequence number. */
  seq: number;
  /** SEND: the destination; DELIVER: the sender. */
  peer: string;
  /** The payload bytes (a view into the frame). */
  payload: Uint8Array;
}

/** The outcome of decoding: a frame, or a refusal with a code. */
export type DecodeResult =
  | { ok: true; frame: Frame }
  | { ok: false; code: ErrorCode; message: string; seq?: number };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Encodes a frame.
 *
 * @param type {@linkcode FRAME_SEND} or {@linkcode FRAME_DELIVER}.
 * @param peer The destination (SEND) or sender (DELIVER) peer id.
 * @param seq The sequence number, a uint32.
 * @param payload Bytes, or a string sent as UTF-8 text.
 * @param options `signal: true` marks direct-channel signaling; `sequenced: true` says the
 *   payload starts with a per-pair stamp; `text: true` flags a byte payload as text;
 *   `mailbox: true` asks for the mailbox if the destination is offline.
 * @returns The frame.
 * @throws {RangeError} If the peer id or sequence number is out of range.
 *
 * @example Usage
 * ```ts
 * import { decodeFrame, encodeFrame, FRAME_SEND } from "./frames.ts";
 * const bytes = encodeFrame(FRAME_SEND, "z6Mk", 1, "hi");
 * const result = decodeFrame(bytes);
 * console.assert(result.ok && result.frame.text);
 * ```
 */
export function encodeFrame(
  type: number,
  peer: string,
  seq: number,
  payload: Uint8Array | string,
  options: {
    signal?: boolean;
    sequenced?: boolean;
    text?: boolean;
    mailbox?: boolean;
    swarm?: boolean;
    sealed?: boolean;
  } = {},
): Uint8Array {
  if (peer.length < 1 || peer.length > MAX_PEER_ID_CHARS) {
    throw new RangeError(`Cannot encode frame: peer id is ${peer.length} chars`);
  }
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff_ffff) {
    throw new RangeError(`Cannot encode frame: sequence number ${seq} is not a uint32`);
  }
  const text = typeof payload === "string" || options.text === true;
  const body = typeof payload === "string" ? encoder.encode(payload) : payload;
  const out = new Uint8Array(FRAME_HEADER_BYTES + peer.length + body.length);
  out[0] = type;
  out[1] = (text ? FLAG_TEXT : 0) | (options.signal ? FLAG_SIGNAL : 0) |
    (options.sequenced ? FLAG_SEQUENCED : 0) | (options.mailbox ? FLAG_MAILBOX : 0) |
    (options.swarm ? FLAG_SWARM : 0) | (options.sealed ? FLAG_SEALED : 0);
  new DataView(out.buffer).setUint32(2, seq);
  out[6] = peer.length;
  for (let i = 0; i < peer.length; i++) out[FRAME_HEADER_BYTES + i] = peer.charCodeAt(i) & 0x7f;
  out.set(body, FRAME_HEADER_BYTES + peer.length);
  return out;
}

/**
 * Decodes a frame without copying its payload. Never throws: a malformed frame is a refusal.
 *
 * @param bytes The frame.
 * @returns The frame, or a refusal with a code.
 *
 * @example Usage
 * ```ts
 * import { decodeFrame } from "./frames.ts";
 * const result = decodeFrame(new Uint8Array([1]));
 * console.assert(!result.ok && result.code === "BAD_FRAME");
 * ```
 */
export function decodeFrame(bytes: Uint8Array): DecodeResult {
  if (bytes.length < FRAME_HEADER_BYTES) {
    return {
      ok: false,
      code: "BAD_FRAME",
      message: `Frame is ${bytes.length} bytes, shorter than its header`,
    };
  }
  const seq = new DataView(bytes.buffer, bytes.byteOffset).getUint32(2);
  const type = bytes[0];
  if (type !== FRAME_SEND && type !== FRAME_DELIVER) {
    return {
      ok: false,
      code: "UNKNOWN_FRAME_TYPE",
      message: `Frame type 0x${type.toString(16)} is not defined`,
      seq,
    };
  }
  if ((bytes[1] & ~KNOWN_FLAGS) !== 0) {
    return {
      ok: false,
      code: "BAD_FRAME",
      message: `Frame flags 0x${bytes[1].toString(16)} are not defined`,
      seq,
    };
  }
  const idLen = bytes[6];
  if (idLen < 1 || idLen > MAX_PEER_ID_CHARS || bytes.length < FRAME_HEADER_BYTES + idLen) {
    return {
      ok: false,
      code: "BAD_FRAME",
      message: `Frame peer id length ${idLen} is out of range`,
      seq,
    };
  }
  const id = bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + idLen);
  if (!isBase58(id)) {
    return { ok: false, code: "BAD_FRAME", message: "Frame peer id is not base58btc", seq };
  }
  const peer = String.fromCharCode.apply(null, id as unknown as number[]);
  return {
    ok: true,
    frame: {
      type,
      text: (bytes[1] & FLAG_TEXT) !== 0,
      signal: (bytes[1] & FLAG_SIGNAL) !== 0,
      sequenced: (bytes[1] & FLAG_SEQUENCED) !== 0,
      mailbox: (bytes[1] & FLAG_MAILBOX) !== 0,
      swarm: (bytes[1] & FLAG_SWARM) !== 0,
      sealed: (bytes[1] & FLAG_SEALED) !== 0,
      seq,
      peer,
      payload: bytes.subarray(FRAME_HEADER_BYTES + idLen),
    },
  };
}

/**
 * Turns a decoded SEND into the DELIVER its destination receives: same flags, sequence
 * number and payload bytes, with the sender's id in place of the destination's.
 *
 * When `reuse` (the SEND's own bytes) is given and the two ids have the same length (always
 * so for Ed25519 peer ids), the DELIVER is written over it in place: no allocation and no
 * copy of the payload on the relay's hot path. The caller must not use `reuse` afterwards.
 *
 * @param frame A decoded SEND.
 * @param from The sender's peer id.
 * @param reuse The bytes `frame` was decoded from, to rewrite in place.
 * @param fromBytes `from` as ASCII bytes, if the caller keeps them (saves encoding per frame).
 * @returns The DELIVER frame.
 *
 * @example Usage
 * ```ts
 * import { decodeFrame, encodeFrame, FRAME_DELIVER, FRAME_SEND, relayFrame } from "./frames.ts";
 * const bytes = encodeFrame(FRAME_SEND, "B", 7, "hi");
 * const send = decodeFrame(bytes);
 * if (send.ok) {
 *   const out = decodeFrame(relayFrame(send.frame, "A", bytes));
 *   console.assert(out.ok && out.frame.type === FRAME_DELIVER && out.frame.peer === "A");
 * }
 * ```
 */
export function relayFrame(
  frame: Frame,
  from: string,
  reuse?: Uint8Array,
  fromBytes?: Uint8Array,
): Uint8Array {
  const size = FRAME_HEADER_BYTES + from.length + frame.payload.length;
  const inPlace = reuse !== undefined && from.length === frame.peer.length &&
    reuse.length === size;
  const out = inPlace ? reuse : new Uint8Array(size);
  out[0] = FRAME_DELIVER;
  out[1] = (frame.text ? FLAG_TEXT : 0) | (frame.signal ? FLAG_SIGNAL : 0) |
    (frame.sequenced ? FLAG_SEQUENCED : 0) | (frame.mailbox ? FLAG_MAILBOX : 0) |
    (frame.swarm ? FLAG_SWARM : 0) | (frame.sealed ? FLAG_SEALED : 0);
  out[2] = frame.seq >>> 24;
  out[3] = (frame.seq >>> 16) & 0xff;
  out[4] = (frame.seq >>> 8) & 0xff;
  out[5] = frame.seq & 0xff;
  out[6] = from.length;
  if (fromBytes) out.set(fromBytes, FRAME_HEADER_BYTES);
  else for (let i = 0; i < from.length; i++) out[FRAME_HEADER_BYTES + i] = from.charCodeAt(i);
  if (!inPlace) out.set(frame.payload, FRAME_HEADER_BYTES + from.length);
  return out;
}

/**
 * Reads a frame's payload as the application sees it: a string for text frames, else bytes.
 *
 * @param frame A decoded frame.
 * @returns The payload.
 *
 * @example Usage
 * ```ts
 * import { decodeFrame, encodeFrame, FRAME_DELIVER, payloadOf } from "./frames.ts";
 * const r = decodeFrame(encodeFrame(FRAME_DELIVER, "A", 0, "hi"));
 * console.assert(r.ok && payloadOf(r.frame) === "hi");
 * ```
 */
export function payloadOf(frame: Frame): string | Uint8Array {
  return frame.text ? decoder.decode(frame.payload) : frame.payload.slice();
}
