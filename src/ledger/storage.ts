/**
 * What a ledger shard keeps, behind one small synchronous interface with two
 * implementations: in memory (tests) and SQLite (`sql_storage.ts`, in the Durable Object).
 * Synchronous, so that a whole state change runs inside one storage transaction with no
 * await in between. Every implementation runs the same contract suite.
 *
 * @module
 */
import type { Entry, Mint, SignedBlockHeader } from "./block.ts";
import type { Receipt } from "./receipt.ts";
import type { TransferJson } from "../protocol/ledger_wire.ts";
import {
  type LogNodeStore,
  memoryLogStore,
  memorySparseStore,
  type SparseStateStore,
} from "../merkle/mod.ts";

/** An account's state. */
export interface Account {
  /** The balance. */
  balance: bigint;
  /** The nonce of its last transfer (0 before the first). */
  nonce: number;
}

/** Where a transfer paid from this shard, or a faucet payment into it, stands. */
export type TxRecord =
  & TxPlace
  & (
    | {
      /** The transfer. */
      tx: TransferJson;
      /** Absent for a transfer. */
      mint?: undefined;
    }
    | {
      /** The faucet payment. */
      mint: Mint;
      /** Absent for a faucet payment. */
      tx?: undefined;
    }
  );

/** What every record holds, transfer or faucet payment. */
export interface TxPlace {
  /** The transfer's hash, or the faucet payment's leaf hash. */
  hash: string;
  /** `pending` until the recipient's balance holds it, then `credited`. */
  status: "pending" | "credited";
  /** The recipient's home shard. */
  dest: number;
  /** The block that holds it, once sealed. */
  block: number | null;
  /** Its index among that block's entries, once sealed. */
  index: number | null;
}

/** An applied state change waiting to be sealed into a block. */
export interface PendingEntry {
  /**
   * The entry's body, for credits and mints; a transfer's body is its {@linkcode TxRecord}
   * (sealing needs only the leaf).
   */
  entry?: Entry;
  /** Its leaf hash, hex. */
  leaf: string;
  /** The receipt a cross-shard transfer sent, if any. */
  receipt?: Receipt;
  /** The hash of its record, for a transfer or a faucet payment. */
  hash?: string;
}

/** A sealed block: its signed header and its entries' leaf hashes. */
export interface StoredBlock {
  /** The signed header. */
  header: SignedBlockHeader;
  /** Leaf hashes (hex) of its entries, in order. */
  leaves: string[];
  /** The checkpoint of the shard's log signed with it (blocks sealed before the log: none). */
  checkpoint?: StoredCheckpoint;
}

/** A checkpoint of a shard's log, as a block keeps it. */
export interface StoredCheckpoint {
  /** The log's size: every entry up to this block's last. */
  size: number;
  /** The signed note (C2SP `tlog-checkpoint`). */
  note: string;
  /** Whether it carries the state root (the state tree was brought to it). */
  state: boolean;
}

/** The storage a ledger shard runs on. */
export interface LedgerStorage {
  /** Runs `fn` atomically: all of its writes happen, or (if it throws) none. */
  transaction<T>(fn: () => T): T;
  /** An account, if it exists. */
  getAccount(id: string): Account | undefined;
  /**
   * Reads accounts at once, found or not, so that the `getAccount`s of a batch that follow read
   * nothing each. A hint: a store that reads nothing ignores it.
   */
  prefetchAccounts(ids: readonly string[]): void;
  /** Creates or replaces an account. */
  putAccount(id: string, account: Account): void;
  /** Every account whose id `keep` accepts (a slot on its way to another shard), with its state. */
  accountsWhere(keep: (id: string) => boolean): [string, Account][];
  /** Removes accounts (a slot given to another shard); ids not stored are passed over. */
  deleteAccounts(ids: readonly string[]): void;
  /** A transfer record, if known. */
  getTx(hash: string): TxRecord | undefined;
  /** Creates or replaces a transfer record. */
  putTx(record: TxRecord): void;
  /**
   * Records where a block's transfers are, once it is sealed: the entry at index `i` of the
   * block has hash `hashes[i]` (`undefined` for an entry without a record, a credit).
   */
  setTxPlaces(block: number, hashes: readonly (string | undefined)[]): void;
  /** Marks transfers credited by their receiving shard; unknown hashes are skipped. */
  setTxCredited(hashes: readonly string[]): void;
  /** Appends an entry to the pending list. */
  appendPending(entry: PendingEntry): void;
  /** The oldest pending entries, at most `limit`. */
  pending(limit: number): PendingEntry[];
  /** Removes the oldest `count` pending entries. */
  dropPending(count: number): void;
  /** Stores a block. */
  putBlock(block: StoredBlock): void;
  /** A block by height. */
  getBlock(height: number): StoredBlock | undefined;
  /** The highest block, if any. */
  head(): StoredBlock | undefined;
  /** Stores an outgoing receipt until it is acknowledged. */
  putOutbox(receipt: Receipt): void;
  /** Unacknowledged receipts for a shard, lowest sequence first, at most `limit`. */
  outbox(dest: number, limit: number): Receipt[];
  /** Shards that have unacknowledged receipts. */
  outboxShards(): number[];
  /** Removes a shard's receipts up to a sequence number; returns those removed. */
  deleteOutbox(dest: number, upTo: number): Receipt[];
  /** A small named value. */
  getMeta(key: string): string | undefined;
  /** Sets a small named value. */
  setMeta(key: string, value: string): void;
  /**
   * The accounts written or removed since the state tree last took them, each with a number
   * that a later write of the same account changes.
   */
  stateChanges(): Map<string, number>;
  /**
   * Forgets changes the state tree has taken: those whose number is still the one given (an
   * account written again since stays changed).
   */
  stateTaken(changes: ReadonlyMap<string, number>): void;
  /** An account as the state tree last took it: what the latest state root says of it. */
  getProvenAccount(id: string): Account | undefined;
  /** Writes accounts as the state tree takes them (`undefined`: none). */
  putProvenAccounts(rows: readonly (readonly [string, Account | undefined])[]): void;
  /** Where the shard's log keeps its nodes (written within this storage's transactions). */
  logStore(): LogNodeStore;
  /** Where the shard's state tree keeps its nodes and leaves (the same). */
  stateStore(): SparseStateStore;
}

/**
 * The in-memory storage, for tests and tools. Transactions keep an undo log.
 *
 * @example Usage
 * ```ts
 * import { MemoryLedgerStorage } from "./storage.ts";
 * const s = new MemoryLedgerStorage();
 * s.putAccount("a", { balance: 5n, nonce: 0 });
 * console.assert(s.getAccount("a")?.balance === 5n);
 * ```
 */
export class MemoryLedgerStorage implements LedgerStorage {
  readonly #accounts = new Map<string, Account>();
  readonly #txs = new Map<string, TxRecord>();
  #pending: PendingEntry[] = [];
  readonly #blocks = new Map<number, StoredBlock>();
  readonly #outbox = new Map<number, Map<number, Receipt>>();
  readonly #meta = new Map<string, string>();
  readonly #changed = new Map<string, number>();
  readonly #proven = new Map<string, Account>();
  #version = 0;
  readonly #log = memoryLogStore();
  readonly #state = memorySparseStore();
  #undo: (() => void)[] | undefined;

  transaction<T>(fn: () => T): T {
    if (this.#undo) return fn(); // nested: part of the outer transaction
    this.#undo = [];
    try {
      const result = fn();
      this.#undo = undefined;
      return result;
    } catch (error) {
      const undo = this.#undo!;
      this.#undo = undefined;
      for (let i = undo.length - 1; i >= 0; i--) undo[i]();
      throw error;
    }
  }

  #set<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (this.#undo) {
      const had = map.has(key);
      const old = map.get(key);
      this.#undo.push(() => had ? map.set(key, old as V) : map.delete(key));
    }
    map.set(key, structuredClone(value));
  }

  getAccount(id: string): Account | undefined {
    const a = this.#accounts.get(id);
    return a && { ...a };
  }
  prefetchAccounts(_ids: readonly string[]): void {}
  putAccount(id: string, account: Account): void {
    this.#set(this.#accounts, id, account);
    this.#changed.set(id, ++this.#version);
  }
  accountsWhere(keep: (id: string) => boolean): [string, Account][] {
    return [...this.#accounts].filter(([id]) => keep(id)).map(([id, a]) => [id, { ...a }]);
  }
  deleteAccounts(ids: readonly string[]): void {
    for (const id of ids) {
      if (!this.#accounts.has(id)) continue;
      const old = this.#accounts.get(id)!;
      this.#undo?.push(() => this.#accounts.set(id, old));
      this.#accounts.delete(id);
      this.#changed.set(id, ++this.#version);
    }
  }
  getTx(hash: string): TxRecord | undefined {
    return structuredClone(this.#txs.get(hash));
  }
  putTx(record: TxRecord): void {
    this.#set(this.#txs, record.hash, record);
  }
  setTxPlaces(block: number, hashes: readonly (string | undefined)[]): void {
    for (const [index, hash] of hashes.entries()) {
      const record = hash === undefined ? undefined : this.#txs.get(hash);
      if (record) this.#set(this.#txs, record.hash, { ...record, block, index });
    }
  }
  setTxCredited(hashes: readonly string[]): void {
    for (const hash of hashes) {
      const record = this.#txs.get(hash);
      if (record) this.#set(this.#txs, hash, { ...record, status: "credited" });
    }
  }
  appendPending(entry: PendingEntry): void {
    this.#pending.push(structuredClone(entry));
    this.#undo?.push(() => this.#pending.pop());
  }
  pending(limit: number): PendingEntry[] {
    return structuredClone(this.#pending.slice(0, limit));
  }
  dropPending(count: number): void {
    const before = this.#pending;
    this.#undo?.push(() => this.#pending = before);
    this.#pending = before.slice(count);
  }
  putBlock(block: StoredBlock): void {
    this.#set(this.#blocks, block.header.height, block);
  }
  getBlock(height: number): StoredBlock | undefined {
    return structuredClone(this.#blocks.get(height));
  }
  head(): StoredBlock | undefined {
    return this.getBlock(this.#blocks.size);
  }
  putOutbox(receipt: Receipt): void {
    let queue = this.#outbox.get(receipt.dest);
    if (!queue) {
      queue = new Map();
      this.#set(this.#outbox, receipt.dest, queue);
      queue = this.#outbox.get(receipt.dest)!;
    }
    this.#set(queue, receipt.seq, receipt);
  }
  outbox(dest: number, limit: number): Receipt[] {
    const queue = this.#outbox.get(dest);
    if (!queue) return [];
    return [...queue.values()].sort((a, b) => a.seq - b.seq).slice(0, limit).map((r) => ({ ...r }));
  }
  outboxShards(): number[] {
    return [...this.#outbox.entries()].filter(([, q]) => q.size > 0).map(([k]) => k).sort((a, b) =>
      a - b
    );
  }
  deleteOutbox(dest: number, upTo: number): Receipt[] {
    const queue = this.#outbox.get(dest);
    if (!queue) return [];
    const removed = [...queue.values()].filter((r) => r.seq <= upTo).sort((a, b) => a.seq - b.seq);
    for (const r of removed) {
      this.#undo?.push(() => queue.set(r.seq, r));
      queue.delete(r.seq);
    }
    return removed;
  }
  getMeta(key: string): string | undefined {
    return this.#meta.get(key);
  }
  setMeta(key: string, value: string): void {
    this.#set(this.#meta, key, value);
  }
  stateChanges(): Map<string, number> {
    return new Map(this.#changed);
  }
  stateTaken(changes: ReadonlyMap<string, number>): void {
    for (const [id, n] of changes) if (this.#changed.get(id) === n) this.#changed.delete(id);
  }
  getProvenAccount(id: string): Account | undefined {
    const a = this.#proven.get(id);
    return a && { ...a };
  }
  putProvenAccounts(rows: readonly (readonly [string, Account | undefined])[]): void {
    for (const [id, a] of rows) a ? this.#proven.set(id, { ...a }) : this.#proven.delete(id);
  }
  logStore(): LogNodeStore {
    return this.#log;
  }
  stateStore(): SparseStateStore {
    return this.#state;
  }
}
