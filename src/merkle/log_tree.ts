/**
 * An append-only log's Merkle tree (RFC 6962/9162), kept as the hashes of its full subtrees:
 * node `(level, index)` is the root of leaves `[index·2^level, (index+1)·2^level)`, written
 * once, when its last leaf is appended, and never changed. An append writes its leaf and the
 * nodes it completes (one on average, `log2(n)` at most); the root of any size, and inclusion
 * and consistency proofs between any sizes, are read from those nodes (a subtree that is not
 * full, at the right edge, is hashed from the full ones below it). The nodes of one level in
 * groups of 256 are what C2SP `tlog-tiles` serves as tiles.
 *
 * The store is a small interface (`LogNodeStore`): in memory here, in a shard's SQLite where
 * a shard keeps its log.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { consistencyPath } from "./consistency.ts";
import { inclusionPath, nodeHash } from "./tree.ts";
import { split } from "./_split.ts";

/** Where a log's nodes are kept. */
export interface LogNodeStore {
  /** The node at a level and index, if written. */
  node(level: number, index: number): Uint8Array | undefined;
  /** Writes nodes (each written once). */
  write(nodes: readonly LogNode[]): void;
  /** How many leaves the log holds. */
  size(): number;
  /**
   * Nodes `from` to `from + count - 1` of a level, in order, as far as they are written (a hash
   * tile is read so, in one go).
   */
  range(level: number, from: number, count: number): Uint8Array[];
}

/** One node of the tree. */
export interface LogNode {
  /** 0 for a leaf. */
  level: number;
  /** Its position among the nodes of its level. */
  index: number;
  /** Its hash. */
  hash: Uint8Array;
}

/**
 * A log's tree over a store.
 *
 * @example Usage
 * ```ts
 * import { leafHash, merkleRoot } from "./tree.ts";
 * import { LogTree, memoryLogStore } from "./log_tree.ts";
 * const log = new LogTree(memoryLogStore());
 * const leaves = [1, 2, 3].map((b) => leafHash(new Uint8Array([b])));
 * for (const leaf of leaves) log.append([leaf]);
 * console.assert(log.root(3).every((b, i) => b === merkleRoot(leaves)[i]));
 * ```
 */
export class LogTree {
  readonly #store: LogNodeStore;

  /**
   * Opens the log a store holds (empty or not).
   *
   * @param store Where the nodes are kept.
   */
  constructor(store: LogNodeStore) {
    this.#store = store;
  }

  /** How many leaves the log holds. */
  get size(): number {
    return this.#store.size();
  }

  /**
   * Appends leaf hashes, writing them and every node they complete in one call to the store.
   *
   * @param leaves Leaf hashes (`leafHash` of each entry), in order.
   * @returns The log's size after.
   */
  append(leaves: readonly Uint8Array[]): number {
    const nodes: LogNode[] = [];
    // Nodes of this batch not yet in the store: a completed node's left child may be one.
    const fresh = new Map<string, Uint8Array>();
    const get = (level: number, index: number) =>
      fresh.get(`${level}/${index}`) ?? this.#store.node(level, index)!;
    let n = this.#store.size();
    for (const leaf of leaves) {
      let [level, index, hash] = [0, n, leaf];
      for (;;) {
        nodes.push({ level, index, hash });
        fresh.set(`${level}/${index}`, hash);
        if (index % 2 === 0) break; // a left child: its parent waits for its sibling
        hash = nodeHash(get(level, index - 1), hash);
        level++;
        index = (index - 1) / 2;
      }
      n++;
    }
    this.#store.write(nodes);
    return n;
  }

  /**
   * The root of the log's first `size` leaves.
   *
   * @param size From 0 to the log's size.
   * @returns The root (the empty tree's for 0).
   * @throws {RangeError} For a size the log does not have.
   */
  root(size = this.size): Uint8Array {
    this.#check(size);
    return size === 0 ? sha256(new Uint8Array()) : this.#subtree(0, size);
  }

  /**
   * The audit path of leaf `index` in the tree of the first `size` leaves (RFC 9162 2.1.3).
   *
   * @param index The leaf.
   * @param size The tree's size.
   * @returns The path, from the leaf up.
   * @throws {RangeError} For an index or size out of range.
   */
  inclusionProof(index: number, size = this.size): Uint8Array[] {
    this.#check(size);
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`Cannot prove leaf ${index} of a tree of ${size}`);
    }
    return inclusionPath(index, size, (lo, hi) => this.#subtree(lo, hi));
  }

  /**
   * The consistency proof from the tree of the first `oldSize` leaves to that of the first
   * `newSize` (RFC 9162 2.1.4).
   *
   * @param oldSize The smaller size.
   * @param newSize The larger size.
   * @returns The proof (empty when the sizes are equal or the smaller is 0).
   * @throws {RangeError} For sizes out of range or out of order.
   */
  consistencyProof(oldSize: number, newSize = this.size): Uint8Array[] {
    this.#check(newSize);
    if (!Number.isInteger(oldSize) || oldSize < 0 || oldSize > newSize) {
      throw new RangeError(`Cannot prove size ${oldSize} consistent with size ${newSize}`);
    }
    return consistencyPath(oldSize, newSize, (lo, hi) => this.#subtree(lo, hi));
  }

  // The hash of leaves [lo, hi): a full aligned subtree is a stored node; a subtree at the
  // right edge is split as the RFC splits it, down to full ones.
  #subtree(lo: number, hi: number): Uint8Array {
    const n = hi - lo;
    if ((n & (n - 1)) === 0 && lo % n === 0) {
      const level = Math.log2(n);
      const node = this.#store.node(level, lo / n);
      if (!node) throw new RangeError(`Node ${level}/${lo / n} is missing from the log`);
      return node;
    }
    const k = split(n);
    return nodeHash(this.#subtree(lo, lo + k), this.#subtree(lo + k, hi));
  }

  #check(size: number): void {
    if (!Number.isInteger(size) || size < 0 || size > this.size) {
      throw new RangeError(`The log has no size ${size} (it holds ${this.size})`);
    }
  }
}

/**
 * A log store in memory.
 *
 * @returns The store.
 *
 * @example Usage
 * ```ts
 * import { memoryLogStore } from "./log_tree.ts";
 * const store = memoryLogStore();
 * store.write([{ level: 0, index: 0, hash: new Uint8Array(32) }]);
 * console.assert(store.size() === 1);
 * ```
 */
export function memoryLogStore(): LogNodeStore {
  const levels: Uint8Array[][] = [];
  return {
    node: (level, index) => levels[level]?.[index],
    write: (nodes) => {
      for (const { level, index, hash } of nodes) (levels[level] ??= [])[index] = hash;
    },
    size: () => levels[0]?.length ?? 0,
    range: (level, from, count) => {
      const out: Uint8Array[] = [];
      for (let i = from; i < from + count && levels[level]?.[i]; i++) out.push(levels[level][i]);
      return out;
    },
  };
}
