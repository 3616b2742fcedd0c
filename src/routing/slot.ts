/**
 * Slots: every key hashes to one of {@linkcode SLOT_COUNT} slots, which the network's map
 * (`slot_map.ts`) assigns to shards. A key's slot is the first four bytes of its SHA-256
 * digest, read as a big-endian unsigned integer, modulo {@linkcode SLOT_COUNT}. SHA-256 runs
 * synchronously here (WebCrypto's digest is asynchronous), because the relay asks for it on
 * every frame.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";

/** The size of the slot space: fixed for a network's life. */
export const SLOT_COUNT = 4096;

const encoder = new TextEncoder();

/**
 * The slot of a key.
 *
 * @param key A peer id, account id, topic name or content root.
 * @returns A slot in `[0, SLOT_COUNT)`.
 *
 * @example Usage
 * ```ts
 * import { SLOT_COUNT, slotOf } from "./slot.ts";
 * const s = slotOf("some-topic");
 * console.assert(s >= 0 && s < SLOT_COUNT);
 * ```
 */
export function slotOf(key: string | Uint8Array): number {
  return hashHead(key) % SLOT_COUNT;
}

/**
 * The first four bytes of a key's SHA-256 digest, as a big-endian unsigned integer: what a
 * key's slot is taken from, and the placement of a network whose shard count does not divide
 * {@linkcode SLOT_COUNT} (`shard.ts`).
 *
 * @param key A peer id, account id, topic name or content root.
 * @returns An integer in `[0, 2^32)`.
 *
 * @example Usage
 * ```ts
 * import { hashHead } from "./slot.ts";
 * console.assert(hashHead("abc") === 0xba7816bf);
 * ```
 */
export function hashHead(key: string | Uint8Array): number {
  const digest = sha256(typeof key === "string" ? encoder.encode(key) : key);
  return ((digest[0] << 24) | (digest[1] << 16) | (digest[2] << 8) | digest[3]) >>> 0;
}

/**
 * Whether a network of this many shards places keys by slots: its count divides
 * {@linkcode SLOT_COUNT} (a power of two up to it). Other counts keep the digest modulo the
 * count, the placement of networks before slots, and have no slot map (they cannot grow).
 *
 * @param shards The shard count.
 * @returns Whether it divides the slot space.
 *
 * @example Usage
 * ```ts
 * import { placesBySlot } from "./slot.ts";
 * console.assert(placesBySlot(8) && !placesBySlot(3));
 * ```
 */
export function placesBySlot(shards: number): boolean {
  return Number.isInteger(shards) && shards >= 1 && SLOT_COUNT % shards === 0;
}
