/**
 * A shard's log tree (`superpeer/merkle`, `LogTree`) kept in its SQLite: the nodes of each level
 * in rows of `LOG_ROW_NODES` consecutive hashes (hex, one after the other), keyed by level and
 * row. A node is written once, at the end of its level, so a write appends to the last row of
 * each level it touches: a block of n entries writes about n / 32 rows, not 2n (one row per node
 * took about 4 µs per node to write, most of a block's writing). The size is read from the table
 * each time (the last row of level 0), never kept beside it, so a transaction rolled back around
 * an append leaves no size that the table does not have.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import type { LogNode, LogNodeStore } from "../merkle/mod.ts";
import type { SqlDatabase } from "./sql_database.ts";

/** Hashes in one row of the log's table. */
export const LOG_ROW_NODES = 64;

/** Hex characters of one hash. */
const HEX = 64;

const SCHEMA = "CREATE TABLE IF NOT EXISTS ledger_log_row (level INTEGER NOT NULL, " +
  "row INTEGER NOT NULL, hashes TEXT NOT NULL, PRIMARY KEY (level, row))";

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
  fromNodeRows(db);
  const range = (level: number, from: number, count: number) => {
    if (count <= 0) return [];
    const out: Uint8Array[] = [];
    const rows = db.exec(
      "SELECT row, hashes FROM ledger_log_row WHERE level = ? AND row >= ? AND row <= ? " +
        "ORDER BY row",
      level,
      Math.floor(from / LOG_ROW_NODES),
      Math.floor((from + count - 1) / LOG_ROW_NODES),
    );
    for (const row of rows) {
      const text = String(row.hashes);
      const first = Number(row.row) * LOG_ROW_NODES;
      // Rows are read in order; a missing row ends what is written.
      if (first > from + out.length) break;
      for (let i = from + out.length - first; i < text.length / HEX; i++) {
        if (out.length === count) break;
        out.push(hex.decode(text.slice(i * HEX, (i + 1) * HEX)));
      }
    }
    return out;
  };
  return {
    node: (level, index) => {
      const [row] = db.exec(
        "SELECT substr(hashes, ?, ?) AS hash FROM ledger_log_row WHERE level = ? AND row = ?",
        (index % LOG_ROW_NODES) * HEX + 1,
        HEX,
        level,
        Math.floor(index / LOG_ROW_NODES),
      );
      const hash = row ? String(row.hash) : "";
      return hash.length === HEX ? hex.decode(hash) : undefined;
    },
    write: (nodes) => appendRuns(db, nodes),
    range,
    size: () => {
      const [row] = db.exec(
        "SELECT row, length(hashes) AS len FROM ledger_log_row WHERE level = 0 " +
          "ORDER BY row DESC LIMIT 1",
      );
      return row ? Number(row.row) * LOG_ROW_NODES + Number(row.len) / HEX : 0;
    },
  };
}

// Appends nodes to the ends of their rows: one statement per run of consecutive nodes in one
// row. Each run must start where its level ends (a node is written once, in order): anything
// else is refused with nothing written, rather than a hash put in the wrong place.
function appendRuns(db: SqlDatabase, nodes: readonly LogNode[]): void {
  const sorted = [...nodes].sort((a, b) => a.level - b.level || a.index - b.index);
  for (let i = 0; i < sorted.length;) {
    const { level, index } = sorted[i];
    const row = Math.floor(index / LOG_ROW_NODES);
    let j = i + 1;
    while (
      j < sorted.length && sorted[j].level === level && sorted[j].index === index + (j - i) &&
      Math.floor(sorted[j].index / LOG_ROW_NODES) === row
    ) j++;
    const text = sorted.slice(i, j).map((n) => hex.encode(n.hash)).join("");
    const at = index % LOG_ROW_NODES;
    // A run at a row's start makes the row, where none is and the row before it is full; any
    // other appends to its row only where the row ends. A refused run writes nothing.
    const done = at === 0
      ? db.exec(
        "INSERT INTO ledger_log_row (level, row, hashes) SELECT ?, ?, ? " +
          "WHERE NOT EXISTS (SELECT 1 FROM ledger_log_row WHERE level = ? AND row = ?) " +
          "AND (? = 0 OR (SELECT length(hashes) FROM ledger_log_row WHERE level = ? AND row = ?) = ?) " +
          "RETURNING 1",
        level,
        row,
        text,
        level,
        row,
        row,
        level,
        row - 1,
        LOG_ROW_NODES * HEX,
      )
      : db.exec(
        "UPDATE ledger_log_row SET hashes = hashes || ? WHERE level = ? AND row = ? " +
          "AND length(hashes) = ? RETURNING 1",
        text,
        level,
        row,
        at * HEX,
      );
    if (done.length !== 1) {
      throw new RangeError(`Log nodes ${level}/${index}… do not follow the nodes written`);
    }
    i = j;
  }
}

// A log kept before its rows (one row per node, table `ledger_log`) is moved into them once, in
// one transaction and in SQL (a long log's nodes are never all in memory), and the old table
// dropped. Its nodes were written in order, so each row's are consecutive from the row's start;
// a table where they are not is left as it is, and the log refused.
function fromNodeRows(db: SqlDatabase): void {
  const [old] = db.exec(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'ledger_log'",
  );
  if (!old) return;
  db.transaction(() => {
    // The row's width written in, not bound: a bound number may be taken as a real, and
    // `idx / 64.0` would not divide whole.
    const w = LOG_ROW_NODES;
    const [gaps] = db.exec(
      `SELECT count(*) AS n FROM (SELECT level, idx / ${w} AS row, min(idx) AS lo, ` +
        `max(idx) AS hi, count(*) AS c FROM ledger_log GROUP BY level, row) ` +
        `WHERE lo != row * ${w} OR hi - lo + 1 != c`,
    );
    if (Number(gaps.n) !== 0) throw new RangeError("The old log table has gaps: not moved");
    db.exec(
      "INSERT INTO ledger_log_row (level, row, hashes) " +
        `SELECT level, idx / ${w}, group_concat(hash, '' ORDER BY idx) FROM ledger_log ` +
        `GROUP BY level, idx / ${w}`,
    );
    db.exec("DROP TABLE ledger_log");
  });
}
