/**
 * A `node:sqlite` database as the ledger's stores take one (`SqlDatabase`): for the tests that
 * run a store's contract on SQLite outside workerd.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { SqlDatabase } from "../../src/ledger/mod.ts";

/**
 * Wraps a `node:sqlite` database.
 *
 * @example Usage
 * ```ts
 * import { onNodeSqlite } from "./node_sqlite.ts";
 * console.assert(onNodeSqlite().exec("SELECT 1 AS one")[0].one === 1);
 * ```
 *
 * @param db The database; a fresh one in memory if not given.
 * @returns It, as the stores use it.
 */
export function onNodeSqlite(db = new DatabaseSync(":memory:")): SqlDatabase {
  return {
    exec: (query, ...bindings) => db.prepare(query).all(...bindings) as Record<string, unknown>[],
    transaction: (fn) => {
      db.exec("BEGIN");
      try {
        const result = fn();
        db.exec("COMMIT");
        return result;
      } catch (error) {
        db.exec("ROLLBACK");
        throw error;
      }
    },
  };
}
