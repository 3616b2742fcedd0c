/**
 * The Merkle tree of a content's pieces, kept whole by whoever serves it so that each piece's
 * audit path comes in O(log n), and the check a downloader makes of every piece it gets: its
 * length, its leaf hash and its path against the content id's root (RFC 9162 2.1.3.2).
 *
 * @module
 */
import { HASH_BYTES, leafHash, merkleRoot, nodeHash, verifyInclusion } from "../merkle/mod.ts";
import { type ContentId, contentId, PIECE_BYTES, pieceCount, pieceLength } from "./content_id.ts";

/**
 * The tree over a content's pieces, every level kept.
 *
 * @example Usage
 * ```ts
 * import { PieceTree, verifyPiece } from "./piece_tree.ts";
 * const bytes = new Uint8Array(40_000).map((_, i) => i % 251);
 * const tree = PieceTree.of(bytes);
 * const piece = bytes.subarray(16_384, 32_768);
 * console.assert(verifyPiece(tree.id, 1, piece, tree.proof(1)));
 * console.assert(!verifyPiece(tree.id, 0, piece, tree.proof(1)));
 * ```
 */
export class PieceTree {
  /** The content's id. */
  readonly id: ContentId;
  /** Level 0 is the leaf hashes; the last level is the root alone. */
  readonly #levels: Uint8Array[][];

  private constructor(levels: Uint8Array[][], size: number) {
    this.#levels = levels;
    const top = levels.at(-1)!;
    this.id = contentId(top.length === 1 ? top[0] : merkleRoot([]), size);
  }

  /**
   * The tree of content held in memory.
   *
   * @param bytes The content.
   * @returns The tree.
   */
  static of(bytes: Uint8Array): PieceTree {
    const leaves: Uint8Array[] = [];
    for (let i = 0; i < pieceCount(bytes.length); i++) {
      leaves.push(leafHash(bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES)));
    }
    return PieceTree.fromLeaves(leaves, bytes.length);
  }

  /**
   * The tree of a content's leaf hashes (from a stream read piece by piece, say).
   *
   * @param leaves Each piece's leaf hash, in order.
   * @param size The content's size.
   * @returns The tree.
   * @throws {RangeError} If the number of leaves does not fit the size.
   */
  static fromLeaves(leaves: Uint8Array[], size: number): PieceTree {
    if (leaves.length !== pieceCount(size)) {
      throw new RangeError(`${leaves.length} pieces do not make ${size} bytes`);
    }
    // Bottom-up, the last node of an odd level promoted: the RFC 6962 tree.
    const levels = [leaves];
    while (levels.at(-1)!.length > 1) {
      const level = levels.at(-1)!;
      const next: Uint8Array[] = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
      if (level.length % 2 === 1) next.push(level[level.length - 1]);
      levels.push(next);
    }
    return new PieceTree(levels, size);
  }

  /**
   * The audit path of a piece.
   *
   * @param index The piece.
   * @returns The sibling hashes from the leaf up; a promoted node has none at its level.
   * @throws {RangeError} If there is no such piece.
   */
  proof(index: number): Uint8Array[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.id.pieces) {
      throw new RangeError(`No piece ${index} of ${this.id.pieces}`);
    }
    const path: Uint8Array[] = [];
    let i = index;
    for (const level of this.#levels.slice(0, -1)) {
      const sibling = i ^ 1;
      if (sibling < level.length) path.push(level[sibling]);
      i >>= 1;
    }
    return path;
  }

  /**
   * The leaf hash of a piece.
   *
   * @param index The piece.
   * @returns Its leaf hash.
   */
  leaf(index: number): Uint8Array {
    return this.#levels[0][index];
  }
}

/**
 * Checks a piece against a content id: its length for its index, and its audit path to the
 * root. Never throws.
 *
 * @example Usage
 * ```ts
 * import { PieceTree, verifyPiece } from "./piece_tree.ts";
 * const tree = PieceTree.of(new Uint8Array(10));
 * console.assert(verifyPiece(tree.id, 0, new Uint8Array(10), tree.proof(0)));
 * console.assert(!verifyPiece(tree.id, 0, new Uint8Array(9), tree.proof(0)));
 * ```
 *
 * @param id The content id.
 * @param index The piece's index.
 * @param piece Its bytes.
 * @param proof Its audit path.
 * @returns Whether it is that piece of that content.
 */
export function verifyPiece(
  id: ContentId,
  index: number,
  piece: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isInteger(index) || index < 0 || index >= id.pieces) return false;
  if (piece.length !== pieceLength(id.size, index)) return false;
  return verifyInclusion(leafHash(piece), index, id.pieces, proof, id.root);
}

/**
 * Checks the pieces of one content as they come, remembering the inner nodes it proved: a
 * piece's path is followed only up to a node already proved, so a whole download hashes
 * each inner node once instead of once per piece. Accepts exactly what `verifyPiece` does.
 *
 * @example Usage
 * ```ts
 * import { PieceTree, PieceVerifier } from "./piece_tree.ts";
 * const bytes = new Uint8Array(50_000).map((_, i) => (i * i) >> 8);
 * const tree = PieceTree.of(bytes);
 * const verifier = new PieceVerifier(tree.id);
 * const piece = (i: number) => bytes.subarray(i * 16_384, (i + 1) * 16_384);
 * console.assert(verifier.verify(0, piece(0), tree.proof(0)));
 * console.assert(verifier.verify(1, piece(1), tree.proof(1)));
 * console.assert(!verifier.verify(2, piece(1), tree.proof(2)));
 * ```
 */
export class PieceVerifier {
  readonly #id: ContentId;
  /** The number of nodes at each level, leaves first. */
  readonly #sizes: number[] = [];
  /** Proved nodes, by level and index. */
  readonly #proved = new Map<number, Uint8Array>();

  /**
   * Starts checking one content's pieces.
   *
   * @param id The content.
   */
  constructor(id: ContentId) {
    this.#id = id;
    for (let n = id.pieces; n > 1; n = Math.ceil(n / 2)) this.#sizes.push(n);
  }

  /**
   * Checks a piece: its length for its index, and its path up to the root or to a node
   * proved before. Never throws.
   *
   * @param index The piece's index.
   * @param piece Its bytes.
   * @param proof Its audit path.
   * @returns Whether it is that piece of that content.
   */
  verify(index: number, piece: Uint8Array, proof: readonly Uint8Array[]): boolean {
    const id = this.#id;
    if (!Number.isInteger(index) || index < 0 || index >= id.pieces) return false;
    if (piece.length !== pieceLength(id.size, index)) return false;
    // The path's length is fixed by the index: one sibling per level where there is one.
    let expected = 0;
    for (let level = 0, i = index; level < this.#sizes.length; level++, i >>= 1) {
      if ((i ^ 1) < this.#sizes[level]) expected++;
    }
    if (proof.length !== expected || proof.some((p) => p.length !== HASH_BYTES)) return false;
    const climbed: [number, Uint8Array][] = [];
    let node = leafHash(piece);
    let k = 0;
    for (let level = 0, i = index; level < this.#sizes.length; level++, i >>= 1) {
      const key = this.#key(level, i);
      const known = this.#proved.get(key);
      if (known) return same(known, node) && this.#keep(climbed);
      climbed.push([key, node]);
      const sibling = i ^ 1;
      if (sibling >= this.#sizes[level]) continue; // promoted: no sibling at this level
      const p = proof[k++];
      node = (i & 1) === 0 ? nodeHash(node, p) : nodeHash(p, node);
    }
    return same(node, id.root) && this.#keep(climbed);
  }

  #key(level: number, index: number): number {
    return level * 2 ** 32 + index;
  }

  #keep(climbed: [number, Uint8Array][]): true {
    for (const [key, node] of climbed) this.#proved.set(key, node);
    return true;
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
