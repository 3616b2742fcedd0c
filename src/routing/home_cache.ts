/**
 * Homes of keys that recur (accounts, peers), remembered so that the hot paths hash each once.
 *
 * @module
 */
import { Placement, type Where } from "./placement.ts";

/**
 * Remembers the home shards of keys that recur. Bounded: emptied when full, and when the
 * placement it follows adopts a newer map (a remembered home may have moved).
 *
 * @example Usage
 * ```ts
 * import { HomeCache } from "./home_cache.ts";
 * import { shardOf } from "./shard.ts";
 * const homes = new HomeCache(8);
 * console.assert(homes.of("peer") === shardOf("peer", 8));
 * ```
 */
export class HomeCache {
  readonly #placement: Placement;
  readonly #max: number;
  readonly #homes = new Map<string, number>();
  #version: number;

  /**
   * Makes an empty cache.
   *
   * @param where The live placement to follow, or a shard count (a first map of its own).
   * @param max Most keys remembered. @default 65536
   */
  constructor(where: Where, max = 65_536) {
    this.#placement = Placement.from(where);
    this.#version = this.#placement.version;
    this.#max = max;
  }

  /**
   * The home shard of a key, if it is remembered under the map in use.
   *
   * @param key The key.
   * @returns Its home, or `undefined` when the key was not seen (or was forgotten).
   */
  known(key: string): number | undefined {
    this.#follow();
    return this.#homes.get(key);
  }

  /**
   * The home shard of a key.
   *
   * @param key The key.
   * @returns Its home under the map in use.
   */
  of(key: string): number {
    this.#follow();
    let home = this.#homes.get(key);
    if (home === undefined) {
      home = this.#placement.home(key);
      if (this.#homes.size >= this.#max) this.#homes.clear();
      this.#homes.set(key, home);
    }
    return home;
  }

  #follow(): void {
    if (this.#placement.version === this.#version) return;
    this.#version = this.#placement.version;
    this.#homes.clear();
  }
}
