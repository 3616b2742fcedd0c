/**
 * Placement of peers, accounts, topics and content on shards (`Placement`: the slot map a
 * process follows, and every home reckoned through it), and the helpers that need
 * nothing but placement: the homes of addresses and the observer, and the ordered hand-off
 * of items to other shards.
 *
 * @example Usage
 * ```ts
 * import { shardName, shardOf } from "./mod.ts";
 * console.assert(shardName("dev", shardOf("peer", 4)).startsWith("dev/shard-"));
 * ```
 *
 * @module
 */
export * from "./shard.ts";
export * from "./placement.ts";
export * from "./home_cache.ts";
export * from "./slot.ts";
export * from "./slot_map.ts";
export * from "./slot_map_signature.ts";
export * from "./growth_plan.ts";
export * from "./growth_step.ts";
export * from "./slot_fence.ts";
export * from "./homes.ts";
export * from "./sample.ts";
export * from "./shard_queue.ts";
