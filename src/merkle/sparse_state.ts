/**
 * A compact sparse Merkle tree (`sparse.ts`) kept up to date as its leaves change, without
 * hashing it whole: the same root and the same proofs as `sparseRoot` and `sparseProof` over
 * every leaf, at the cost of what changed.
 *
 * Keys are split by their first 16 bits into 65,536 buckets. A bucket's leaves live in the store
 * and are hashed again when one of them changes (about 15 leaves at a million keys). Above the
 * buckets, each prefix of up to 16 bits has its subtree's hash and how many leaves it holds
 * (the count says when a subtree is one leaf, which the compact tree hoists), so a change
 * rehashes its bucket and the 16 nodes above it. Only the buckets' nodes are stored: the nodes
 * above them are rebuilt in memory from the buckets when the tree is first read (one hash per
 * node, at most 65,535), which costs less than writing the 16 nodes above each change. Node
 * positions are heap-numbered: the root is 1,
 * the children of `p` are `2p` (next bit 0) and `2p + 1`, and bucket `b` is node `65536 + b`.
 * A subtree with no leaf is kept as nothing.
 *
 * Changes are planned, then committed: a plan computes the new root and what to write and
 * writes nothing, so that a caller can sign the root first and write it with its block; until
 * the commit, the tree answers as before.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import { runSteps } from "../runtime/steps.ts";
import { HASH_BYTES, nodeHash } from "./tree.ts";
import {
  SPARSE_EMPTY,
  SPARSE_KEY_BYTES,
  type SparseLeaf,
  type SparseProof,
  sparseProof,
  sparseSubtree,
} from "./sparse.ts";

/** The bits of a key that name its bucket. */
export const SPARSE_BUCKET_BITS = 16;

/**
 * About how many hashes a plan in steps does between two yields: about a tenth of a
 * millisecond of hashing here, so that a shard's other messages wait at most that long.
 */
export const SPARSE_STEP = 64;

/** Buckets a plan reads from its store at a time ({@linkcode SparseStateStore.buckets}). */
export const SPARSE_READ_BUCKETS = 64;

const BASE = 1 << SPARSE_BUCKET_BITS;

/** A subtree above the leaves: its hash, and how many leaves it holds (at least 1). */
export interface SparseNode {
  /** Its hash. */
  hash: Uint8Array;
  /** Its leaves. */
  count: number;
}

/** What a plan writes. */
export interface SparseChanges {
  /** Nodes by position, set or (`undefined`) dropped. */
  nodes: Map<number, SparseNode | undefined>;
  /** Leaves set (a key's new value). */
  set: SparseLeaf[];
  /** Keys dropped. */
  drop: Uint8Array[];
}

/** A planned change: the root it makes, and what to write. */
export interface SparseUpdate extends SparseChanges {
  /** The tree's root once committed. */
  root: Uint8Array;
}

/** Where a tree's nodes and leaves are kept. */
export interface SparseStateStore {
  /** Every stored node, by position (read once, then kept in memory by the tree). */
  nodes(): Map<number, SparseNode>;
  /** The leaves of a bucket: those whose key's first 16 bits are `index`, by key. */
  bucket(index: number): SparseLeaf[];
  /**
   * The leaves of several buckets, each as {@linkcode SparseStateStore.bucket} reads it (a
   * bucket of no leaf may be left out). A plan reads the buckets it changes
   * `SPARSE_READ_BUCKETS` at a time: where each read is a call of its own (a Durable Object's
   * `sql.exec` costs about 9 µs beyond its work), one per changed account was most of a
   * block's reads.
   */
  buckets(indexes: readonly number[]): Map<number, SparseLeaf[]>;
  /** Writes a plan's changes: the buckets' nodes (the tree stores no other) and the leaves. */
  write(changes: SparseChanges): void;
}

/**
 * A sparse Merkle tree over a store, updated by what changes.
 *
 * @example Usage
 * ```ts
 * import { SparseState, memorySparseStore } from "./sparse_state.ts";
 * import { sparseRoot, verifySparseProof } from "./sparse.ts";
 * const tree = new SparseState(memorySparseStore());
 * const leaf = { key: new Uint8Array(32).fill(1), value: new Uint8Array(32).fill(2) };
 * const update = tree.plan([[leaf.key, leaf.value]]);
 * tree.commit(update);
 * console.assert(tree.root().every((b, i) => b === sparseRoot([leaf])[i]));
 * console.assert(verifySparseProof(tree.root(), leaf.key, leaf.value, tree.proof(leaf.key)));
 * ```
 */
export class SparseState {
  readonly #store: SparseStateStore;
  #nodes: Map<number, SparseNode> | undefined;

  /**
   * Opens the tree a store holds (empty or not).
   *
   * @param store Where its nodes and leaves are kept.
   */
  constructor(store: SparseStateStore) {
    this.#store = store;
  }

  /** The root as last committed ({@linkcode SPARSE_EMPTY} for no leaf). */
  root(): Uint8Array {
    return this.#all().get(1)?.hash ?? SPARSE_EMPTY;
  }

  /** How many leaves the tree holds, as last committed. */
  get size(): number {
    return this.#all().get(1)?.count ?? 0;
  }

  /**
   * Plans changes: the new root and what to write, with nothing written.
   *
   * @param changes Keys and their new value hashes, or `undefined` to drop a key; a key given
   *   twice takes its last value.
   * @returns The plan, for {@linkcode SparseState.commit}.
   * @throws {RangeError} For a key or value not 32 bytes.
   */
  plan(changes: Iterable<readonly [Uint8Array, Uint8Array | undefined]>): SparseUpdate {
    return runSteps(this.planSteps(changes));
  }

  /**
   * {@linkcode SparseState.plan} in steps: it yields after about `step` hashes, so that a host
   * can run other work between slices. The changes are read before the first yield; nothing
   * may be committed to the tree until the plan is done.
   *
   * @param changes As for {@linkcode SparseState.plan}.
   * @param step About how many hashes (or buckets read) between two yields.
   * @returns The plan, once done.
   * @throws {RangeError} For a key or value not 32 bytes, before the first yield.
   */
  *planSteps(
    changes: Iterable<readonly [Uint8Array, Uint8Array | undefined]>,
    step: number = SPARSE_STEP,
  ): Generator<void, SparseUpdate, void> {
    const edits = new Map<number, Map<string, readonly [Uint8Array, Uint8Array | undefined]>>();
    for (const [key, value] of changes) {
      if (key.length !== SPARSE_KEY_BYTES || (value && value.length !== HASH_BYTES)) {
        throw new RangeError("A sparse leaf's key and value are 32 bytes each");
      }
      const b = bucketOf(key);
      if (!edits.has(b)) edits.set(b, new Map());
      edits.get(b)!.set(keyText(key), [key, value]);
    }
    const all = yield* this.warmSteps(step);
    const fresh = new Map<number, SparseNode | undefined>();
    const get = (p: number) => fresh.has(p) ? fresh.get(p) : all.get(p);
    const set: SparseLeaf[] = [];
    const drop: Uint8Array[] = [];
    let work = 0;
    const order = [...edits.keys()];
    let read = new Map<number, SparseLeaf[]>();
    for (const [i, b] of order.entries()) {
      const bucketEdits = edits.get(b)!;
      if (i % SPARSE_READ_BUCKETS === 0) {
        read = this.#store.buckets(order.slice(i, i + SPARSE_READ_BUCKETS));
      }
      const leaves = new Map((read.get(b) ?? []).map((l) => [keyText(l.key), l]));
      for (const [text, [key, value]] of bucketEdits) {
        if (value) {
          leaves.set(text, { key, value });
          set.push({ key, value });
        } else if (leaves.delete(text)) drop.push(key);
      }
      const list = [...leaves.values()];
      fresh.set(
        BASE + b,
        list.length === 0
          ? undefined
          : { hash: sparseSubtree(list, SPARSE_BUCKET_BITS), count: list.length },
      );
      // A bucket's read and its leaves' subtree, about one hash per leaf.
      work += 1 + list.length;
      if (work >= step) {
        work = 0;
        yield;
      }
    }
    const buckets = [...edits.keys()].map((b) => BASE + b);
    yield* upward(buckets, (p) => fresh.set(p, parent(get(2 * p), get(2 * p + 1))), step);
    return { root: get(1)?.hash ?? SPARSE_EMPTY, nodes: fresh, set, drop };
  }

  /**
   * Writes a plan: the tree then answers with its root.
   *
   * @param update A plan of this tree, made since its last commit.
   */
  commit(update: SparseUpdate): void {
    const buckets = new Map([...update.nodes].filter(([p]) => p >= BASE));
    this.#store.write({ ...update, nodes: buckets });
    const all = this.#all();
    for (const [p, node] of update.nodes) {
      if (node) all.set(p, node);
      else all.delete(p);
    }
  }

  /**
   * Forgets the nodes held in memory: they are read again from the store (after a write that
   * was rolled back).
   */
  forget(): void {
    this.#nodes = undefined;
  }

  /**
   * The proof of what a key holds, or that it holds nothing, against {@linkcode SparseState.root}:
   * the same proof `sparseProof` gives over every leaf.
   *
   * @param key The key (32 bytes).
   * @returns The proof.
   */
  proof(key: Uint8Array): SparseProof {
    const all = this.#all();
    const siblings: Uint8Array[] = [];
    let p = 1;
    for (let d = 0;; d++) {
      const node = all.get(p);
      if (!node) return { siblings };
      if (node.count === 1) return { siblings, leaf: this.#only(p, d) };
      if (d === SPARSE_BUCKET_BITS) {
        // The bucket's leaves share the key's first 16 bits: their proof's first 16 siblings are
        // empty, and the rest are the path below this node.
        const inner = sparseProof(this.#store.bucket(p - BASE), key);
        const below = inner.siblings.slice(SPARSE_BUCKET_BITS);
        return inner.leaf ? { siblings: [...siblings, ...below], leaf: inner.leaf } : {
          siblings: [...siblings, ...below],
        };
      }
      const b = bit(key, d);
      siblings.push(all.get(2 * p + 1 - b)?.hash ?? SPARSE_EMPTY);
      p = 2 * p + b;
    }
  }

  // The one leaf under node `p` at depth `d`: down the side that holds it, to its bucket.
  #only(p: number, d: number): SparseLeaf {
    const all = this.#all();
    for (; d < SPARSE_BUCKET_BITS; d++) p = all.has(2 * p) ? 2 * p : 2 * p + 1;
    return this.#store.bucket(p - BASE)[0];
  }

  /**
   * Reads the tree's nodes into memory, if not yet there, in steps: the buckets as stored, then
   * every node above them hashed again, level by level (up to 65,535 hashes), yielding after
   * about `step` of them. A plan in steps runs it first; a read that finds the nodes not yet in
   * memory (`root`, `proof`) runs it at once. The buckets are read in one query.
   *
   * @param step About how many hashes between two yields.
   * @returns The nodes, once read.
   */
  *warmSteps(step: number = SPARSE_STEP): Generator<void, Map<number, SparseNode>, void> {
    if (this.#nodes) return this.#nodes;
    const all = new Map([...this.#store.nodes()].filter(([p]) => p >= BASE));
    yield* upward([...all.keys()], (p) => {
      const node = parent(all.get(2 * p), all.get(2 * p + 1));
      if (node) all.set(p, node);
    }, step);
    // Read meanwhile by a caller that could not wait: the same nodes, already in use.
    return this.#nodes ??= all;
  }

  #all(): Map<number, SparseNode> {
    return this.#nodes ?? runSteps(this.warmSteps(Infinity));
  }
}

/**
 * A store in memory.
 *
 * @returns The store.
 *
 * @example Usage
 * ```ts
 * import { SparseState, memorySparseStore } from "./sparse_state.ts";
 * console.assert(new SparseState(memorySparseStore()).size === 0);
 * ```
 */
export function memorySparseStore(): SparseStateStore {
  const nodes = new Map<number, SparseNode>();
  const buckets = new Map<number, Map<string, SparseLeaf>>();
  const bucket = (index: number) =>
    [...(buckets.get(index)?.values() ?? [])].sort((a, b) =>
      keyText(a.key) < keyText(b.key) ? -1 : 1
    );
  return {
    nodes: () => new Map(nodes),
    bucket,
    buckets: (indexes) => new Map(indexes.map((i) => [i, bucket(i)])),
    write: (changes) => {
      for (const [p, node] of changes.nodes) {
        if (node) nodes.set(p, node);
        else nodes.delete(p);
      }
      for (const leaf of changes.set) {
        const b = bucketOf(leaf.key);
        if (!buckets.has(b)) buckets.set(b, new Map());
        buckets.get(b)!.set(keyText(leaf.key), leaf);
      }
      for (const key of changes.drop) buckets.get(bucketOf(key))?.delete(keyText(key));
    },
  };
}

/**
 * A key's bucket: its first 16 bits.
 *
 * @param key The key.
 * @returns From 0 to 65,535.
 *
 * @example Usage
 * ```ts
 * import { bucketOf } from "./sparse_state.ts";
 * console.assert(bucketOf(new Uint8Array(32).fill(255)) === 65535);
 * ```
 */
export function bucketOf(key: Uint8Array): number {
  return (key[0] << 8) | key[1];
}

// Hashes again every node above the given ones, level by level up to the root (`rehash` of
// each, once), yielding after every `step` of them.
function* upward(
  from: readonly number[],
  rehash: (p: number) => void,
  step: number,
): Generator<void, void, void> {
  let level = new Set(from);
  let work = 0;
  for (let d = SPARSE_BUCKET_BITS; d > 0; d--) {
    const parents = new Set([...level].map((p) => p >> 1));
    for (const p of parents) {
      rehash(p);
      if (++work >= step) {
        work = 0;
        yield;
      }
    }
    level = parents;
  }
}

function parent(l: SparseNode | undefined, r: SparseNode | undefined): SparseNode | undefined {
  const count = (l?.count ?? 0) + (r?.count ?? 0);
  if (count === 0) return undefined;
  // One leaf below: the compact tree hoists it, so this node is that leaf.
  if (count === 1) return { hash: (l ?? r)!.hash, count };
  return { hash: nodeHash(l?.hash ?? SPARSE_EMPTY, r?.hash ?? SPARSE_EMPTY), count };
}

function bit(key: Uint8Array, i: number): number {
  return (key[i >> 3] >> (7 - (i & 7))) & 1;
}

function keyText(key: Uint8Array): string {
  return hex.encode(key);
}
