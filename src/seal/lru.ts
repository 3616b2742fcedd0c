/**
 * A map that keeps at most a given number of entries, forgetting the least recently used
 * first: what a sealer keeps per remote peer must not grow with the number of peers that
 * write to it, since anyone can make new peer ids.
 *
 * @module
 */

/**
 * A bounded map, most recently used last.
 *
 * @example Usage
 * ```ts
 * import { Lru } from "./lru.ts";
 * const kept = new Lru<string, number>(2);
 * kept.set("a", 1), kept.set("b", 2), kept.get("a"), kept.set("c", 3);
 * console.assert(kept.get("b") === undefined && kept.get("a") === 1 && kept.size === 2);
 * ```
 */
export class Lru<K, V> {
  readonly #max: number;
  readonly #entries = new Map<K, V>();

  /**
   * Makes an empty map.
   *
   * @param max The most entries kept (at least 1).
   * @throws {RangeError} If `max` is below 1.
   */
  constructor(max: number) {
    if (!(max >= 1)) throw new RangeError(`Cannot keep at most ${max} entries: at least 1`);
    this.#max = max;
  }

  /** How many entries are kept. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * An entry, now the most recently used.
   *
   * @param key Its key.
   * @returns Its value, if kept.
   */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /**
   * Keeps an entry as the most recently used, forgetting the least recently used if full.
   *
   * @param key Its key.
   * @param value Its value.
   */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#max) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, value);
  }
}
