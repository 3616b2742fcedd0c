/**
 * Reading and rewriting a binary frame's header in place, without decoding it: what the relay
 * does on its hot path (see `frames.ts` for the layout), and what a refusal names.
 *
 * @module
 */
import { MAX_PEER_ID_CHARS } from "../identity/peer_id.ts";
import { isBase58 } from "../encoding/base58.ts";
import {
  FLAG_MAILBOX,
  FLAG_SEQUENCED,
  FLAG_SIGNAL,
  FLAG_SWARM,
  FRAME_DELIVER,
  FRAME_HEADER_BYTES,
  FRAME_SEND,
  KNOWN_FLAGS,
} from "./frames.ts";

/**
 * Tells whether a frame is a well-formed SEND to the peer whose ASCII id bytes are given,
 * without decoding it: the relay's check for "same destination as last time".
 *
 * @param bytes The frame.
 * @param id The destination's id, as ASCII bytes.
 * @returns Whether it is a SEND, with defined flags, to exactly that id.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FRAME_SEND } from "./frames.ts";
 * import { isSendTo } from "./frame_header.ts";
 * const id = new TextEncoder().encode("abc");
 * console.assert(isSendTo(encodeFrame(FRAME_SEND, "abc", 1, "x"), id));
 * ```
 */
export function isSendTo(bytes: Uint8Array, id: Uint8Array): boolean {
  if (
    bytes.length < FRAME_HEADER_BYTES + id.length || bytes[0] !== FRAME_SEND ||
    (bytes[1] & ~KNOWN_FLAGS) !== 0 || bytes[6] !== id.length
  ) return false;
  for (let i = 0; i < id.length; i++) if (bytes[FRAME_HEADER_BYTES + i] !== id[i]) return false;
  return true;
}

/**
 * Turns a SEND (already checked) into the DELIVER its destination receives, in place when the
 * sender's id is as long as the destination's (always so for Ed25519 peer ids): flags,
 * sequence number and payload stay where they are.
 *
 * @param bytes The SEND; the caller must not use it afterwards.
 * @param from The sender's id, as ASCII bytes.
 * @returns The DELIVER (the same buffer, or a new one).
 *
 * @example Usage
 * ```ts
 * import { decodeFrame, encodeFrame, FRAME_DELIVER, FRAME_SEND } from "./frames.ts";
 * import { deliverInPlace } from "./frame_header.ts";
 * const out = deliverInPlace(encodeFrame(FRAME_SEND, "B", 7, "hi"), new TextEncoder().encode("A"));
 * const r = decodeFrame(out);
 * console.assert(r.ok && r.frame.type === FRAME_DELIVER && r.frame.peer === "A");
 * ```
 */
export function deliverInPlace(bytes: Uint8Array, from: Uint8Array): Uint8Array {
  const idLen = bytes[6];
  if (idLen === from.length) {
    bytes[0] = FRAME_DELIVER;
    bytes.set(from, FRAME_HEADER_BYTES);
    return bytes;
  }
  const out = new Uint8Array(bytes.length - idLen + from.length);
  out.set(bytes.subarray(0, 6));
  out[0] = FRAME_DELIVER;
  out[6] = from.length;
  out.set(from, FRAME_HEADER_BYTES);
  out.set(bytes.subarray(FRAME_HEADER_BYTES + idLen), FRAME_HEADER_BYTES + from.length);
  return out;
}

/**
 * Whether a frame asks for the mailbox when its destination is offline: the mailbox flag on
 * plain payload (signaling, sequenced and swarm payload never go to a mailbox).
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FRAME_SEND } from "./frames.ts";
 * import { wantsMailbox } from "./frame_header.ts";
 * console.assert(wantsMailbox(encodeFrame(FRAME_SEND, "B", 1, "hi", { mailbox: true })));
 * console.assert(!wantsMailbox(encodeFrame(FRAME_SEND, "B", 1, "hi")));
 * ```
 *
 * @param bytes A SEND or DELIVER frame.
 * @returns Whether the destination's home should keep it for an offline destination.
 */
export function wantsMailbox(bytes: Uint8Array): boolean {
  return bytes.length > 1 &&
    (bytes[1] & (FLAG_MAILBOX | FLAG_SIGNAL | FLAG_SEQUENCED | FLAG_SWARM)) === FLAG_MAILBOX;
}

/**
 * A frame's sequence number, read from its header without decoding it: what a refusal of the
 * frame names. `undefined` when the frame is too short to hold one.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FRAME_SEND } from "./frames.ts";
 * import { frameSeq } from "./frame_header.ts";
 * console.assert(frameSeq(encodeFrame(FRAME_SEND, "B", 7, "hi")) === 7);
 * console.assert(frameSeq(new Uint8Array(3)) === undefined);
 * ```
 *
 * @param bytes A frame.
 * @returns The sequence number, or `undefined`.
 */
export function frameSeq(bytes: Uint8Array): number | undefined {
  return bytes.length >= 6
    ? ((bytes[2] << 24) | (bytes[3] << 16) | (bytes[4] << 8) | bytes[5]) >>> 0
    : undefined;
}

/**
 * A frame's peer id (the destination of a SEND), read from a header that parses far enough,
 * even when the frame as a whole is refused (too large, say): what a refusal names.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FRAME_SEND } from "./frames.ts";
 * import { framePeer } from "./frame_header.ts";
 * console.assert(framePeer(encodeFrame(FRAME_SEND, "B", 7, "hi")) === "B");
 * console.assert(framePeer(new Uint8Array(3)) === undefined);
 * ```
 *
 * @param bytes A frame.
 * @returns The peer id, or `undefined` when the header does not hold a well-formed one.
 */
export function framePeer(bytes: Uint8Array): string | undefined {
  if (bytes.length < FRAME_HEADER_BYTES) return undefined;
  const idLen = bytes[6];
  if (idLen < 1 || idLen > MAX_PEER_ID_CHARS || bytes.length < FRAME_HEADER_BYTES + idLen) {
    return undefined;
  }
  const id = bytes.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + idLen);
  if (!isBase58(id)) return undefined;
  return String.fromCharCode.apply(null, id as unknown as number[]);
}

/**
 * Whether a frame carries direct-channel signaling (flag bit 1), read from its header.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FRAME_SEND } from "./frames.ts";
 * import { isSignalFrame } from "./frame_header.ts";
 * console.assert(isSignalFrame(encodeFrame(FRAME_SEND, "B", 1, "{}", { signal: true })));
 * console.assert(!isSignalFrame(encodeFrame(FRAME_SEND, "B", 1, "hi")));
 * ```
 *
 * @param bytes A frame.
 * @returns Whether its signal flag is set.
 */
export function isSignalFrame(bytes: Uint8Array): boolean {
  return bytes.length > 1 && (bytes[1] & FLAG_SIGNAL) !== 0;
}

/**
 * How many payload bytes a frame whose header parsed carries (the frame less its header and
 * peer id): what the relay counts.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FRAME_SEND } from "./frames.ts";
 * import { framePayloadBytes } from "./frame_header.ts";
 * console.assert(framePayloadBytes(encodeFrame(FRAME_SEND, "B", 1, "hi")) === 2);
 * ```
 *
 * @param bytes A frame whose header was checked.
 * @returns The payload's length.
 */
export function framePayloadBytes(bytes: Uint8Array): number {
  return bytes.length - FRAME_HEADER_BYTES - bytes[6];
}
