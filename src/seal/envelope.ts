/**
 * The byte layouts of sealed payloads: the payload of a relay frame with the `SEALED` flag
 * starts with one kind byte (see `docs/PROTOCOL.md`, "Sealed messages").
 *
 * @module
 */

/** Opens a pair's handshake: the initiator's ephemeral key and a tag proving its identity. */
export const SEAL_HELLO = 0x01;
/** Answers a hello: the responder's ephemeral key and a tag proving its identity. */
export const SEAL_ACCEPT = 0x02;
/** A message sealed with a pair's session keys. */
export const SEAL_DATA = 0x03;
/** A message sealed to a peer's identity, for its mailbox. */
export const SEAL_MAIL = 0x04;
/** "I hold no session with this id": the sender should handshake again. */
export const SEAL_UNKNOWN_SESSION = 0x05;
/** "I do not seal": the sender decides (its `seal` option). */
export const SEAL_UNSUPPORTED = 0x06;

/** Bytes of an X25519 public key. */
export const KEY_BYTES = 32;
/** Bytes of an AEAD tag (AES-256-GCM, 16 bytes, for everything sealed). */
export const TAG_BYTES = 16;
/** Bytes of a session id and of a handshake id. */
export const ID_BYTES = 8;
/** Bytes of a sealed message's counter. */
export const COUNTER_BYTES = 8;

/** Bytes of a hello: kind, ephemeral key, tag. */
export const HELLO_BYTES: number = 1 + KEY_BYTES + TAG_BYTES;
/** Bytes of an accept: kind, handshake id, ephemeral key, tag. */
export const ACCEPT_BYTES: number = 1 + ID_BYTES + KEY_BYTES + TAG_BYTES;
/** Bytes a session adds to a message: kind, session id, counter, inner flags, tag. */
export const DATA_OVERHEAD: number = 1 + ID_BYTES + COUNTER_BYTES + 1 + TAG_BYTES;
/** Bytes sealing to an identity adds: kind, ephemeral key, inner flags, time, tag. */
export const MAIL_OVERHEAD: number = 1 + KEY_BYTES + 1 + 8 + TAG_BYTES;
/** The most bytes sealing adds to a payload, either way. */
export const SEAL_OVERHEAD: number = Math.max(DATA_OVERHEAD, MAIL_OVERHEAD);

/**
 * Writes a counter as 8 big-endian bytes (counters stay below 2^53).
 *
 * @example Usage
 * ```ts
 * import { readCounter, writeCounter } from "./envelope.ts";
 * const out = new Uint8Array(8);
 * writeCounter(out, 0, 2 ** 40 + 5);
 * console.assert(readCounter(out, 0) === 2 ** 40 + 5);
 * ```
 *
 * @param out Where.
 * @param at At which offset.
 * @param n The counter.
 */
export function writeCounter(out: Uint8Array, at: number, n: number): void {
  const view = new DataView(out.buffer, out.byteOffset + at, COUNTER_BYTES);
  view.setUint32(0, Math.floor(n / 2 ** 32));
  view.setUint32(4, n >>> 0);
}

/**
 * Reads a counter written by {@linkcode writeCounter}.
 *
 * @example Usage
 * ```ts
 * import { readCounter } from "./envelope.ts";
 * console.assert(readCounter(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2]), 0) === 2 ** 32 + 2);
 * ```
 *
 * @param bytes The bytes.
 * @param at At which offset.
 * @returns The counter.
 */
export function readCounter(bytes: Uint8Array, at: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, COUNTER_BYTES);
  return view.getUint32(0) * 2 ** 32 + view.getUint32(4);
}

/**
 * Concatenates byte arrays.
 *
 * @example Usage
 * ```ts
 * import { concat } from "./envelope.ts";
 * console.assert(concat(new Uint8Array([1]), new Uint8Array([2, 3])).join() === "1,2,3");
 * ```
 *
 * @param parts The arrays.
 * @returns One array.
 */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
