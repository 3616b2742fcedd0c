/**
 * Placement of peers, accounts, topics and content on shards.
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

export * from "./sample.ts";
