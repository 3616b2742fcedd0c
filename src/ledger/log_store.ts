/**
 * A shard's log tree (`superpeer/merkle`, `LogTree`) kept in its SQLite: one row per node of the
 * tree, keyed by level and index, its hash in hex. A batch's nodes are written by one statement;
 * the size is read from the table each time (one step down its key), never kept beside it, so a
 * transaction rolled back around an append leaves no size that the table does not have.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import type { LogNode, LogNodeStore } from "../merkle/mod.ts";
import type { SqlDatabase } from "./sql_database.ts";

const SCHEMA =
  "CREATE TABLE IF NOT EXISTS ledger_log (level INTEGER NOT NULL, idx INTEGER NOT NULL, " +
  "hash TEXT NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID";

/**
 * The log's nodes in a SQLite database.
 *
 * @param db The database (the shard's own: this store is its log's only writer).
 * @returns The store.
 *
 * @example Usage
 * ```ts
 * import type { SqlDatabase } from "./sql_database.ts";
 * import { sqlLogStore } from "./log_store.ts";
 * import { LogTree } from "../merkle/mod.ts";
 * export const log = (db: SqlDatabase) => new LogTree(sqlLogStore(db));
 * ```
 */
export function sqlLogStore(db: SqlDatabase): LogNodeStore {
  db.exec(SCHEMA);
  return {
    node: (level, index) => {
      const [row] = db.exec(
        "SELECT hash FROM ledger_log WHERE level = ? AND idx = ?",
        level,
        index,
      );
      return row ? hex.decode(String(row.hash)) : undefined;
    },
    write: (nodes: readonly LogNode[]) => {
      if (nodes.length === 0) return;
      db.exec(
        "INSERT INTO ledger_log (level, idx, hash) " +
          "SELECT value->>0, value->>1, value->>2 FROM json_each(?)",
        JSON.stringify(nodes.map((n) => [n.level, n.index, hex.encode(n.hash)])),
      );
    },
    range: (level, from, count) =>
      db.exec(
        "SELECT idx, hash FROM ledger_log WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx",
        level,
        from,
        from + count,
      ).filter((row, i) => Number(row.idx) === from + i).map((row) => hex.decode(String(row.hash))),
    size: () => {
      const [row] = db.exec("SELECT max(idx) AS last FROM ledger_log WHERE level = 0");
      return row?.last === null || row?.last === undefined ? 0 : Number(row.last) + 1;
    },
  };
}
