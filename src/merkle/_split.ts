/**
 * Where RFC 6962 splits a tree of n leaves: the largest power of two strictly below n.
 *
 * @module
 */

/**
 * The largest power of two strictly below `n` (n ≥ 2).
 *
 * @param n The tree's size.
 * @returns The size of its left subtree.
 *
 * @example Usage
 * ```ts
 * import { split } from "./_split.ts";
 * console.assert(split(5) === 4 && split(8) === 4 && split(2) === 1);
 * ```
 */
export function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
