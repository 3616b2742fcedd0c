/**
 * The bounded caches of the SQLite ledger storage: accounts and meta values read or written,
 * `null` for one known absent.
 *
 * @module
 */

/** Most entries a cache keeps; it is emptied when full. */
export const CACHE_MAX = 65_536;

/**
 * Caches a value. A full cache is emptied first, but for the writes it still holds (a held
 * write is read from the cache until it is made, so the cache must keep it).
 *
 * @example Usage
 * ```ts
 * import { remember } from "./_held_cache.ts";
 * const cache = new Map<string, string | null>();
 * remember(cache, new Map(), "a", null); // known absent
 * console.assert(cache.get("a") === null);
 * ```
 *
 * @param cache The cache.
 * @param held The writes held to the transaction's end, by key.
 * @param key The key.
 * @param value Its value, or `null` for known absent.
 */
export function remember<V>(
  cache: Map<string, V | null>,
  held: ReadonlyMap<string, V>,
  key: string,
  value: V | null,
): void {
  if (cache.size >= CACHE_MAX) {
    cache.clear();
    for (const [k, v] of held) cache.set(k, typeof v === "object" ? { ...v } : v);
  }
  cache.set(key, value);
}
