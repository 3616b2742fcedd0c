/**
 * The homes that are not a peer's or an account's own: a client address's limits, a topic,
 * the network's observer, and the shard an object is. The edge and the super-peers both
 * place these, so they live here rather than in either wing.
 *
 * @module
 */
import { shardFromName, shardOf } from "./shard.ts";
import type { Where } from "./placement.ts";

// A count places by `shardOf` at once: no map is made for one home.
const homeIn = (key: string, where: Where): number =>
  typeof where === "number" ? shardOf(key, where) : where.home(key);

/** The topic on which the network publishes its summary; its home is the observer. */
export const STATS_TOPIC = "$stats";

/**
 * The home shard of a client address's limits (an IPv4 address or an IPv6 /64).
 *
 * @param address The address, as the edge keys it.
 * @param where The live placement, or the network's shard count.
 * @returns The shard.
 *
 * @example Usage
 * ```ts
 * import { addressHome } from "./homes.ts";
 * console.assert(addressHome("203.0.113.9", 8) < 8);
 * ```
 */
export function addressHome(address: string, where: Where): number {
  // Prefixed so that an address never shares a home by accident with a topic of its name.
  return homeIn(`address:${address}`, where);
}

/**
 * The home shard of a topic: it keeps which shards have the topic's subscribers.
 *
 * @param topic The topic.
 * @param where The live placement, or the network's shard count.
 * @returns The shard.
 *
 * @example Usage
 * ```ts
 * import { topicHome } from "./homes.ts";
 * console.assert(topicHome("news", 8) < 8);
 * ```
 */
export function topicHome(topic: string, where: Where): number {
  return homeIn(topic, where);
}

/**
 * The shard that observes a network: the home of {@linkcode STATS_TOPIC}.
 *
 * @param where The live placement, or the network's shard count.
 * @returns The observer's shard.
 *
 * @example Usage
 * ```ts
 * import { observerShard } from "./homes.ts";
 * console.assert(observerShard(1) === 0);
 * ```
 */
export function observerShard(where: Where): number {
  return topicHome(STATS_TOPIC, where);
}

/**
 * The shard a super-peer object is the home of, read from its name (`network/shard-k`).
 *
 * @param name The object's name.
 * @param shards The network's shard count.
 * @returns The shard.
 * @throws {RangeError} If the name is no shard's of a network of this many shards.
 *
 * @example Usage
 * ```ts
 * import { shardOfObject } from "./homes.ts";
 * console.assert(shardOfObject("dev/shard-3", 8) === 3);
 * ```
 */
export function shardOfObject(name: string | undefined, shards: number): number {
  const shard = shardFromName(name);
  if (shard === undefined || shard >= shards) {
    throw new RangeError(`Cannot start a super-peer named "${name}": not a shard's name`);
  }
  return shard;
}
