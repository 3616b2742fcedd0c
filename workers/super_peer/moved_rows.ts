/**
 * Rows that travel with a slot, written at the new shard and dropped at the old one: each as an
 * array of column values, bound as JSON arrays, so that a room's part of a step is one
 * statement per table for the usual few rows, and never one statement past SQLite's bound on a
 * string (`jsonRuns`: a step's mail can be megabytes).
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import { jsonRuns } from "../../src/ledger/sql_database.ts";

// `value->>0, value->>1, …`: the columns of one row of the bound array.
const fields = (n: number) => Array.from({ length: n }, (_, i) => `value->>${i}`).join(", ");

/**
 * Writes rows, in the order given.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { insertRows } from "./moved_rows.ts";
 * export const arrive = (sql: SqlStorage, rows: unknown[][]) =>
 *   insertRows(sql, "peer_seen", ["peer", "last_seen"], rows);
 * ```
 *
 * @param sql The shard's SQLite.
 * @param table The table.
 * @param columns Its columns, in the order of each row's values.
 * @param rows The rows.
 * @param conflict What a row whose key is there already does: replaces it (a copy done again
 *   after a restart), or is left out (what is there was counted by its table's triggers).
 */
export function insertRows(
  sql: SqlStorage,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  conflict: "REPLACE" | "IGNORE" = "REPLACE",
): void {
  // Runs in order, each in order: the rows are written in the order given.
  for (const run of jsonRuns(rows)) {
    sql.exec(
      `INSERT OR ${conflict} INTO ${table} (${columns.join(", ")}) ` +
        `SELECT ${fields(columns.length)} FROM json_each(?) ORDER BY key`,
      run,
    );
  }
}

/**
 * Deletes the rows whose key columns match one of `keys`.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { deleteRows } from "./moved_rows.ts";
 * export const gone = (sql: SqlStorage, peers: string[]) =>
 *   deleteRows(sql, "peer_seen", ["peer"], peers.map((p) => [p]));
 * ```
 *
 * @param sql The shard's SQLite.
 * @param table The table.
 * @param columns The key columns.
 * @param keys One array of key values per row to delete (longer rows: the rest is ignored).
 */
export function deleteRows(
  sql: SqlStorage,
  table: string,
  columns: readonly string[],
  keys: readonly unknown[][],
): void {
  const key = columns.length === 1 ? columns[0] : `(${columns.join(", ")})`;
  for (const run of jsonRuns(keys.map((k) => k.slice(0, columns.length)))) {
    sql.exec(
      `DELETE FROM ${table} WHERE ${key} IN (SELECT ${fields(columns.length)} FROM json_each(?))`,
      run,
    );
  }
}
