/**
 * Merkle trees as in RFC 6962 (section 2.1): leaf and node hashes are domain-separated, an
 * odd node is promoted rather than duplicated, and a tree of n leaves splits at the largest
 * power of two below n. Inclusion proofs are the RFC's audit paths, verified with the
 * algorithm of RFC 9162 section 2.1.3.2.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { nodeSha256 } from "./node_sha256.ts";
import { split } from "./_split.ts";

/** Bytes of a SHA-256 hash. */
export const HASH_BYTES = 32;

/** Most leaves {@linkcode merkleRootSteps} hashes between two yields (about 0.2 ms here). */
export const MERKLE_STEP = 128;

/**
 * Hashes a leaf: `SHA-256(0x00 || data)`.
 *
 * @param data The leaf's bytes.
 * @returns The leaf hash.
 *
 * @example Usage
 * ```ts
 * import { leafHash } from "./tree.ts";
 * console.assert(leafHash(new Uint8Array()).length === 32);
 * ```
 */
export function leafHash(data: Uint8Array): Uint8Array {
  // One copy, then one aligned pass: faster than feeding the prefix and the data apart,
  // which leaves every block of the data unaligned.
  const buf = new Uint8Array(1 + data.length);
  buf[0] = 0x00;
  buf.set(data, 1);
  return sha256(buf);
}

/**
 * Hashes two children: `SHA-256(0x01 || left || right)`.
 *
 * @param left The left child's hash.
 * @param right The right child's hash.
 * @returns The node hash.
 *
 * @example Usage
 * ```ts
 * import { leafHash, nodeHash } from "./tree.ts";
 * const l = leafHash(new Uint8Array([1]));
 * console.assert(nodeHash(l, l).length === 32);
 * ```
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === HASH_BYTES && right.length === HASH_BYTES) return nodeSha256(left, right);
  // A child of another length (a malformed proof from the network): hashed as it always was,
  // so that it fails to verify rather than throws.
  const buf = new Uint8Array(1 + 2 * HASH_BYTES);
  buf[0] = 0x01;
  buf.set(left, 1);
  buf.set(right, 1 + HASH_BYTES);
  return sha256(buf);
}

/**
 * The Merkle tree hash of a list of leaf hashes; the empty tree's is `SHA-256("")`.
 *
 * @param leaves Leaf hashes, in order.
 * @returns The root hash.
 *
 * @example Usage
 * ```ts
 * import { leafHash, merkleRoot } from "./tree.ts";
 * const one = leafHash(new Uint8Array());
 * console.assert(merkleRoot([one]).every((b, i) => b === one[i]));
 * ```
 */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return sha256(new Uint8Array());
  // Bottom-up, promoting the last node of an odd level: the same tree as the RFC's
  // recursive definition, without recursion.
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/**
 * {@linkcode merkleRoot} in steps: the leaves are hashed in runs of a power of two (at most
 * `step`), each a whole subtree of the RFC's tree, with a yield after each run; the runs' roots
 * are then paired the same way, which gives the same root.
 *
 * @param leaves Leaf hashes, in order.
 * @param step Most leaves hashed between two yields (rounded down to a power of two).
 * @returns The root hash, once done.
 *
 * @example Usage
 * ```ts
 * import { leafHash, merkleRoot, merkleRootSteps } from "./tree.ts";
 * import { runSteps } from "../runtime/steps.ts";
 * const leaves = [1, 2, 3, 4, 5].map((b) => leafHash(new Uint8Array([b])));
 * const root = runSteps(merkleRootSteps(leaves, 2));
 * console.assert(root.every((b, i) => b === merkleRoot(leaves)[i]));
 * ```
 */
export function* merkleRootSteps(
  leaves: readonly Uint8Array[],
  step: number = MERKLE_STEP,
): Generator<void, Uint8Array, void> {
  const run = 2 ** Math.floor(Math.log2(Math.max(1, step)));
  if (leaves.length <= run) return merkleRoot(leaves);
  const roots: Uint8Array[] = [];
  for (let i = 0; i < leaves.length; i += run) {
    roots.push(merkleRoot(leaves.slice(i, i + run)));
    yield;
  }
  return merkleRoot(roots);
}

/**
 * The audit path of leaf `index`: the sibling hashes from the leaf up to the root.
 *
 * @param leaves Leaf hashes, in order.
 * @param index The leaf's index.
 * @returns The proof.
 * @throws {RangeError} If the index is out of range.
 *
 * @example Usage
 * ```ts
 * import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from "./tree.ts";
 * const leaves = [1, 2, 3].map((b) => leafHash(new Uint8Array([b])));
 * const proof = inclusionProof(leaves, 2);
 * console.assert(verifyInclusion(leaves[2], 2, 3, proof, merkleRoot(leaves)));
 * ```
 */
export function inclusionProof(leaves: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`Cannot prove leaf ${index} of a tree of ${leaves.length}`);
  }
  return inclusionPath(index, leaves.length, (lo, hi) => merkleRoot(leaves.slice(lo, hi)));
}

/**
 * The audit path of leaf `index` in a tree of `size` leaves whose subtree hashes `subtree(lo,
 * hi)` gives (the root of leaves `[lo, hi)`): RFC 6962's `PATH`. The one walk behind
 * {@linkcode inclusionProof} and a stored log's proofs.
 *
 * @param index The leaf, below `size`.
 * @param size The tree's size.
 * @param subtree The hash of a range of leaves.
 * @returns The path, from the leaf up.
 *
 * @example Usage
 * ```ts
 * import { inclusionPath, leafHash, merkleRoot } from "./tree.ts";
 * const leaves = [1, 2, 3].map((b) => leafHash(new Uint8Array([b])));
 * console.assert(inclusionPath(2, 3, (lo, hi) => merkleRoot(leaves.slice(lo, hi))).length === 1);
 * ```
 */
export function inclusionPath(
  index: number,
  size: number,
  subtree: (lo: number, hi: number) => Uint8Array,
): Uint8Array[] {
  const path: Uint8Array[] = [];
  let lo = 0;
  let hi = size;
  // Walk down from the root, collecting the sibling subtree of each split; deepest first.
  while (hi - lo > 1) {
    const k = split(hi - lo);
    if (index < lo + k) {
      path.push(subtree(lo + k, hi));
      hi = lo + k;
    } else {
      path.push(subtree(lo, lo + k));
      lo = lo + k;
    }
  }
  return path.reverse();
}

/**
 * Checks an inclusion proof (RFC 9162, section 2.1.3.2).
 *
 * @param leaf The leaf hash.
 * @param index The leaf's index.
 * @param size The tree's size.
 * @param proof The audit path.
 * @param root The expected root.
 * @returns Whether the proof shows the leaf at that index in a tree with that root.
 *
 * @example Usage
 * ```ts
 * import { leafHash, verifyInclusion } from "./tree.ts";
 * const leaf = leafHash(new Uint8Array([1]));
 * console.assert(verifyInclusion(leaf, 0, 1, [], leaf));
 * ```
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) {
    return false;
  }
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (p.length !== HASH_BYTES || sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.length === root.length && r.every((b, i) => b === root[i]);
}
