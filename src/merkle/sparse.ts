/**
 * A sparse Merkle tree over 256-bit keys, kept compact: a subtree that holds one leaf is that
 * leaf, and an empty subtree is 32 zero bytes, so a tree of n random keys is about log2(n)
 * levels deep wherever it is read, not 256. A leaf is `SHA-256(0x00 || key || value)` (the
 * value a 32-byte hash of what the key holds), a node `SHA-256(0x01 || left || right)` as in
 * RFC 6962, the left child holding keys whose next bit is 0.
 *
 * A proof for a key is the siblings along its path, from the root down, and what the path ends
 * at: the key's own leaf (it is there, with that value), another key's leaf that shares the
 * path (it is not there), or an empty subtree (it is not there). Its compact encoding leaves
 * out empty siblings: at a million keys a proof is about 700 bytes.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { HASH_BYTES, nodeHash } from "./tree.ts";

/** Bytes of a key. */
export const SPARSE_KEY_BYTES = 32;
/** The hash of an empty subtree. */
export const SPARSE_EMPTY: Uint8Array = new Uint8Array(HASH_BYTES);

/** A key and the hash of what it holds. */
export interface SparseLeaf {
  /** 32 bytes. */
  key: Uint8Array;
  /** 32 bytes. */
  value: Uint8Array;
}

/** A proof of what a key holds, or that it holds nothing. */
export interface SparseProof {
  /** The siblings along the key's path, from the root's children down. */
  siblings: Uint8Array[];
  /** What the path ends at: a leaf (the key's own, or another's), or nothing (empty). */
  leaf?: SparseLeaf;
}

/**
 * A leaf's hash: `SHA-256(0x00 || key || value)`.
 *
 * @param key The key (32 bytes).
 * @param value The value's hash (32 bytes).
 * @returns The hash.
 *
 * @example Usage
 * ```ts
 * import { sparseLeafHash } from "./sparse.ts";
 * console.assert(sparseLeafHash(new Uint8Array(32), new Uint8Array(32)).length === 32);
 * ```
 */
export function sparseLeafHash(key: Uint8Array, value: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + 2 * HASH_BYTES);
  buf.set(key, 1);
  buf.set(value, 1 + HASH_BYTES);
  return sha256(buf);
}

/** Bit `i` of a key, from the most significant bit of its first byte. */
function bit(key: Uint8Array, i: number): number {
  return (key[i >> 3] >> (7 - (i & 7))) & 1;
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** The leaves sorted by key; a key given twice is refused. */
function sorted(leaves: readonly SparseLeaf[]): SparseLeaf[] {
  for (const l of leaves) {
    if (l.key.length !== SPARSE_KEY_BYTES || l.value.length !== HASH_BYTES) {
      throw new RangeError("A sparse leaf's key and value are 32 bytes each");
    }
  }
  const out = [...leaves].sort((a, b) => compare(a.key, b.key));
  for (let i = 1; i < out.length; i++) {
    if (compare(out[i - 1].key, out[i].key) === 0) throw new RangeError("A key is given twice");
  }
  return out;
}

/** The first index in [lo, hi) whose key has bit `depth` set (the keys are sorted). */
function split(s: readonly SparseLeaf[], lo: number, hi: number, depth: number): number {
  let [a, b] = [lo, hi];
  while (a < b) {
    const m = (a + b) >> 1;
    if (bit(s[m].key, depth) === 1) b = m;
    else a = m + 1;
  }
  return a;
}

/** The hash of the subtree at `depth` holding s[lo, hi). */
function subtree(s: readonly SparseLeaf[], lo: number, hi: number, depth: number): Uint8Array {
  if (hi === lo) return SPARSE_EMPTY;
  if (hi - lo === 1) return sparseLeafHash(s[lo].key, s[lo].value);
  const mid = split(s, lo, hi, depth);
  return nodeHash(subtree(s, lo, mid, depth + 1), subtree(s, mid, hi, depth + 1));
}

/**
 * The root of the tree holding these leaves.
 *
 * @param leaves Keys and value hashes, in any order, each key once.
 * @returns The root; {@linkcode SPARSE_EMPTY} for no leaf.
 * @throws {RangeError} For a key or value not 32 bytes, or a key given twice.
 *
 * @example Usage
 * ```ts
 * import { SPARSE_EMPTY, sparseRoot } from "./sparse.ts";
 * console.assert(sparseRoot([]) === SPARSE_EMPTY);
 * ```
 */
export function sparseRoot(leaves: readonly SparseLeaf[]): Uint8Array {
  const s = sorted(leaves);
  return subtree(s, 0, s.length, 0);
}

/**
 * The hash of the subtree at `depth` that holds these leaves, which share their first `depth`
 * bits: how a tree kept in parts (`sparse_state.ts`) hashes one part.
 *
 * @param leaves Keys and value hashes sharing their first `depth` bits, each key once.
 * @param depth The subtree's depth, from 0 (the root) to 256.
 * @returns The subtree's hash; {@linkcode SPARSE_EMPTY} for no leaf.
 * @throws {RangeError} For a key or value not 32 bytes, or a key given twice.
 *
 * @example Usage
 * ```ts
 * import { sparseLeafHash, sparseSubtree } from "./sparse.ts";
 * const leaf = { key: new Uint8Array(32), value: new Uint8Array(32).fill(7) };
 * const one = sparseSubtree([leaf], 16);
 * console.assert(one.every((b, i) => b === sparseLeafHash(leaf.key, leaf.value)[i]));
 * ```
 */
export function sparseSubtree(leaves: readonly SparseLeaf[], depth: number): Uint8Array {
  const s = sorted(leaves);
  return subtree(s, 0, s.length, depth);
}

/**
 * The proof for a key: of its value if the tree holds it, else of its absence.
 *
 * @param leaves The tree's leaves.
 * @param key The key.
 * @returns The proof.
 *
 * @example Usage
 * ```ts
 * import { sparseProof, sparseRoot, verifySparseProof } from "./sparse.ts";
 * const leaf = { key: new Uint8Array(32).fill(1), value: new Uint8Array(32).fill(2) };
 * const proof = sparseProof([leaf], leaf.key);
 * console.assert(verifySparseProof(sparseRoot([leaf]), leaf.key, leaf.value, proof));
 * ```
 */
export function sparseProof(leaves: readonly SparseLeaf[], key: Uint8Array): SparseProof {
  const s = sorted(leaves);
  const siblings: Uint8Array[] = [];
  let [lo, hi] = [0, s.length];
  for (let depth = 0; hi - lo > 1; depth++) {
    const mid = split(s, lo, hi, depth);
    if (bit(key, depth) === 0) {
      siblings.push(subtree(s, mid, hi, depth + 1));
      hi = mid;
    } else {
      siblings.push(subtree(s, lo, mid, depth + 1));
      lo = mid;
    }
  }
  return hi - lo === 1 ? { siblings, leaf: s[lo] } : { siblings };
}

/**
 * Checks a proof against a root.
 *
 * @param root The tree's root.
 * @param key The key.
 * @param value The value's hash it holds, or `undefined` to check that it holds nothing.
 * @param proof The proof.
 * @returns Whether the proof shows exactly that.
 *
 * @example Usage
 * ```ts
 * import { SPARSE_EMPTY, verifySparseProof } from "./sparse.ts";
 * console.assert(verifySparseProof(SPARSE_EMPTY, new Uint8Array(32), undefined, { siblings: [] }));
 * ```
 */
export function verifySparseProof(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | undefined,
  proof: SparseProof,
): boolean {
  const { siblings, leaf } = proof;
  if (key.length !== SPARSE_KEY_BYTES || siblings.length > 8 * SPARSE_KEY_BYTES) return false;
  if (siblings.some((h) => h.length !== HASH_BYTES)) return false;
  if (leaf && (leaf.key.length !== SPARSE_KEY_BYTES || leaf.value.length !== HASH_BYTES)) {
    return false;
  }
  if (value !== undefined) {
    // Present: the path ends at this key's leaf, with this value.
    if (!leaf || compare(leaf.key, key) !== 0 || !same(leaf.value, value)) return false;
  } else if (leaf) {
    // Absent: another key's leaf ends the path, so it shares the path's bits.
    if (compare(leaf.key, key) === 0) return false;
    for (let i = 0; i < siblings.length; i++) if (bit(leaf.key, i) !== bit(key, i)) return false;
  }
  let h = leaf ? sparseLeafHash(leaf.key, leaf.value) : SPARSE_EMPTY;
  for (let depth = siblings.length - 1; depth >= 0; depth--) {
    h = bit(key, depth) === 0 ? nodeHash(h, siblings[depth]) : nodeHash(siblings[depth], h);
  }
  return same(h, root);
}

/**
 * A proof's compact bytes: the sibling count (2 bytes), a bitmap of the siblings that are not
 * empty, those siblings, then 0 (the path ends empty) or 1 and the leaf's key and value.
 *
 * @param proof The proof.
 * @returns Its bytes.
 *
 * @example Usage
 * ```ts
 * import { decodeSparseProof, encodeSparseProof } from "./sparse.ts";
 * const bytes = encodeSparseProof({ siblings: [] });
 * console.assert(decodeSparseProof(bytes)?.siblings.length === 0);
 * ```
 */
export function encodeSparseProof(proof: SparseProof): Uint8Array {
  const d = proof.siblings.length;
  const full = proof.siblings.filter((h) => !same(h, SPARSE_EMPTY));
  const map = Math.ceil(d / 8);
  const out = new Uint8Array(2 + map + full.length * HASH_BYTES + 1 + (proof.leaf ? 64 : 0));
  new DataView(out.buffer).setUint16(0, d);
  proof.siblings.forEach((h, i) => {
    if (!same(h, SPARSE_EMPTY)) out[2 + (i >> 3)] |= 0x80 >> (i & 7);
  });
  let at = 2 + map;
  for (const h of full) {
    out.set(h, at);
    at += HASH_BYTES;
  }
  if (proof.leaf) {
    out[at] = 1;
    out.set(proof.leaf.key, at + 1);
    out.set(proof.leaf.value, at + 1 + SPARSE_KEY_BYTES);
  }
  return out;
}

/**
 * Reads a proof's compact bytes.
 *
 * @param bytes The bytes.
 * @returns The proof, or `undefined` if they are not one.
 *
 * @example Usage
 * ```ts
 * import { decodeSparseProof } from "./sparse.ts";
 * console.assert(decodeSparseProof(new Uint8Array([0])) === undefined);
 * ```
 */
export function decodeSparseProof(bytes: Uint8Array): SparseProof | undefined {
  if (bytes.length < 3) return undefined;
  const d = new DataView(bytes.buffer, bytes.byteOffset).getUint16(0);
  if (d > 8 * SPARSE_KEY_BYTES) return undefined;
  const map = Math.ceil(d / 8);
  let at = 2 + map;
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < d; i++) {
    if (at > bytes.length) return undefined;
    if (bytes[2 + (i >> 3)] & (0x80 >> (i & 7))) {
      if (at + HASH_BYTES > bytes.length) return undefined;
      const h = bytes.slice(at, at + HASH_BYTES);
      if (same(h, SPARSE_EMPTY)) return undefined; // an empty sibling is the bitmap's to say
      siblings.push(h);
      at += HASH_BYTES;
    } else siblings.push(SPARSE_EMPTY);
  }
  // One encoding per proof: no bit set past the last sibling.
  for (let i = d; i < 8 * map; i++) if (bytes[2 + (i >> 3)] & (0x80 >> (i & 7))) return undefined;
  if (at >= bytes.length) return undefined;
  if (bytes[at] === 0 && at + 1 === bytes.length) return { siblings };
  if (bytes[at] === 1 && at + 65 === bytes.length) {
    const key = bytes.slice(at + 1, at + 33);
    return { siblings, leaf: { key, value: bytes.slice(at + 33, at + 65) } };
  }
  return undefined;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
