import {
  consistencyProof,
  inclusionProof,
  leafHash,
  type LogNodeStore,
  LogTree,
  memoryLogStore,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from "../../src/merkle/mod.ts";
import { sqlLogStore } from "../../src/ledger/mod.ts";
import { hex } from "../../src/encoding/mod.ts";
import { onNodeSqlite } from "../support/node_sqlite.ts";
import { assert, assertEquals, throwsRange } from "../support/assert.ts";

const leaves = Array.from({ length: 70 }, (_, i) => leafHash(new Uint8Array([i, 7])));

// The one contract, on each store: in memory, and in SQLite (`node:sqlite` here; a shard's own
// in workerd).
const STORES: [string, () => LogNodeStore][] = [
  ["memory", memoryLogStore],
  ["SQLite", () => sqlLogStore(onNodeSqlite())],
];

for (const [name, make] of STORES) {
  Deno.test(`log tree (${name}): every root, audit path and consistency proof is the list's`, () => {
    const log = new LogTree(make());
    // Appended in batches of uneven sizes: 1, 2, 3, …
    for (let i = 0, b = 1; i < leaves.length; i += b, b++) log.append(leaves.slice(i, i + b));
    assertEquals(log.size, 70);
    for (let n = 0; n <= 70; n++) {
      const tree = leaves.slice(0, n);
      assertEquals(log.root(n), merkleRoot(tree), `root ${n}`);
      for (let i = 0; i < n; i++) {
        const path = log.inclusionProof(i, n);
        assertEquals(path, inclusionProof(tree, i), `path ${i} of ${n}`);
        assert(verifyInclusion(tree[i], i, n, path, log.root(n)));
      }
      for (let m = 0; m <= n; m++) {
        const proof = log.consistencyProof(m, n);
        assertEquals(proof, consistencyProof(tree, m), `consistency ${m}:${n}`);
        if (m > 0) assert(verifyConsistency(m, n, log.root(m), log.root(n), proof));
      }
    }
  });
}

for (const [name, make] of STORES) {
  Deno.test(`log store (${name}): a range of a level, as far as it is written`, () => {
    const store = make();
    new LogTree(store).append(leaves.slice(0, 37));
    assertEquals(store.range(0, 0, 37), leaves.slice(0, 37));
    assertEquals(store.range(0, 30, 10), leaves.slice(30, 37), "stops at the last written");
    assertEquals(store.range(0, 40, 5), []);
    // Level 2: the roots of each 4 leaves, 9 of them written.
    assertEquals(store.range(2, 0, 256).length, 9);
    assertEquals(store.range(2, 3, 1), [merkleRoot(leaves.slice(12, 16))]);
  });
}

Deno.test("log tree (SQLite): an append rolled back with its transaction leaves the log as it was", () => {
  const db = onNodeSqlite();
  const log = new LogTree(sqlLogStore(db));
  log.append(leaves.slice(0, 5));
  try {
    db.transaction(() => {
      log.append(leaves.slice(5, 9));
      throw new Error("the block's other writes failed");
    });
  } catch {
    // rolled back
  }
  assertEquals(log.size, 5);
  assertEquals(log.root(), merkleRoot(leaves.slice(0, 5)));
  log.append(leaves.slice(5, 6));
  assertEquals(log.root(6), merkleRoot(leaves.slice(0, 6)));
});

Deno.test("log tree (SQLite): a store opened again on the same database reads the same log", () => {
  const db = onNodeSqlite();
  new LogTree(sqlLogStore(db)).append(leaves.slice(0, 37));
  const again = new LogTree(sqlLogStore(db));
  assertEquals(again.size, 37);
  assertEquals(again.root(), merkleRoot(leaves.slice(0, 37)));
  again.append(leaves.slice(37, 40));
  assertEquals(new LogTree(sqlLogStore(db)).root(40), merkleRoot(leaves.slice(0, 40)));
});

Deno.test("log tree (SQLite): rows of 64 hashes, crossed by appends and ranges", () => {
  const many = Array.from({ length: 300 }, (_, i) => leafHash(new Uint8Array([i & 255, i >> 8])));
  const store = sqlLogStore(onNodeSqlite());
  const log = new LogTree(store);
  // Batches of 1 to 97 leaves: some end inside a row, some cross one or two.
  for (let i = 0, b = 1; i < many.length; i += b, b = (b * 7) % 97 + 1) {
    log.append(many.slice(i, i + b));
    const n = Math.min(i + b, many.length);
    assertEquals(log.size, n);
    assertEquals(log.root(), merkleRoot(many.slice(0, n)), `root ${n}`);
  }
  assertEquals(store.range(0, 60, 200), many.slice(60, 260));
  assertEquals(store.range(0, 250, 256), many.slice(250));
  assertEquals(store.range(1, 63, 3).length, 3);
  assertEquals(store.node(0, 299), many[299]);
  assertEquals(store.node(0, 300), undefined);
  assertEquals(store.node(1, 150), undefined, "level 1 holds 150 nodes: 0 to 149");
});

Deno.test("log tree (SQLite): a node written out of its place is refused", () => {
  const db = onNodeSqlite();
  const store = sqlLogStore(db);
  new LogTree(store).append(leaves.slice(0, 3));
  assert(throwsRange(() => store.write([{ level: 0, index: 4, hash: leaves[4] }])), "a gap");
  assert(throwsRange(() => store.write([{ level: 0, index: 2, hash: leaves[2] }])), "again");
  // At a row's start: a row not yet due, and a row already there.
  assert(throwsRange(() => store.write([{ level: 0, index: 64, hash: leaves[4] }])), "a row early");
  assert(throwsRange(() => store.write([{ level: 0, index: 0, hash: leaves[0] }])), "row 0 again");
  assertEquals(store.size(), 3);
});

Deno.test("log tree (SQLite): a log kept one row per node is moved into rows when opened", () => {
  const db = onNodeSqlite();
  db.exec(
    "CREATE TABLE ledger_log (level INTEGER NOT NULL, idx INTEGER NOT NULL, " +
      "hash TEXT NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID",
  );
  // The nodes the old store held for 70 leaves: every node the tree completes.
  const old = new LogTree(memoryLogStore());
  const held: { level: number; index: number; hash: Uint8Array }[] = [];
  const record = memoryLogStore();
  const tree = new LogTree({
    ...record,
    write: (nodes) => (held.push(...nodes), record.write(nodes)),
  });
  tree.append(leaves);
  old.append(leaves);
  for (const n of held) {
    db.exec("INSERT INTO ledger_log VALUES (?, ?, ?)", n.level, n.index, hex.encode(n.hash));
  }
  const moved = new LogTree(sqlLogStore(db));
  assertEquals(moved.size, 70);
  assertEquals(moved.root(), old.root());
  assertEquals(moved.inclusionProof(65, 70), old.inclusionProof(65, 70));
  const tables = db.exec("SELECT name FROM sqlite_master WHERE name = 'ledger_log'");
  assertEquals(tables.length, 0, "the old table is dropped");
});

Deno.test("log tree: an append writes its leaf and the nodes it completes, once each", () => {
  const written: string[] = [];
  const inner = memoryLogStore();
  const store: LogNodeStore = {
    node: inner.node,
    size: inner.size,
    range: inner.range,
    write: (nodes) => {
      for (const n of nodes) written.push(`${n.level}/${n.index}`);
      inner.write(nodes);
    },
  };
  const log = new LogTree(store);
  log.append(leaves.slice(0, 3));
  assertEquals(written, ["0/0", "0/1", "1/0", "0/2"]);
  log.append(leaves.slice(3, 4)); // completes 1/1 and 2/0
  assertEquals(written.slice(4), ["0/3", "1/1", "2/0"]);
  assertEquals(new Set(written).size, written.length, "never written twice");
  // 64 leaves write 127 nodes: one per full subtree.
  const big = new LogTree(memoryLogStore());
  let count = 0;
  const s2 = memoryLogStore();
  const wrap: LogNodeStore = {
    node: s2.node,
    size: s2.size,
    range: s2.range,
    write: (nodes) => {
      count += nodes.length;
      s2.write(nodes);
    },
  };
  new LogTree(wrap).append(leaves.slice(0, 64));
  assertEquals(count, 127);
  big.append(leaves.slice(0, 64));
  assertEquals(big.root(), merkleRoot(leaves.slice(0, 64)));
});

Deno.test("log tree: sizes it does not have are refused", () => {
  const log = new LogTree(memoryLogStore());
  log.append(leaves.slice(0, 5));
  assert(throwsRange(() => log.root(6)));
  assert(throwsRange(() => log.inclusionProof(5, 5)));
  assert(throwsRange(() => log.consistencyProof(4, 6)));
  assert(throwsRange(() => log.consistencyProof(3, 2)));
  assertEquals(log.consistencyProof(0, 5), []);
  assertEquals(log.root(0), merkleRoot([]));
});
