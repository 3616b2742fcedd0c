/**
 * The contract every {@linkcode LedgerStorage} implementation passes: the in-memory one
 * here, the SQLite one on `node:sqlite` here and on Durable Object storage in workerd.
 *
 * @module
 */
import type { LedgerStorage } from "../../src/ledger/mod.ts";
import { check, same } from "../support/plain_assert.ts";

const receipt = (dest: number, seq: number) => ({
  network: "dev",
  source: 0,
  dest,
  seq,
  tx: "ab".repeat(32),
  to: "6MkrRw4LP1mFZj1RvyQY3hd7prTwrmakPrVCsBgjMD2usJn",
  amount: String(seq * 10),
});

/** One clause of the contract: it runs on a fresh, empty storage and throws if broken. */
export interface ContractCase {
  name: string;
  run(s: LedgerStorage): void;
}

/** The contract's clauses. */
export const STORAGE_CONTRACT: ContractCase[] = [];
function clause(name: string, run: (s: LedgerStorage) => void): void {
  STORAGE_CONTRACT.push({ name, run });
}

/**
 * Registers the contract tests for one implementation.
 *
 * @param name The implementation's name, in test names.
 * @param make A fresh, empty storage.
 */
export function storageContract(name: string, make: () => LedgerStorage): void {
  for (const c of STORAGE_CONTRACT) Deno.test(`${name}: ${c.name}`, () => c.run(make()));
}

clause("accounts keep bigint balances and nonces", (s) => {
  same(s.getAccount("a"), undefined);
  s.putAccount("a", { balance: 2n ** 70n, nonce: 3 });
  same(s.getAccount("a"), { balance: 2n ** 70n, nonce: 3 });
  s.putAccount("a", { balance: 1n, nonce: 4 });
  same(s.getAccount("a"), { balance: 1n, nonce: 4 });
});

clause("accounts read at once read the same, and a write after them wins", (s) => {
  s.putAccount("a", { balance: 5n, nonce: 1 });
  s.prefetchAccounts(["a", "b", "b"]);
  same(s.getAccount("a"), { balance: 5n, nonce: 1 });
  same(s.getAccount("b"), undefined);
  // An account read as absent is there once written, and gone again when a rollback undoes it.
  s.putAccount("b", { balance: 2n, nonce: 0 });
  same(s.getAccount("b"), { balance: 2n, nonce: 0 });
  s.prefetchAccounts(["c"]);
  try {
    s.transaction(() => {
      s.putAccount("c", { balance: 3n, nonce: 0 });
      throw new Error("undo");
    });
  } catch { /* rolled back */ }
  same(s.getAccount("c"), undefined);
  s.deleteAccounts(["a"]);
  s.prefetchAccounts(["a"]);
  same(s.getAccount("a"), undefined);
});

clause("accounts are listed by a test of their id and deleted, inside a transaction too", (s) => {
  s.putAccount("a1", { balance: 1n, nonce: 1 });
  s.putAccount("b1", { balance: 2n, nonce: 0 });
  s.transaction(() => s.putAccount("a2", { balance: 3n, nonce: 2 }));
  const sorted = (rows: [string, unknown][]) => rows.sort(([x], [y]) => x < y ? -1 : 1);
  same(sorted(s.accountsWhere((id) => id.startsWith("a"))), [
    ["a1", { balance: 1n, nonce: 1 }],
    ["a2", { balance: 3n, nonce: 2 }],
  ]);
  try {
    s.transaction(() => {
      s.deleteAccounts(["a1", "zz"]);
      throw new Error("abort");
    });
  } catch { /* rolled back */ }
  same(s.getAccount("a1"), { balance: 1n, nonce: 1 });
  s.transaction(() => {
    s.putAccount("a1", { balance: 5n, nonce: 5 }); // held until the end of the transaction
    s.deleteAccounts(["a1", "zz"]);
  });
  same([s.getAccount("a1"), s.getAccount("b1")], [undefined, { balance: 2n, nonce: 0 }]);
  same(s.accountsWhere(() => true).length, 2);
});

clause("a transaction that throws leaves nothing behind", (s) => {
  s.putAccount("a", { balance: 10n, nonce: 0 });
  try {
    s.transaction(() => {
      s.putAccount("a", { balance: 0n, nonce: 1 });
      s.putAccount("b", { balance: 10n, nonce: 0 });
      s.setMeta("k", "v");
      s.putOutbox(receipt(1, 1));
      s.appendPending({ entry: { kind: "credit", receipt: receipt(1, 1) }, leaf: "00" });
      throw new Error("abort");
    });
  } catch {
    // expected
  }
  same(s.getAccount("a"), { balance: 10n, nonce: 0 });
  same(s.getAccount("b"), undefined);
  same(s.getMeta("k"), undefined);
  same(s.outboxShards(), []);
  same(s.pending(10), []);
  same(s.transaction(() => 42), 42);
});

clause("pending entries are a FIFO", (s) => {
  for (let i = 0; i < 5; i++) {
    s.appendPending({ entry: { kind: "credit", receipt: receipt(1, i + 1) }, leaf: String(i) });
  }
  same(s.pending(2).map((e) => e.leaf), ["0", "1"]);
  s.dropPending(3);
  same(s.pending(10).map((e) => e.leaf), ["3", "4"]);
});

clause("blocks by height, and the head", (s) => {
  same(s.head(), undefined);
  for (let h = 1; h <= 3; h++) {
    const header = {
      network: "dev",
      shard: 0,
      height: h,
      prev: "0".repeat(64),
      txRoot: "1".repeat(64),
      receiptsRoot: "2".repeat(64),
      entries: h,
      receipts: 0,
      timestamp: h,
      sig: "s",
    };
    s.putBlock({ header, leaves: Array(h).fill("aa") });
  }
  same(s.head()?.header.height, 3);
  same(s.getBlock(2)?.leaves, ["aa", "aa"]);
  same(s.getBlock(9), undefined);
});

clause("the outbox orders by sequence and deletes up to an acknowledgement", (s) => {
  for (const seq of [3, 1, 2]) s.putOutbox(receipt(5, seq));
  s.putOutbox(receipt(2, 1));
  same(s.outboxShards(), [2, 5]);
  same(s.outbox(5, 10).map((r) => r.seq), [1, 2, 3]);
  same(s.outbox(5, 2).map((r) => r.seq), [1, 2]);
  same(s.deleteOutbox(5, 2).map((r) => r.seq), [1, 2]);
  same(s.deleteOutbox(5, 2), []);
  same(s.outbox(5, 10).map((r) => r.seq), [3]);
  s.deleteOutbox(2, 1);
  same(s.outboxShards(), [5]);
});

clause(
  "a transaction's writes are read inside it, the last write wins, a throw leaves none",
  (s) => {
    const tx = { network: "dev", from: "a", to: "b", amount: "5", nonce: 1, sig: "s" };
    s.transaction(() => {
      s.putAccount("a", { balance: 5n, nonce: 1 });
      s.putAccount("a", { balance: 4n, nonce: 2 });
      same(s.getAccount("a"), { balance: 4n, nonce: 2 });
      s.putTx({ hash: "h", tx, status: "pending", dest: 1, block: null, index: null });
      s.putTx({ hash: "h", tx, status: "credited", dest: 1, block: null, index: null });
      same(s.getTx("h")?.status, "credited");
      s.appendPending({ leaf: "01", hash: "h" });
      s.appendPending({ leaf: "02" });
      same(s.pending(10).map((e) => e.leaf), ["01", "02"]);
      s.appendPending({ leaf: "03" });
    });
    same(s.getAccount("a"), { balance: 4n, nonce: 2 });
    same(s.pending(10).map((e) => e.leaf), ["01", "02", "03"]);
    try {
      s.transaction(() => {
        s.putAccount("a", { balance: 1n, nonce: 3 });
        s.putTx({ hash: "h", tx, status: "pending", dest: 1, block: null, index: null });
        s.appendPending({ leaf: "04" });
        throw new Error("rolled back");
      });
    } catch {
      // expected
    }
    same(s.getAccount("a"), { balance: 4n, nonce: 2 });
    same(s.getTx("h")?.status, "credited");
    same(s.pending(10).map((e) => e.leaf), ["01", "02", "03"]);
  },
);

clause("transfer records and meta values", (s) => {
  const tx = { network: "dev", from: "a", to: "b", amount: "5", nonce: 1, sig: "s" };
  s.putTx({ hash: "h", tx, status: "pending", dest: 1, block: null, index: null });
  s.putTx({ hash: "h", tx, status: "credited", dest: 1, block: 4, index: 2 });
  same(s.getTx("h"), { hash: "h", tx, status: "credited", dest: 1, block: 4, index: 2 });
  s.putTx({ hash: "g", tx, status: "pending", dest: 1, block: null, index: null });
  s.putTx({ hash: "f", tx, status: "pending", dest: 1, block: null, index: null });
  s.setTxPlaces(7, ["f", undefined, "unknown", "g"]);
  same(s.getTx("g"), { hash: "g", tx, status: "pending", dest: 1, block: 7, index: 3 });
  same(s.getTx("f"), { hash: "f", tx, status: "pending", dest: 1, block: 7, index: 0 });
  check(s.getTx("unknown") === undefined);
  check(s.getTx("nope") === undefined);
  s.setTxCredited(["g", "unknown"]);
  same(s.getTx("g"), { hash: "g", tx, status: "credited", dest: 1, block: 7, index: 3 });
  same(s.getTx("f")?.status, "pending");
  check(s.getTx("unknown") === undefined);
  s.setMeta("x", "1");
  s.setMeta("x", "2");
  same(s.getMeta("x"), "2");
});

clause("accounts changed are kept for the state tree until taken, unless changed again", (s) => {
  s.putAccount("a", { balance: 1n, nonce: 0 });
  s.transaction(() => s.putAccount("b", { balance: 2n, nonce: 0 }));
  const first = s.stateChanges();
  same([...first.keys()].sort(), ["a", "b"]);
  s.putAccount("b", { balance: 3n, nonce: 1 }); // after the snapshot
  s.deleteAccounts(["c"]); // not stored: may or may not count, but takes nothing away
  s.stateTaken(first);
  const left = [...s.stateChanges().keys()].filter((id) => id !== "c");
  same(left, ["b"]);
  s.deleteAccounts(["a"]);
  check(s.stateChanges().has("a"));
  s.stateTaken(s.stateChanges());
  same(s.stateChanges().size, 0);
});
