/**
 * Placement: which shard is the home of a peer, account, topic or content root.
 *
 * The home of a key is the first four bytes of its SHA-256 digest, read as a big-endian
 * unsigned integer, modulo the network's shard count. Where the count divides 4,096 (a power of
 * two) that is the key's slot (`slot.ts`) modulo the count: the placement of the network's
 * first slot map (`slot_map.ts`), from which it can grow. Any other count keeps it as it is,
 * with no slot map: a network made before slots finds every key where it was.
 *
 * @module
 */
import { hashHead } from "./slot.ts";

/** The most shards a network may have. */
export const MAX_SHARDS = 1024;

/**
 * Returns the home shard of a key.
 *
 * @param key A peer id, account id, topic name or content root.
 * @param shardCount The network's shard count, 1 to {@linkcode MAX_SHARDS}.
 * @returns A shard index in `[0, shardCount)`.
 * @throws {RangeError} If the shard count is out of range.
 *
 * @example Usage
 * ```ts
 * import { shardOf } from "./shard.ts";
 * const k = shardOf("some-topic", 8);
 * console.assert(k >= 0 && k < 8);
 * ```
 */
export function shardOf(key: string | Uint8Array, shardCount: number): number {
  assertShardCount(shardCount);
  // The same number either way where the count divides 4,096: (h mod 4096) mod n = h mod n.
  return hashHead(key) % shardCount;
}

/**
 * Returns the name of a shard's super-peer object: `network/shard-k`.
 *
 * @param network The network id.
 * @param shard The shard index.
 * @returns The object name.
 *
 * @example Usage
 * ```ts
 * import { shardName } from "./shard.ts";
 * console.assert(shardName("dev", 3) === "dev/shard-3");
 * ```
 */
export function shardName(network: string, shard: number): string {
  return `${network}/shard-${shard}`;
}

/**
 * Reads the shard out of a super-peer object's name: how an object knows which shard it is.
 *
 * @param name The object's name, `network/shard-k`.
 * @returns The shard, or `undefined` if the name is not a shard's.
 *
 * @example Usage
 * ```ts
 * import { shardFromName } from "./shard.ts";
 * console.assert(shardFromName("dev/shard-3") === 3);
 * console.assert(shardFromName("dev") === undefined);
 * ```
 */
export function shardFromName(name: string | undefined): number | undefined {
  const m = name ? /\/shard-([0-9]{1,5})$/.exec(name) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * Throws unless a shard count is a whole number from 1 to {@linkcode MAX_SHARDS}.
 *
 * @param shardCount The value to check.
 * @throws {RangeError} If it is not.
 *
 * @example Usage
 * ```ts
 * import { assertShardCount } from "./shard.ts";
 * assertShardCount(16);
 * ```
 */
export function assertShardCount(shardCount: number): void {
  if (!Number.isInteger(shardCount) || shardCount < 1 || shardCount > MAX_SHARDS) {
    throw new RangeError(
      `Cannot place a key: shard count is ${shardCount}, expected a whole number from 1 to ${MAX_SHARDS}`,
    );
  }
}
