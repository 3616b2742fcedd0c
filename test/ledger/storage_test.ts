import { DatabaseSync } from "node:sqlite";
import { MemoryLedgerStorage, SqlLedgerStorage } from "../../src/ledger/mod.ts";
import { storageContract } from "./storage_contract.ts";

storageContract("MemoryLedgerStorage", () => new MemoryLedgerStorage());

storageContract("SqlLedgerStorage on node:sqlite", () => {
  const db = new DatabaseSync(":memory:");
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
});
