/**
 * The accounts a SQLite ledger storage wrote or removed since its state tree last took them
 * (`LedgerStorage.stateChanges`): a table, so that a restart forgets none, and a copy in memory
 * whose numbers tell a change taken from one made since.
 *
 * @module
 */
import { jsonRuns, type SqlDatabase } from "./sql_database.ts";

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS ledger_state_changed (id TEXT PRIMARY KEY) WITHOUT ROWID",
  // Each account as the state tree last took it: what a balance proof shows.
  "CREATE TABLE IF NOT EXISTS ledger_state_account (id TEXT PRIMARY KEY, balance TEXT NOT NULL, " +
  "nonce INTEGER NOT NULL) WITHOUT ROWID",
];

/**
 * Changed accounts of one storage.
 *
 * @example Usage
 * ```ts
 * import type { SqlDatabase } from "./sql_database.ts";
 * import { StateChanges } from "./_state_changes.ts";
 * export const changes = (db: SqlDatabase) => new StateChanges(db);
 * ```
 */
export class StateChanges {
  readonly #db: SqlDatabase;
  // The table as read once and kept since (the storage is its only writer).
  #held: Map<string, number> | undefined;
  #version = 0;

  /** @param db The storage's database; the table is created if missing. */
  constructor(db: SqlDatabase) {
    this.#db = db;
    for (const statement of SCHEMA) db.exec(statement);
  }

  /** Notes accounts changed; `write` makes it last. @param ids Their ids. */
  mark(ids: Iterable<string>): void {
    const held = this.#all();
    for (const id of ids) held.set(id, ++this.#version);
  }

  /**
   * Writes changed ids to the table, in one statement.
   *
   * @param json A JSON array of ids, or of rows whose first column is the id (one run of
   *   `jsonRuns`).
   * @param rows Whether `json` holds rows.
   */
  write(json: string, rows: boolean): void {
    this.#db.exec(
      `INSERT OR IGNORE INTO ledger_state_changed (id) SELECT ${
        rows ? "value->>0" : "value"
      } FROM json_each(?)`,
      json,
    );
  }

  /** The changes, each with its number. @returns A copy. */
  snapshot(): Map<string, number> {
    return new Map(this.#all());
  }

  /** Forgets changes taken whose number is unchanged. @param changes From `snapshot`. */
  taken(changes: ReadonlyMap<string, number>): void {
    const held = this.#all();
    const gone = [...changes].filter(([id, n]) => held.get(id) === n).map(([id]) => id);
    for (const id of gone) held.delete(id);
    for (const run of jsonRuns(gone)) {
      this.#db.exec(
        "DELETE FROM ledger_state_changed WHERE id IN (SELECT value FROM json_each(?))",
        run,
      );
    }
  }

  /**
   * An account as the state tree last took it.
   *
   * @param id The account.
   * @returns Its balance and nonce then, or `undefined`.
   */
  proven(id: string): { balance: bigint; nonce: number } | undefined {
    const [row] = this.#db.exec("SELECT balance, nonce FROM ledger_state_account WHERE id = ?", id);
    return row && { balance: BigInt(String(row.balance)), nonce: Number(row.nonce) };
  }

  /**
   * Writes accounts as the state tree takes them, in two statements.
   *
   * @param rows Each account, or `undefined` for one gone.
   */
  putProven(
    rows: readonly (readonly [string, { balance: bigint; nonce: number } | undefined])[],
  ): void {
    const set = rows.flatMap(([id, a]) => a ? [[id, String(a.balance), a.nonce]] : []);
    const gone = rows.flatMap(([id, a]) => a ? [] : [id]);
    for (const run of jsonRuns(set)) {
      this.#db.exec(
        "INSERT OR REPLACE INTO ledger_state_account (id, balance, nonce) " +
          "SELECT value->>0, value->>1, value->>2 FROM json_each(?)",
        run,
      );
    }
    for (const run of jsonRuns(gone)) {
      this.#db.exec(
        "DELETE FROM ledger_state_account WHERE id IN (SELECT value FROM json_each(?))",
        run,
      );
    }
  }

  /** Reads the table again at next use (after a rollback). */
  reset(): void {
    this.#held = undefined;
  }

  #all(): Map<string, number> {
    return this.#held ??= new Map(
      // Each a number of its own: one taken before a rollback must not pass for these.
      this.#db.exec("SELECT id FROM ledger_state_changed").map((r) => [
        String(r.id),
        ++this.#version,
      ]),
    );
  }
}
