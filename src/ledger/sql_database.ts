/**
 * The SQLite connection the ledger's stores speak to: two functions, so that the same code runs
 * on a Durable Object's storage (`ctx.storage.sql` and `transactionSync`) and on any other SQLite
 * (the contract tests use `node:sqlite`).
 *
 * @module
 */

/**
 * A SQLite connection, as the ledger needs it.
 *
 * @example Usage
 * ```ts
 * import type { SqlDatabase } from "./sql_database.ts";
 * export const one = (db: SqlDatabase) => db.exec("SELECT 1 AS one")[0].one;
 * ```
 */
export interface SqlDatabase {
  /** Runs one statement with `?` bindings and returns its rows. */
  exec(query: string, ...bindings: (string | number | null)[]): Record<string, unknown>[];
  /** Runs `fn` in one transaction: committed if it returns, rolled back if it throws. */
  transaction<T>(fn: () => T): T;
}
