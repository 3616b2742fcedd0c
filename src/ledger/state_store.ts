/**
 * A shard's state tree (`superpeer/merkle`, `SparseState`) kept in its SQLite: the accounts'
 * leaves by key (hex, so that a bucket is a range of the key's first four hex digits) and the
 * nodes above the buckets by position. A plan's writes are one statement per table and kind.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import type { SparseChanges, SparseLeaf, SparseNode, SparseStateStore } from "../merkle/mod.ts";
import { jsonRuns, type SqlDatabase } from "./sql_database.ts";

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS ledger_state_leaf (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
  "CREATE TABLE IF NOT EXISTS ledger_state_node (pos INTEGER PRIMARY KEY, hash TEXT NOT NULL, count INTEGER NOT NULL)",
];

// A bucket's keys: from its four hex digits up to the next bucket's. Past the last bucket, "g"
// sorts after every hex digit.
function keyRange(index: number): [string, string] {
  const lo = index.toString(16).padStart(4, "0");
  return [lo, index === 0xffff ? "g" : (index + 1).toString(16).padStart(4, "0")];
}

function leafOf(row: Record<string, unknown>): SparseLeaf {
  return { key: hex.decode(String(row.key)), value: hex.decode(String(row.value)) };
}

/**
 * The state tree's nodes and leaves in a SQLite database.
 *
 * @param db The database (the shard's own: this store is its tree's only writer).
 * @returns The store.
 *
 * @example Usage
 * ```ts
 * import type { SqlDatabase } from "./sql_database.ts";
 * import { sqlStateStore } from "./state_store.ts";
 * import { SparseState } from "../merkle/mod.ts";
 * export const tree = (db: SqlDatabase) => new SparseState(sqlStateStore(db));
 * ```
 */
export function sqlStateStore(db: SqlDatabase): SparseStateStore {
  for (const statement of SCHEMA) db.exec(statement);
  return {
    nodes: () => {
      const out = new Map<number, SparseNode>();
      for (const row of db.exec("SELECT pos, hash, count FROM ledger_state_node")) {
        out.set(Number(row.pos), { hash: hex.decode(String(row.hash)), count: Number(row.count) });
      }
      return out;
    },
    bucket: (index) => {
      const [lo, hi] = keyRange(index);
      return db.exec(
        "SELECT key, value FROM ledger_state_leaf WHERE key >= ? AND key < ? ORDER BY key",
        lo,
        hi,
      ).map(leafOf);
    },
    // One statement: each bucket's key range, looked up by the table's key (`j` is the outer
    // loop; its rows come in the order given).
    buckets: (indexes) => {
      const out = new Map<number, SparseLeaf[]>();
      const rows = db.exec(
        "SELECT j.key AS i, l.key, l.value FROM json_each(?) j " +
          "JOIN ledger_state_leaf l ON l.key >= j.value->>0 AND l.key < j.value->>1 " +
          "ORDER BY j.key, l.key",
        JSON.stringify(indexes.map(keyRange)),
      );
      for (const row of rows) {
        const b = indexes[Number(row.i)];
        if (!out.has(b)) out.set(b, []);
        out.get(b)!.push(leafOf(row));
      }
      return out;
    },
    write: (changes: SparseChanges) => {
      const set = [...changes.nodes].filter(([, n]) => n);
      const dropped = [...changes.nodes].filter(([, n]) => !n).map(([p]) => p);
      // One statement per table and kind, or as many as a block of many accounts needs.
      for (const run of jsonRuns(set.map(([p, n]) => [p, hex.encode(n!.hash), n!.count]))) {
        db.exec(
          "INSERT OR REPLACE INTO ledger_state_node (pos, hash, count) " +
            "SELECT value->>0, value->>1, value->>2 FROM json_each(?)",
          run,
        );
      }
      for (const run of jsonRuns(dropped)) {
        db.exec("DELETE FROM ledger_state_node WHERE pos IN (SELECT value FROM json_each(?))", run);
      }
      for (
        const run of jsonRuns(changes.set.map((l) => [hex.encode(l.key), hex.encode(l.value)]))
      ) {
        db.exec(
          "INSERT OR REPLACE INTO ledger_state_leaf (key, value) " +
            "SELECT value->>0, value->>1 FROM json_each(?)",
          run,
        );
      }
      for (const run of jsonRuns(changes.drop.map((k) => hex.encode(k)))) {
        db.exec("DELETE FROM ledger_state_leaf WHERE key IN (SELECT value FROM json_each(?))", run);
      }
    },
  };
}
