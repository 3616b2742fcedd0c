import { DatabaseSync } from "node:sqlite";
import { MemoryLedgerStorage, SqlLedgerStorage, type TxRecord } from "../../src/ledger/mod.ts";
import { storageContract } from "./storage_contract.ts";
import { assertEquals } from "../support/assert.ts";
import { onNodeSqlite as nodeSqlite } from "../support/node_sqlite.ts";

storageContract("MemoryLedgerStorage", () => new MemoryLedgerStorage());

const onNodeSqlite = (db = new DatabaseSync(":memory:")) => new SqlLedgerStorage(nodeSqlite(db));

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

Deno.test("SqlLedgerStorage writes held meta values and receipts at the transaction's end", () => {
  const db = new DatabaseSync(":memory:");
  const storage = onNodeSqlite(db);
  const receipt = (seq: number) => ({
    network: "n",
    source: 0,
    dest: 3,
    seq,
    tx: "ab".repeat(32),
    to: "b",
    amount: "1",
  });
  storage.transaction(() => {
    for (let seq = 1; seq <= 3; seq++) {
      storage.setMeta("outseq:3", String(seq));
      storage.putOutbox(receipt(seq));
    }
    // Read inside the transaction, before they are written.
    assertEquals(storage.getMeta("outseq:3"), "3");
    assertEquals(storage.outbox(3, 10).map((r) => r.seq), [1, 2, 3]);
  });
  // A second connection's view: the rows themselves, not the first one's cache.
  const fresh = onNodeSqlite(db);
  assertEquals(fresh.getMeta("outseq:3"), "3");
  assertEquals(fresh.outbox(3, 10), [1, 2, 3].map(receipt));
  assertEquals(fresh.outboxShards(), [3]);
});

Deno.test("SqlLedgerStorage reads a batch's accounts in one statement, found or not", () => {
  const db = nodeSqlite();
  const reads: string[] = [];
  const counted = {
    exec: (query: string, ...b: (string | number | null)[]) => {
      if (query.startsWith("SELECT") && query.includes("ledger_account")) reads.push(query);
      return db.exec(query, ...b);
    },
    transaction: <T>(fn: () => T) => db.transaction(fn),
  };
  const s = new SqlLedgerStorage(counted);
  s.putAccount("a", { balance: 1n, nonce: 0 });
  const fresh = new SqlLedgerStorage(counted); // an empty cache, as after a restart
  reads.length = 0;
  fresh.prefetchAccounts(["a", "b", "c"]);
  assertEquals(reads.length, 1);
  assertEquals(fresh.getAccount("a"), { balance: 1n, nonce: 0 });
  assertEquals([fresh.getAccount("b"), fresh.getAccount("c")], [undefined, undefined]);
  // The absent ones too were read: no statement per account.
  assertEquals(reads.length, 1);
});
