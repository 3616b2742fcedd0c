/**
 * Uniform random samples without replacement, for discovery.
 *
 * @module
 */

/**
 * Up to `count` items drawn at random, without replacement. The input is reordered in
 * place: only the first `count` places are drawn (a partial Fisher-Yates shuffle).
 *
 * @example Usage
 * ```ts
 * import { sampleOf } from "./sample.ts";
 * const two = sampleOf([1, 2, 3, 4], 2);
 * console.assert(two.length === 2 && two[0] !== two[1]);
 * ```
 *
 * @param items The items to draw from; reordered.
 * @param count How many.
 * @returns The sample.
 */
export function sampleOf<T>(items: T[], count: number): T[] {
  const n = Math.max(0, Math.min(count, items.length));
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (items.length - i));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items.slice(0, n);
}
