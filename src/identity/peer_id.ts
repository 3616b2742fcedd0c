/**
 * Self-certifying peer ids.
 *
 * A peer id is the base58btc encoding (Bitcoin alphabet, no multibase prefix) of the
 * two-byte multicodec tag for an Ed25519 public key (`0xed 0x01`) followed by the 32 raw
 * key bytes. Anyone holding the id holds the key, so a signature can be checked without
 * asking anybody.
 *
 * @module
 */
import { base58 } from "../encoding/mod.ts";
import { isWeakPublicKey } from "./weak_key.ts";

/** Multicodec tag `ed25519-pub` as an unsigned varint. */
const ED25519_TAG = [0xed, 0x01] as const;

/** Length in bytes of a raw Ed25519 public key. */
export const ED25519_PUBLIC_KEY_BYTES = 32;

/** The longest a peer id can be, in characters (a base58 encoding of 34 bytes). */
export const MAX_PEER_ID_CHARS = 48;

/**
 * Derives the peer id of a raw Ed25519 public key.
 *
 * @param publicKey The 32 raw bytes of the key.
 * @returns The peer id.
 * @throws {RangeError} If the key is not 32 bytes long.
 *
 * @example Usage
 * ```ts
 * import { peerIdFromPublicKey } from "./peer_id.ts";
 * const id = peerIdFromPublicKey(new Uint8Array(32));
 * console.assert(id.length > 40);
 * ```
 */
export function peerIdFromPublicKey(publicKey: Uint8Array): string {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new RangeError(
      `Cannot derive a peer id: public key is ${publicKey.length} bytes, expected ${ED25519_PUBLIC_KEY_BYTES}`,
    );
  }
  const bytes = new Uint8Array(ED25519_TAG.length + ED25519_PUBLIC_KEY_BYTES);
  bytes.set(ED25519_TAG, 0);
  bytes.set(publicKey, ED25519_TAG.length);
  return base58.encode(bytes);
}

// Decoded ids, kept because the same accounts recur on every hot path (base58 decoding is
// quadratic in the id's length). Bounded: cleared when full.
const decoded = new Map<string, Uint8Array>();
const DECODED_CACHE_MAX = 16_384;

/**
 * The 34 bytes a peer id encodes (multicodec tag and key). Do not modify the result.
 *
 * @param peerId A peer id.
 * @returns Its bytes.
 * @throws {SyntaxError} If it is not a valid peer id.
 *
 * @example Usage
 * ```ts
 * import { peerIdBytes, peerIdFromPublicKey } from "./peer_id.ts";
 * console.assert(peerIdBytes(peerIdFromPublicKey(new Uint8Array(32).fill(7))).length === 34);
 * ```
 */
export function peerIdBytes(peerId: string): Uint8Array {
  const hit = decoded.get(peerId);
  if (hit) return hit;
  if (typeof peerId !== "string" || peerId.length === 0 || peerId.length > MAX_PEER_ID_CHARS) {
    throw new SyntaxError(`Cannot parse peer id "${String(peerId).slice(0, 64)}": bad length`);
  }
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(peerId);
  } catch {
    throw new SyntaxError(`Cannot parse peer id "${peerId}": not base58btc`);
  }
  if (
    bytes.length !== ED25519_TAG.length + ED25519_PUBLIC_KEY_BYTES ||
    bytes[0] !== ED25519_TAG[0] || bytes[1] !== ED25519_TAG[1]
  ) {
    throw new SyntaxError(`Cannot parse peer id "${peerId}": not an Ed25519 key id`);
  }
  // A key of small order is one anyone can sign for; a non-canonical one, one that verifiers
  // disagree on. Neither names a peer.
  if (isWeakPublicKey(bytes.subarray(ED25519_TAG.length))) {
    throw new SyntaxError(
      `Cannot parse peer id "${peerId}": a weak key (small order or not canonical)`,
    );
  }
  if (decoded.size >= DECODED_CACHE_MAX) decoded.clear();
  decoded.set(peerId, bytes);
  return bytes;
}

/**
 * Recovers the raw Ed25519 public key from a peer id.
 *
 * @param peerId A peer id.
 * @returns The 32 raw key bytes.
 * @throws {SyntaxError} If the id is not a valid peer id.
 *
 * @example Usage
 * ```ts
 * import { peerIdFromPublicKey, publicKeyFromPeerId } from "./peer_id.ts";
 * const key = new Uint8Array(32).fill(7);
 * const back = publicKeyFromPeerId(peerIdFromPublicKey(key));
 * console.assert(back[0] === 7);
 * ```
 */
export function publicKeyFromPeerId(peerId: string): Uint8Array {
  return peerIdBytes(peerId).slice(ED25519_TAG.length);
}

/**
 * Tells whether a string is a well-formed peer id.
 *
 * @param value Any value.
 * @returns `true` if {@linkcode publicKeyFromPeerId} accepts it.
 *
 * @example Usage
 * ```ts
 * import { isPeerId } from "./peer_id.ts";
 * console.assert(!isPeerId("not-a-peer"));
 * ```
 */
export function isPeerId(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    publicKeyFromPeerId(value);
    return true;
  } catch {
    return false;
  }
}
