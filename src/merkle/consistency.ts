/**
 * Consistency proofs (RFC 9162, section 2.1.4): that the tree of the first `oldSize` leaves is
 * a prefix of the tree of all of them, so that a log which showed one root at one size and
 * another at a larger size only appended in between. A proof is the RFC's `SUBPROOF`: at most
 * about two hashes per level of the larger tree. Verified with the algorithm of RFC 9162
 * section 2.1.4.2, which recomputes both roots from the proof alone.
 *
 * @module
 */
import { HASH_BYTES, merkleRoot, nodeHash } from "./tree.ts";
import { split } from "./_split.ts";

/**
 * The consistency proof from the tree of the first `oldSize` leaves to the tree of all of them.
 *
 * @param leaves Leaf hashes of the larger tree, in order.
 * @param oldSize The size of the smaller tree, from 0 to `leaves.length`.
 * @returns The proof: empty when `oldSize` is 0 or the whole tree.
 * @throws {RangeError} If `oldSize` is not a whole number in that range.
 *
 * @example Usage
 * ```ts
 * import { consistencyProof, verifyConsistency } from "./consistency.ts";
 * import { leafHash, merkleRoot } from "./tree.ts";
 * const leaves = [1, 2, 3, 4, 5].map((b) => leafHash(new Uint8Array([b])));
 * const proof = consistencyProof(leaves, 3);
 * const [oldRoot, newRoot] = [merkleRoot(leaves.slice(0, 3)), merkleRoot(leaves)];
 * console.assert(verifyConsistency(3, 5, oldRoot, newRoot, proof));
 * ```
 */
export function consistencyProof(leaves: readonly Uint8Array[], oldSize: number): Uint8Array[] {
  const n = leaves.length;
  if (!Number.isInteger(oldSize) || oldSize < 0 || oldSize > n) {
    throw new RangeError(`Cannot prove size ${oldSize} consistent with a tree of ${n}`);
  }
  return consistencyPath(oldSize, n, (lo, hi) => merkleRoot(leaves.slice(lo, hi)));
}

/**
 * The consistency proof from size `oldSize` to size `newSize` of a tree whose subtree hashes
 * `subtree(lo, hi)` gives (the root of leaves `[lo, hi)`): RFC 6962's `SUBPROOF`, built without
 * recursion. The one walk behind {@linkcode consistencyProof} and a stored log's proofs.
 *
 * @param oldSize The smaller size, from 0 to `newSize`.
 * @param newSize The larger size.
 * @param subtree The hash of a range of leaves.
 * @returns The proof.
 *
 * @example Usage
 * ```ts
 * import { consistencyPath } from "./consistency.ts";
 * import { leafHash, merkleRoot } from "./tree.ts";
 * const leaves = [1, 2, 3].map((b) => leafHash(new Uint8Array([b])));
 * const proof = consistencyPath(2, 3, (lo, hi) => merkleRoot(leaves.slice(lo, hi)));
 * console.assert(proof.length === 1);
 * ```
 */
export function consistencyPath(
  oldSize: number,
  newSize: number,
  subtree: (lo: number, hi: number) => Uint8Array,
): Uint8Array[] {
  if (oldSize === 0 || oldSize === newSize) return [];
  // SUBPROOF(m, D[lo:hi], whole): walking down the larger tree, each level gives the hash of
  // the side the smaller tree does not reach into, deepest first once reversed.
  const path: Uint8Array[] = [];
  let lo = 0;
  let hi = newSize;
  let m = oldSize;
  let whole = true;
  while (m !== hi - lo) {
    const k = split(hi - lo);
    if (m <= k) {
      // The smaller tree lies within the left subtree: the right one is new.
      path.push(subtree(lo + k, hi));
      hi = lo + k;
    } else {
      // The smaller tree takes the whole left subtree, which both share.
      path.push(subtree(lo, lo + k));
      lo = lo + k;
      m -= k;
      whole = false;
    }
  }
  // A smaller tree that is a whole subtree of the larger is known to the verifier (its root);
  // otherwise the subtree reached is given.
  if (!whole) path.push(subtree(lo, hi));
  return path.reverse();
}

/**
 * Checks a consistency proof (RFC 9162, section 2.1.4.2).
 *
 * @param oldSize The smaller tree's size.
 * @param newSize The larger tree's size.
 * @param oldRoot The smaller tree's root.
 * @param newRoot The larger tree's root.
 * @param proof The proof.
 * @returns Whether the proof shows the smaller tree to be a prefix of the larger.
 *
 * @example Usage
 * ```ts
 * import { verifyConsistency } from "./consistency.ts";
 * import { leafHash } from "./tree.ts";
 * const root = leafHash(new Uint8Array([1]));
 * console.assert(verifyConsistency(1, 1, root, root, []));
 * ```
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isInteger(oldSize) || !Number.isInteger(newSize)) return false;
  if (oldSize < 0 || oldSize > newSize) return false;
  if (proof.some((p) => p.length !== HASH_BYTES)) return false;
  // Every tree extends the empty one, and a tree extends only itself at its own size.
  if (oldSize === 0) return proof.length === 0;
  if (oldSize === newSize) return proof.length === 0 && same(oldRoot, newRoot);
  if (proof.length === 0) return false;
  // A smaller tree that is a whole subtree starts the walk from its own root.
  // (Not `&`: sizes pass 2^32.)
  const whole = 2 ** Math.round(Math.log2(oldSize)) === oldSize;
  const path = whole ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(fr, oldRoot) && same(sr, newRoot);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
