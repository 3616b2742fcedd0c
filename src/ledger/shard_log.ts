/**
 * A shard's log and state tree: every entry the shard seals, appended for the shard's whole life
 * to one RFC 6962/9162 tree (`LogTree`), and its accounts in a sparse Merkle tree
 * (`SparseState`). Each block is a checkpoint of the log: a C2SP `tlog-checkpoint` note signed by
 * the shard's key, whose text is the log's origin, size and root, then the line
 * `block <height> <block hash>`, then, when the block holds every entry applied so far, the line
 * `state <base64 state root>`: the root of the accounts as those entries leave them. A block sealed
 * behind a backlog leaves the state line out; the next one that catches up carries it.
 *
 * A checkpoint is planned (the new roots, nothing written) in steps, the first of them in the turn
 * that reads its block's entries, with the event loop given back between the others (a full
 * block's plan is tens of milliseconds of hashing); then signed; then the log's nodes are written
 * with the block in one transaction (`commitLog`), and the state tree in a second (`commitState`).
 *
 * @module
 */
import { base64 } from "@scure/base";
import { hex } from "../encoding/mod.ts";
import {
  type LogNode,
  type LogNodeStore,
  LogTree,
  MERKLE_STEP,
  SparseState,
  type SparseUpdate,
} from "../merkle/mod.ts";
import { formatCheckpoint } from "../tlog/checkpoint.ts";
import { accountLeaf, type BalanceProof, balanceProofFrom } from "./balance_proof.ts";
import type { Account, LedgerStorage, StoredCheckpoint } from "./storage.ts";

/** A checkpoint planned with its block: its text, and what committing it writes. */
export interface PlannedCheckpoint {
  /** The checkpoint's text, to sign. */
  text: string;
  /** The log's size after the block. */
  size: number;
  /** The log's nodes to write. */
  nodes: LogNode[];
  /**
   * The state tree's change, the account changes it took, and the accounts as it took them,
   * when the block carries it.
   */
  state?: {
    update: SparseUpdate;
    changes: ReadonlyMap<string, number>;
    accounts: readonly (readonly [string, Account | undefined])[];
  };
}

/** A block's plan in the log, before its checkpoint's text: the log's new size and root. */
export interface LogPlan extends Omit<PlannedCheckpoint, "text"> {
  /** The log's root at its new size. */
  root: Uint8Array;
}

export { logOrigin } from "../protocol/log_wire.ts";

/**
 * One shard's log and state tree over its storage.
 *
 * @example Usage
 * ```ts
 * import { MemoryLedgerStorage } from "./storage.ts";
 * import { ShardLog } from "./shard_log.ts";
 * const log = new ShardLog(new MemoryLedgerStorage(), "superpeer/dev/0");
 * console.assert(log.size === 0);
 * ```
 */
export class ShardLog {
  readonly #s: LedgerStorage;
  readonly #tree: LogTree;
  readonly #state: SparseState;
  /** The log's origin. */
  readonly origin: string;

  /**
   * Opens a shard's log.
   *
   * @param storage The shard's storage.
   * @param origin The log's origin ({@linkcode logOrigin}).
   */
  constructor(storage: LedgerStorage, origin: string) {
    this.#s = storage;
    this.#tree = new LogTree(storage.logStore());
    this.#state = new SparseState(storage.stateStore());
    this.origin = origin;
  }

  /** How many entries the log holds. */
  get size(): number {
    return this.#tree.size;
  }

  /**
   * Appends the entries of blocks sealed before the shard kept a log (storage that predates
   * it), so that the log holds every entry the shard ever sealed, in order, and has the state
   * tree take every account once. Nothing to do on a shard that always kept both.
   */
  catchUp(): void {
    // Accounts written before the state tree was kept were never marked changed: each is
    // written again, once, so that the next state root holds every one.
    if (this.#s.getMeta("state:seeded") === undefined) {
      this.#s.transaction(() => {
        for (const [id, a] of this.#s.accountsWhere(() => true)) this.#s.putAccount(id, a);
        this.#s.setMeta("state:seeded", "1");
      });
    }
    const head = this.#s.head()?.header.height ?? 0;
    let done = Number(this.#s.getMeta("log:height") ?? "0");
    if (done >= head) return;
    this.#s.transaction(() => {
      for (; done < head; done++) {
        const block = this.#s.getBlock(done + 1);
        // A missing block would shift every later entry's place in the log.
        if (!block) throw new RangeError(`Block ${done + 1} is missing: the log cannot be made`);
        this.#tree.append(block.leaves.map((l) => hex.decode(l)));
      }
      this.#s.setMeta("log:height", String(head));
    });
  }

  /**
   * Plans the checkpoint of a block, in steps: the log with the block's leaves appended and, if
   * the block holds every entry applied so far, the state tree brought to the accounts as they
   * stand. Nothing is written. The first step, before the first yield, reads the accounts: run
   * it in the turn that read the block's entries. Nothing else may append to the log or commit
   * to the state tree until the plan is committed or dropped.
   *
   * @param leaves The block's leaf hashes, hex.
   * @param drained Whether no entry is left pending after the block's.
   * @returns The plan, for {@linkcode ShardLog.checkpointOf}.
   */
  *planSteps(leaves: readonly string[], drained: boolean): Generator<void, LogPlan, void> {
    let taken: Omit<NonNullable<PlannedCheckpoint["state"]>, "update"> | undefined;
    if (drained) {
      const changes = this.#s.stateChanges();
      // Read in one statement: most were just written (and are held), but those that left
      // with their slots, or were written a restart ago, are not.
      this.#s.prefetchAccounts([...changes.keys()]);
      const accounts = [...changes.keys()].map((id) => [id, this.#s.getAccount(id)] as const);
      taken = { changes, accounts };
    }
    const held = heldStore(this.#s.logStore());
    const tree = new LogTree(held.store);
    let size = tree.size;
    for (let i = 0; i < leaves.length; i += MERKLE_STEP) {
      yield;
      size = tree.append(leaves.slice(i, i + MERKLE_STEP).map((l) => hex.decode(l)));
    }
    const root = tree.root(size);
    if (!taken) return { size, root, nodes: held.nodes };
    const update = yield* this.#state.planSteps(taken.accounts.map(([id, account]) => {
      const leaf = accountLeaf(id, account ?? { balance: 0n, nonce: 0 });
      return [leaf.key, account ? leaf.value : undefined] as const;
    }));
    return { size, root, nodes: held.nodes, state: { ...taken, update } };
  }

  /**
   * The checkpoint of a planned block: its text, to sign, with the plan.
   *
   * @param plan The log's plan ({@linkcode ShardLog.planSteps}).
   * @param height The block's height.
   * @param blockHash The block's hash.
   * @returns The planned checkpoint, for {@linkcode ShardLog.commitLog} and
   *   {@linkcode ShardLog.commitState}.
   */
  checkpointOf(plan: LogPlan, height: number, blockHash: string): PlannedCheckpoint {
    const extensions = [`block ${height} ${blockHash}`];
    if (plan.state) extensions.push(`state ${base64.encode(plan.state.update.root)}`);
    const { size, root, nodes, state } = plan;
    const text = formatCheckpoint({ origin: this.origin, size, root, extensions });
    return { text, size, nodes, ...(state ? { state } : {}) };
  }

  /**
   * Writes a planned checkpoint's log nodes; the caller stores the signed note with its block
   * in the same transaction.
   *
   * @param plan The plan, the latest made.
   * @param height The block's height.
   */
  commitLog(plan: PlannedCheckpoint, height: number): void {
    this.#s.logStore().write(plan.nodes);
    this.#s.setMeta("log:height", String(height));
  }

  /**
   * Writes a planned checkpoint's state tree, in a transaction of its own after its block's:
   * until then, balance proofs are still given against the last block whose state tree is
   * written, and a block whose state tree is never written (the runtime stopped between) leaves
   * its accounts marked changed for the next one. Call it alone in its transaction: what it
   * writes is not undone by a rollback of the memory storage.
   *
   * @param plan The plan, the latest made.
   * @param height The block's height.
   */
  commitState(plan: PlannedCheckpoint, height: number): void {
    if (!plan.state) return;
    this.#s.setMeta("state:height", String(height));
    this.#s.stateTaken(plan.state.changes);
    this.#s.putProvenAccounts(plan.state.accounts);
    this.#state.commit(plan.state.update);
  }

  /**
   * A block's checkpoint.
   *
   * @param height The block's height, or the head's if not given.
   * @returns The block's height and its checkpoint, or `undefined` (no such block, or one
   *   sealed before the log).
   */
  checkpoint(height?: number): { height: number; checkpoint: StoredCheckpoint } | undefined {
    const block = height === undefined ? this.#s.head() : this.#s.getBlock(height);
    return block?.checkpoint && { height: block.header.height, checkpoint: block.checkpoint };
  }

  /**
   * A hash tile (C2SP `tlog-tiles`, tile height 8): the hashes of tree level `8 × level`, from
   * node `256 × index` on, `width` of them. Nodes never change once written, so a tile of a
   * width the log holds is the same whenever it is read.
   *
   * @param level The tile's level.
   * @param index The tile's index at its level.
   * @param width From 1 to 256.
   * @returns The hashes, or `undefined` if the log does not hold them all.
   */
  tile(level: number, index: number, width: number): Uint8Array | undefined {
    // One read for the tile's hashes: they are there, all of them, or it is not served.
    const hashes = this.#s.logStore().range(8 * level, 256 * index, width);
    if (hashes.length !== width) return undefined;
    const out = new Uint8Array(32 * width);
    hashes.forEach((h, i) => out.set(h, 32 * i));
    return out;
  }

  /**
   * Reads the state tree's nodes into memory in steps (`SparseState.warmSteps`): on a shard just
   * woken, up to 65,535 hashes that the first proof would otherwise do in its own turn.
   *
   * @returns Once the nodes are in memory.
   */
  *warmSteps(): Generator<void, void, void> {
    yield* this.#state.warmSteps();
  }

  /**
   * Whether the state root lags the accounts: no block has carried one yet, or an account
   * changed since, by an entry still pending or with none (genesis; accounts that came or went
   * with their slots).
   */
  stateBehind(): boolean {
    return this.#s.getMeta("state:height") === undefined || this.#s.stateChanges().size > 0;
  }

  /** Forgets what the state tree holds in memory (after a failed commit). */
  forget(): void {
    this.#state.forget();
  }

  /**
   * The latest checkpoint that carries a state root, and the proof of an account's state (or
   * its absence) against it.
   *
   * @param id The account.
   * @returns The checkpoint's note and the proof, or `undefined` before the first such block.
   */
  balance(id: string): { height: number; checkpoint: string; proof: BalanceProof } | undefined {
    const height = Number(this.#s.getMeta("state:height") ?? "0");
    const checkpoint = height > 0 ? this.#s.getBlock(height)?.checkpoint : undefined;
    if (!checkpoint) return undefined;
    // As the state tree took it, not as it stands now: a change since is in no root yet.
    const account = this.#s.getProvenAccount(id);
    const key = accountLeaf(id, account ?? { balance: 0n, nonce: 0 }).key;
    const proof = balanceProofFrom(id, account, this.#state.proof(key));
    return { height, checkpoint: checkpoint.note, proof };
  }

  /**
   * The consistency proof between two sizes (RFC 9162 2.1.4), base64.
   *
   * @param from The smaller size.
   * @param to The larger.
   * @returns The proof, or `undefined` for sizes out of range or order.
   */
  consistency(from: number, to: number): string[] | undefined {
    if (!validSizes(from, to, this.size)) return undefined;
    return this.#tree.consistencyProof(from, to).map((h) => base64.encode(h));
  }

  /**
   * The log's root at a size, base64.
   *
   * @param size From 0 to the log's size.
   * @returns The root, or `undefined` out of range.
   */
  root(size: number): string | undefined {
    return validSizes(0, size, this.size) ? base64.encode(this.#tree.root(size)) : undefined;
  }

  /**
   * The inclusion proof of one entry in the tree of a size (RFC 9162 2.1.3), base64.
   *
   * @param index The entry's place in the log.
   * @param size The tree's size.
   * @returns The proof, or `undefined` out of range.
   */
  inclusion(index: number, size: number): string[] | undefined {
    if (!validSizes(index + 1, size, this.size) || !Number.isSafeInteger(index) || index < 0) {
      return undefined;
    }
    return this.#tree.inclusionProof(index, size).map((h) => base64.encode(h));
  }
}

function validSizes(from: number, to: number, size: number): boolean {
  return Number.isSafeInteger(from) && Number.isSafeInteger(to) && from >= 0 && from <= to &&
    to <= size;
}

// A log store whose writes are held, read back by the tree that plans with it, and written
// later by the commit.
function heldStore(base: LogNodeStore): { store: LogNodeStore; nodes: LogNode[] } {
  const nodes: LogNode[] = [];
  const fresh = new Map<string, Uint8Array>();
  let leaves = 0;
  const size = base.size();
  return {
    nodes,
    store: {
      node: (level, index) => fresh.get(`${level}/${index}`) ?? base.node(level, index),
      write: (written) => {
        for (const n of written) {
          nodes.push(n);
          fresh.set(`${n.level}/${n.index}`, n.hash);
          if (n.level === 0) leaves++;
        }
      },
      size: () => size + leaves,
      // A tile is read from what is written; the plan's tree reads no range.
      range: (level, from, count) => base.range(level, from, count),
    },
  };
}
