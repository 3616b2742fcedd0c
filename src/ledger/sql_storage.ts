/**
 * The SQLite implementation of {@linkcode LedgerStorage}. It speaks to SQLite through a
 * two-function interface, so the same code runs on a Durable Object's storage
 * (`ctx.storage.sql` and `transactionSync`) and on any other SQLite (the contract tests use
 * `node:sqlite`). Balances are stored as decimal text: they are bigints.
 *
 * @module
 */
import type { Receipt } from "./receipt.ts";
import type { Account, LedgerStorage, PendingEntry, StoredBlock, TxRecord } from "./storage.ts";

/** A SQLite connection, as the ledger needs it. */
export interface SqlDatabase {
  /** Runs one statement with `?` bindings and returns its rows. */
  exec(query: string, ...bindings: (string | number | null)[]): Record<string, unknown>[];
  /** Runs `fn` in one transaction: committed if it returns, rolled back if it throws. */
  transaction<T>(fn: () => T): T;
}

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS ledger_account (id TEXT PRIMARY KEY, balance TEXT NOT NULL, nonce INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS ledger_tx (hash TEXT PRIMARY KEY, record TEXT NOT NULL, block INTEGER, idx INTEGER)",
  "CREATE TABLE IF NOT EXISTS ledger_pending (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS ledger_block (height INTEGER PRIMARY KEY, block TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS ledger_outbox (dest INTEGER NOT NULL, seq INTEGER NOT NULL, receipt TEXT NOT NULL, PRIMARY KEY (dest, seq))",
  "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
];

/** Most accounts kept in memory; the cache is emptied when full. */
const ACCOUNT_CACHE_MAX = 65_536;

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
  // stays true; it saves two reads per transfer.
  readonly #accounts = new Map<string, Account>();

  /**
   * Opens the storage over a SQLite connection.
   *
   * @param db The connection; the tables are created if missing.
   */
  constructor(db: SqlDatabase) {
    this.#db = db;
    for (const statement of SCHEMA) db.exec(statement);
  }

  transaction<T>(fn: () => T): T {
    try {
      return this.#db.transaction(fn);
    } catch (error) {
      // The rollback may have undone cached writes: start the cache afresh.
      this.#accounts.clear();
      throw error;
    }
  }

  getAccount(id: string): Account | undefined {
    const hit = this.#accounts.get(id);
    if (hit) return { ...hit };
    const row = this.#db.exec("SELECT balance, nonce FROM ledger_account WHERE id = ?", id)[0];
    if (!row) return undefined;
    const account = { balance: BigInt(row.balance as string), nonce: Number(row.nonce) };
    this.#remember(id, account);
    return { ...account };
  }

  putAccount(id: string, account: Account): void {
    this.#db.exec(
      "INSERT OR REPLACE INTO ledger_account (id, balance, nonce) VALUES (?, ?, ?)",
      id,
      String(account.balance),
      account.nonce,
    );
    this.#remember(id, { ...account });
  }

  #remember(id: string, account: Account): void {
    if (this.#accounts.size >= ACCOUNT_CACHE_MAX) this.#accounts.clear();
    this.#accounts.set(id, account);
  }

  getTx(hash: string): TxRecord | undefined {
    const row = this.#db.exec("SELECT record, block, idx FROM ledger_tx WHERE hash = ?", hash)[0];
    if (!row) return undefined;
    const record = JSON.parse(row.record as string) as TxRecord;
    // The place has columns of its own, so sealing updates two integers, not the record.
    return {
      ...record,
      block: row.block === null ? null : Number(row.block),
      index: row.idx === null ? null : Number(row.idx),
    };
  }

  putTx(record: TxRecord): void {
    this.#db.exec(
      "INSERT OR REPLACE INTO ledger_tx (hash, record, block, idx) VALUES (?, ?, ?, ?)",
      record.hash,
      JSON.stringify({ ...record, block: null, index: null }),
      record.block,
      record.index,
    );
  }

  setTxPlace(hash: string, block: number, index: number): void {
    this.#db.exec("UPDATE ledger_tx SET block = ?, idx = ? WHERE hash = ?", block, index, hash);
  }

  appendPending(entry: PendingEntry): void {
    this.#db.exec("INSERT INTO ledger_pending (entry) VALUES (?)", JSON.stringify(entry));
  }

  pending(limit: number): PendingEntry[] {
    return this.#db.exec("SELECT entry FROM ledger_pending ORDER BY seq LIMIT ?", limit)
      .map((r) => JSON.parse(r.entry as string));
  }

  dropPending(count: number): void {
    this.#db.exec(
      "DELETE FROM ledger_pending WHERE seq IN (SELECT seq FROM ledger_pending ORDER BY seq LIMIT ?)",
      count,
    );
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
    this.#db.exec(
      "INSERT INTO ledger_outbox (dest, seq, receipt) VALUES (?, ?, ?)",
      receipt.dest,
      receipt.seq,
      JSON.stringify(receipt),
    );
  }

  outbox(dest: number, limit: number): Receipt[] {
    return this.#db.exec(
      "SELECT receipt FROM ledger_outbox WHERE dest = ? ORDER BY seq LIMIT ?",
      dest,
      limit,
    )
      .map((r) => JSON.parse(r.receipt as string));
  }

  outboxShards(): number[] {
    return this.#db.exec("SELECT DISTINCT dest FROM ledger_outbox ORDER BY dest").map((r) =>
      Number(r.dest)
    );
  }

  deleteOutbox(dest: number, upTo: number): Receipt[] {
    const removed = this.#db.exec(
      "SELECT receipt FROM ledger_outbox WHERE dest = ? AND seq <= ? ORDER BY seq",
      dest,
      upTo,
    ).map((r) => JSON.parse(r.receipt as string));
    this.#db.exec("DELETE FROM ledger_outbox WHERE dest = ? AND seq <= ?", dest, upTo);
    return removed;
  }

  getMeta(key: string): string | undefined {
    return this.#db.exec("SELECT value FROM ledger_meta WHERE key = ?", key)[0]?.value as
      | string
      | undefined;
  }

  setMeta(key: string, value: string): void {
    this.#db.exec("INSERT OR REPLACE INTO ledger_meta (key, value) VALUES (?, ?)", key, value);
  }
}
