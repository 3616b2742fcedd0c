import { DatabaseSync } from "node:sqlite";
import { MemoryLedgerStorage, SqlLedgerStorage, type TxRecord } from "../../src/ledger/mod.ts";
import { storageContract } from "./storage_contract.ts";
import { assertEquals } from "../support/assert.ts";

storageContract("MemoryLedgerStorage", () => new MemoryLedgerStorage());

function onNodeSqlite(db = new DatabaseSync(":memory:")): SqlLedgerStorage {
  return new SqlLedgerStorage({
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
  });
}

storageContract("SqlLedgerStorage on node:sqlite", () => onNodeSqlite());

Deno.test("SqlLedgerStorage reads a transfer's row written before the record was slimmed", () => {
  const db = new DatabaseSync(":memory:");
  const storage = onNodeSqlite(db);
  const hash = "ab".repeat(32);
  const tx = { network: "n", from: "a", to: "b", amount: "1", nonce: 1, sig: "s" };
  // The old row kept hash, block and index in the record too; the columns win.
  const old: TxRecord = { hash, tx, status: "pending", dest: 1, block: null, index: null };
  db.prepare("INSERT INTO ledger_tx (hash, record, block, idx) VALUES (?, ?, 3, 7)")
    .run(hash, JSON.stringify(old));
  assertEquals(storage.getTx(hash), { ...old, block: 3, index: 7 });
  storage.putTx({ ...old, status: "credited", block: 3, index: 7 });
  assertEquals(storage.getTx(hash), { ...old, status: "credited", block: 3, index: 7 });
});
