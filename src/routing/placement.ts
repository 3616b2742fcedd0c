/**
 * Where keys live, as one process knows it now: the newest slot map it has adopted. Every home
 * a process computes (a peer's, an account's, a topic's, an address's, a content's) goes
 * through one of these, so that when the network grows and a newer map arrives, every caller
 * follows it at once; none keeps a shard count of its own.
 *
 * @module
 */
import { assertShardCount, shardOf } from "./shard.ts";
import { placesBySlot } from "./slot.ts";
import { SlotMap } from "./slot_map.ts";

/** Where a home is reckoned: a process's live placement, or a shard count's first map. */
export type Where = Placement | number;

/**
 * A process's live placement: its network's slot map at the newest version it has seen.
 *
 * @example Usage
 * ```ts
 * import { Placement } from "./placement.ts";
 * import { shardOf } from "./shard.ts";
 * const placement = new Placement(8);
 * console.assert(placement.home("peer") === shardOf("peer", 8)); // the first map keeps every home
 * const half = placement.map!.slotsOf(0).filter((s) => s % 16 === 8);
 * placement.adopt(placement.map!.assign(new Map(half.map((s) => [s, 8]))));
 * console.assert(placement.version === 2 && placement.shards === 9);
 * ```
 */
export class Placement {
  #map: SlotMap | undefined;
  readonly #count: number;

  /**
   * Starts at a network's first map (slot `s` on shard `s mod shards`).
   *
   * @param shards The network's first shard count. A count that does not divide the slot
   * space places keys by their digest modulo it, and cannot adopt a map (it cannot grow).
   */
  constructor(shards: number) {
    assertShardCount(shards);
    this.#count = shards;
    this.#map = placesBySlot(shards) ? SlotMap.initial(shards) : undefined;
  }

  /**
   * The placement to follow: the one given, or a first map of its own for a shard count.
   *
   * @param where A live placement, or a shard count.
   * @returns A placement.
   */
  static from(where: Where): Placement {
    return typeof where === "number" ? new Placement(where) : where;
  }

  /** The map in use, or `undefined` for a network that places by modulo and cannot grow. */
  get map(): SlotMap | undefined {
    return this.#map;
  }

  /** The map's version (1 until the network grows; 1 for a network without slots). */
  get version(): number {
    return this.#map?.version ?? 1;
  }

  /** Shards in use: every shard below it holds a slot. */
  get shards(): number {
    return this.#map?.shards ?? this.#count;
  }

  /**
   * The home shard of a key.
   *
   * @param key The key: a peer id, an account, a topic, a content's root, a hash.
   * @returns Its shard under the map in use.
   */
  home(key: string | Uint8Array): number {
    return this.#map ? this.#map.shardOf(key) : shardOf(key, this.#count);
  }

  /**
   * Adopts a newer map; an older or equal one, or any map for a network without slots, is
   * left. The caller has checked its signature.
   *
   * @param map The map.
   * @returns Whether it is now the map in use.
   */
  adopt(map: SlotMap): boolean {
    if (!this.#map || map.version <= this.#map.version) return false;
    this.#map = map;
    return true;
  }
}
