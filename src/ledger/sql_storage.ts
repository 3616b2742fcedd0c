/**
 * The SQLite implementation of {@linkcode LedgerStorage}. It speaks to SQLite through a
 * two-function interface, so the same code runs on a Durable Object's storage
 * (`ctx.storage.sql` and `transactionSync`) and on any other SQLite (the contract tests use
 * `node:sqlite`). Balances are stored as decimal text: they are bigints.
 *
 * @module
 */
import type { LogNodeStore, SparseStateStore } from "../merkle/mod.ts";
import { sqlLogStore } from "./log_store.ts";
import type { Receipt } from "./receipt.ts";
import { sqlStateStore } from "./state_store.ts";
import { StateChanges } from "./_state_changes.ts";
import { remember } from "./_held_cache.ts";
import type { Account, LedgerStorage, PendingEntry, StoredBlock, TxRecord } from "./storage.ts";
import { jsonRuns, type SqlDatabase } from "./sql_database.ts";
export type { SqlDatabase } from "./sql_database.ts";

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS ledger_account (id TEXT PRIMARY KEY, balance TEXT NOT NULL, nonce INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS ledger_tx (hash TEXT PRIMARY KEY, record TEXT NOT NULL, block INTEGER, idx INTEGER)",
  "CREATE TABLE IF NOT EXISTS ledger_pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS ledger_block (height INTEGER PRIMARY KEY, block TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS ledger_outbox (dest INTEGER NOT NULL, seq INTEGER NOT NULL, receipt TEXT NOT NULL, PRIMARY KEY (dest, seq))",
  "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
];

const accountOf = (row: Record<string, unknown>): Account => ({
  balance: BigInt(row.balance as string),
  nonce: Number(row.nonce),
});

/**
 * Ledger storage on SQLite.
 *
 * @example On node:sqlite (a Durable Object passes `ctx.storage.sql.exec(…).toArray()` and
 * `ctx.storage.transactionSync` the same way)
 * ```ts
 * import { DatabaseSync } from "node:sqlite";
 * import { SqlLedgerStorage } from "./sql_storage.ts";
 * const db = new DatabaseSync(":memory:");
 * const storage = new SqlLedgerStorage({
 *   exec: (q, ...b) => db.prepare(q).all(...b as (string | number)[]) as Record<string, unknown>[],
 *   transaction: (fn) => {
 *     db.exec("BEGIN");
 *     try {
 *       const result = fn();
 *       db.exec("COMMIT");
 *       return result;
 *     } catch (error) {
 *       db.exec("ROLLBACK");
 *       throw error;
 *     }
 *   },
 * });
 * console.assert(storage.head() === undefined);
 * ```
 */
export class SqlLedgerStorage implements LedgerStorage {
  readonly #db: SqlDatabase;
  // This object is the only writer of its database, so a write-through cache of accounts
  // stays true; it saves two reads per transfer. An account known to be absent is `null`: a
  // transfer to a new account reads nothing twice.
  readonly #accounts = new Map<string, Account | null>();
  // Writes of the transaction under way, made at its end as one statement per table: a batch
  // of transfers costs a few statements, not four per transfer. Reads that could see them
  // write them first.
  readonly #dirty = new Map<string, Account>();
  #pending: PendingEntry[] = [];
  // Every entry of `ledger_pending`, in order, once read (this object is its only writer): a
  // block is sealed from memory, not read back and parsed from the rows it was just written to.
  #unsealed: PendingEntry[] | undefined;
  #txs: TxRecord[] = [];
  // Meta values (sequence numbers, faucet times) read or written so far, `null` for one known
  // absent, the written ones held to the transaction's end like accounts: a batch bumps one
  // counter per receipt, which read and written each time was two statements of four a transfer.
  readonly #meta = new Map<string, string | null>();
  readonly #dirtyMeta = new Map<string, string>();
  #outbox: Receipt[] = [];
  #depth = 0;
  readonly #changed: StateChanges;
  #log: LogNodeStore | undefined;
  #state: SparseStateStore | undefined;

  /**
   * Opens the storage over a SQLite connection.
   *
   * @param db The connection; the tables are created if missing.
   */
  constructor(db: SqlDatabase) {
    this.#db = db;
    for (const statement of SCHEMA) db.exec(statement);
    this.#changed = new StateChanges(db);
  }

  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    this.#depth++;
    try {
      return this.#db.transaction(() => {
        const result = fn();
        this.#write();
        return result;
      });
    } catch (error) {
      // The rollback undid cached writes, and the held ones never happened: start afresh.
      this.#accounts.clear();
      this.#dirty.clear();
      this.#pending = [];
      this.#unsealed = undefined;
      this.#txs = [];
      this.#meta.clear();
      this.#dirtyMeta.clear();
      this.#outbox = [];
      this.#changed.reset();
      throw error;
    } finally {
      this.#depth--;
    }
  }

  // Held writes, each table in one statement (the rows go as one JSON array).
  #write(): void {
    if (this.#dirty.size > 0) {
      const rows = [...this.#dirty].map(([id, a]) => [id, String(a.balance), a.nonce]);
      this.#dirty.clear();
      // Updated in place (a replace deletes and inserts each row), in runs (`jsonRuns`).
      for (const run of jsonRuns(rows)) {
        this.#db.exec(
          "INSERT INTO ledger_account (id, balance, nonce) " +
            "SELECT value->>0, value->>1, value->>2 FROM json_each(?) WHERE true " +
            "ON CONFLICT (id) DO UPDATE SET balance = excluded.balance, nonce = excluded.nonce",
          run,
        );
        this.#changed.write(run, true);
      }
    }
    if (this.#pending.length > 0) {
      const entries = JSON.stringify(this.#pending);
      this.#pending = [];
      // In array order, so the sequence numbers keep the order of application.
      this.#db.exec(
        "INSERT INTO ledger_pending (entry) SELECT value FROM json_each(?) ORDER BY key",
        entries,
      );
    }
    if (this.#dirtyMeta.size > 0) {
      const rows = JSON.stringify([...this.#dirtyMeta]);
      this.#dirtyMeta.clear();
      this.#db.exec(
        "INSERT OR REPLACE INTO ledger_meta (key, value) SELECT value->>0, value->>1 FROM json_each(?)",
        rows,
      );
    }
    if (this.#outbox.length > 0) {
      const rows = JSON.stringify(this.#outbox.map((r) => [r.dest, r.seq, JSON.stringify(r)]));
      this.#outbox = [];
      this.#db.exec(
        "INSERT INTO ledger_outbox (dest, seq, receipt) " +
          "SELECT value->>0, value->>1, value->>2 FROM json_each(?)",
        rows,
      );
    }
    if (this.#txs.length > 0) {
      // The hash, block and index have columns of their own; the record keeps the rest (see
      // `getTx`), a fifth fewer bytes per row.
      const rows = JSON.stringify(
        this.#txs.map((
          { hash, block, index, ...rest },
        ) => [hash, JSON.stringify(rest), block, index]),
      );
      this.#txs = [];
      this.#db.exec(
        "INSERT OR REPLACE INTO ledger_tx (hash, record, block, idx) " +
          "SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?) ORDER BY key",
        rows,
      );
    }
  }

  getAccount(id: string): Account | undefined {
    const hit = this.#accounts.get(id);
    if (hit !== undefined) return hit ? { ...hit } : undefined;
    // A single miss is not kept: ids read one at a time (a lookup of any id) would fill the
    // cache with absences. A batch's payees are kept absent by `prefetchAccounts`.
    const row = this.#db.exec("SELECT balance, nonce FROM ledger_account WHERE id = ?", id)[0];
    if (!row) return undefined;
    const account = accountOf(row);
    this.#remember(id, account);
    return { ...account };
  }

  prefetchAccounts(ids: readonly string[]): void {
    const unknown = [...new Set(ids)].filter((id) => !this.#accounts.has(id));
    if (unknown.length === 0) return;
    // One statement for a batch, found or not: a read per account was a third of its SQL time.
    const found = new Map(
      jsonRuns(unknown).flatMap((run) =>
        this.#db.exec(
          "SELECT id, balance, nonce FROM ledger_account WHERE id IN (SELECT value FROM json_each(?))",
          run,
        ).map((row) => [row.id as string, accountOf(row)] as const)
      ),
    );
    for (const id of unknown) this.#remember(id, found.get(id) ?? null);
  }

  putAccount(id: string, account: Account): void {
    // Held accounts are read from the cache, which then must not drop them.
    this.#remember(id, { ...account });
    this.#dirty.set(id, { ...account });
    this.#changed.mark([id]);
    if (this.#depth === 0) this.#write(); // inside a transaction: at its end
  }

  accountsWhere(keep: (id: string) => boolean): [string, Account][] {
    this.#write();
    // SQLite cannot compute a slot: every id is read, and the slot's own kept (a move is rare).
    return this.#db.exec("SELECT id, balance, nonce FROM ledger_account")
      .filter((row) => keep(row.id as string))
      .map((row) => [row.id as string, accountOf(row)]);
  }

  deleteAccounts(ids: readonly string[]): void {
    this.#write();
    for (const id of ids) {
      this.#accounts.delete(id);
      this.#dirty.delete(id);
      this.#changed.mark([id]);
    }
    for (const run of jsonRuns(ids)) {
      this.#db.exec("DELETE FROM ledger_account WHERE id IN (SELECT value FROM json_each(?))", run);
      this.#changed.write(run, false);
    }
  }

  stateChanges(): Map<string, number> {
    this.#write();
    return this.#changed.snapshot();
  }

  stateTaken(changes: ReadonlyMap<string, number>): void {
    this.#changed.taken(changes);
  }

  getProvenAccount(id: string): Account | undefined {
    return this.#changed.proven(id);
  }

  putProvenAccounts(rows: readonly (readonly [string, Account | undefined])[]): void {
    this.#changed.putProven(rows);
  }

  logStore(): LogNodeStore {
    return this.#log ??= sqlLogStore(this.#db);
  }

  stateStore(): SparseStateStore {
    return this.#state ??= sqlStateStore(this.#db);
  }

  #remember(id: string, account: Account | null): void {
    remember(this.#accounts, this.#dirty, id, account);
  }

  getTx(hash: string): TxRecord | undefined {
    this.#write();
    const row = this.#db.exec("SELECT record, block, idx FROM ledger_tx WHERE hash = ?", hash)[0];
    if (!row) return undefined;
    const record = JSON.parse(row.record as string) as TxRecord;
    // The place has columns of its own, so sealing updates two integers, not the record. (Rows
    // written before the record was slimmed still hold a copy of all three.)
    return {
      ...record,
      hash,
      block: row.block === null ? null : Number(row.block),
      index: row.idx === null ? null : Number(row.idx),
    };
  }

  putTx(record: TxRecord): void {
    this.#txs.push(record);
    if (this.#depth === 0) this.#write(); // inside a transaction: at its end
  }

  setTxPlaces(block: number, hashes: readonly (string | undefined)[]): void {
    this.#write();
    // One statement for the block: each hash's index is its place in the array.
    this.#db.exec(
      "UPDATE ledger_tx SET block = ?, idx = j.key FROM json_each(?) AS j WHERE ledger_tx.hash = j.value",
      block,
      JSON.stringify(hashes.map((h) => h ?? null)),
    );
  }

  setTxCredited(hashes: readonly string[]): void {
    this.#write();
    // One statement for an acknowledgement, the status changed inside each stored record: read
    // and written back whole, it was a query and a row rewritten per receipt.
    this.#db.exec(
      "UPDATE ledger_tx SET record = json_set(record, '$.status', 'credited') " +
        "WHERE hash IN (SELECT value FROM json_each(?))",
      JSON.stringify(hashes),
    );
  }

  appendPending(entry: PendingEntry): void {
    this.#pending.push(entry);
    this.#unsealed?.push(entry);
    if (this.#depth === 0) this.#write(); // inside a transaction: at its end
  }

  pending(limit: number): PendingEntry[] {
    this.#write();
    this.#unsealed ??= this.#db.exec("SELECT entry FROM ledger_pending ORDER BY seq")
      .map((r) => JSON.parse(r.entry as string));
    return this.#unsealed.slice(0, limit);
  }

  dropPending(count: number): void {
    this.#write();
    this.#db.exec(
      "DELETE FROM ledger_pending WHERE seq IN (SELECT seq FROM ledger_pending ORDER BY seq LIMIT ?)",
      count,
    );
    this.#unsealed?.splice(0, count);
  }

  putBlock(block: StoredBlock): void {
    this.#db.exec(
      "INSERT INTO ledger_block (height, block) VALUES (?, ?)",
      block.header.height,
      JSON.stringify(block),
    );
  }

  getBlock(height: number): StoredBlock | undefined {
    const row = this.#db.exec("SELECT block FROM ledger_block WHERE height = ?", height)[0];
    return row && JSON.parse(row.block as string);
  }

  head(): StoredBlock | undefined {
    const row = this.#db.exec("SELECT block FROM ledger_block ORDER BY height DESC LIMIT 1")[0];
    return row && JSON.parse(row.block as string);
  }

  putOutbox(receipt: Receipt): void {
    this.#outbox.push(receipt);
    if (this.#depth === 0) this.#write(); // inside a transaction: at its end
  }

  outbox(dest: number, limit: number): Receipt[] {
    this.#write();
    return this.#db.exec(
      "SELECT receipt FROM ledger_outbox WHERE dest = ? ORDER BY seq LIMIT ?",
      dest,
      limit,
    )
      .map((r) => JSON.parse(r.receipt as string));
  }

  outboxShards(): number[] {
    this.#write();
    return this.#db.exec("SELECT DISTINCT dest FROM ledger_outbox ORDER BY dest").map((r) =>
      Number(r.dest)
    );
  }

  deleteOutbox(dest: number, upTo: number): Receipt[] {
    this.#write();
    const removed = this.#db.exec(
      "SELECT receipt FROM ledger_outbox WHERE dest = ? AND seq <= ? ORDER BY seq",
      dest,
      upTo,
    ).map((r) => JSON.parse(r.receipt as string));
    this.#db.exec("DELETE FROM ledger_outbox WHERE dest = ? AND seq <= ?", dest, upTo);
    return removed;
  }

  getMeta(key: string): string | undefined {
    const hit = this.#meta.get(key);
    if (hit !== undefined) return hit ?? undefined;
    const value = this.#db.exec("SELECT value FROM ledger_meta WHERE key = ?", key)[0]?.value as
      | string
      | undefined;
    this.#rememberMeta(key, value ?? null);
    return value;
  }

  setMeta(key: string, value: string): void {
    this.#rememberMeta(key, value);
    this.#dirtyMeta.set(key, value);
    if (this.#depth === 0) this.#write(); // inside a transaction: at its end
  }

  // One faucet time per account paid makes the keys many: the cache is bounded like accounts'.
  #rememberMeta(key: string, value: string | null): void {
    remember(this.#meta, this.#dirtyMeta, key, value);
  }
}
