import fc from "fast-check";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  encodeSparseProof,
  memorySparseStore,
  SPARSE_EMPTY,
  SPARSE_READ_BUCKETS,
  type SparseLeaf,
  sparseProof,
  sparseRoot,
  SparseState,
  type SparseStateStore,
  verifySparseProof,
} from "../../src/merkle/mod.ts";
import { sqlStateStore } from "../../src/ledger/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { onNodeSqlite } from "../support/node_sqlite.ts";

/**
 * The contract every store of an incremental tree meets: after any run of changes, the tree's
 * root and every proof are those of the compact tree over all its leaves.
 *
 * @param name The store's name.
 * @param makeStore Makes an empty store.
 */
export function sparseStateContract(name: string, makeStore: () => SparseStateStore): void {
  // Keys crowded into few buckets (the first two bytes from a small set) and a few near each
  // other, so that buckets hold several leaves and subtrees split deep.
  const keyArb = fc.tuple(
    fc.integer({ min: 0, max: 3 }),
    fc.uint8Array({ minLength: 30, maxLength: 30 }),
  )
    .map(([b, rest]) => Uint8Array.from([b & 1, b >> 1, ...rest]));
  const valueArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const stepArb = fc.array(fc.tuple(keyArb, fc.option(valueArb, { nil: undefined })), {
    minLength: 1,
    maxLength: 12,
  });

  Deno.test(`${name}: root and proofs equal the whole tree's after every step`, () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 6 }), (steps) => {
        const tree = new SparseState(makeStore());
        const model = new Map<string, SparseLeaf>();
        const seen: Uint8Array[] = [];
        for (const step of steps) {
          // Some steps drop keys given earlier, not only fresh ones.
          const changes = step.map(([key, value], i) =>
            [i % 3 === 2 && seen.length > 0 ? seen[i % seen.length] : key, value] as const
          );
          const before = tree.root();
          const plan = tree.plan(changes);
          assertEquals(tree.root(), before, "a plan writes nothing");
          tree.commit(plan);
          for (const [key, value] of changes) {
            seen.push(key);
            if (value) model.set(String(key), { key, value });
            else model.delete(String(key));
          }
          const leaves = [...model.values()];
          assertEquals(tree.root(), sparseRoot(leaves));
          assertEquals(plan.root, tree.root());
          assertEquals(tree.size, leaves.length);
          for (const key of [...seen.slice(-6), new Uint8Array(32).fill(3)]) {
            const proof = tree.proof(key);
            assertEquals(encodeSparseProof(proof), encodeSparseProof(sparseProof(leaves, key)));
            const value = model.get(String(key))?.value;
            assert(verifySparseProof(tree.root(), key, value, proof));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  Deno.test(`${name}: a tree reopened from its store answers the same`, () => {
    const store = makeStore();
    const tree = new SparseState(store);
    const leaves = Array.from({ length: 40 }, (_, i) => ({
      key: Uint8Array.from(
        { length: 32 },
        (_, j) => (j < 2 ? (i % 2) * 255 : (i * 31 + j * 7) & 255),
      ),
      value: new Uint8Array(32).fill(i + 1),
    }));
    tree.commit(tree.plan(leaves.map((l) => [l.key, l.value])));
    const again = new SparseState(store);
    assertEquals(again.root(), sparseRoot(leaves));
    assertEquals(again.size, 40);
    const p = again.proof(leaves[7].key);
    assert(verifySparseProof(again.root(), leaves[7].key, leaves[7].value, p));
    // Dropping every leaf leaves the empty tree, and no node behind.
    again.commit(again.plan(leaves.map((l) => [l.key, undefined])));
    assertEquals(again.root(), SPARSE_EMPTY);
    assertEquals(store.nodes().size, 0);
  });

  Deno.test(`${name}: buckets read together are each bucket as read alone`, () => {
    const store = makeStore();
    const tree = new SparseState(store);
    // Three leaves in bucket 0x0101 and one in each bucket beside it, one in 0xffff (the last),
    // none in 0x0202.
    const leaf = (b0: number, b1: number, fill: number) => ({
      key: Uint8Array.from({ length: 32 }, (_, j) => j === 0 ? b0 : j === 1 ? b1 : fill + j),
      value: new Uint8Array(32).fill(fill),
    });
    const leaves = [
      ...[leaf(1, 1, 9), leaf(1, 1, 3), leaf(1, 1, 6), leaf(255, 255, 1)],
      ...[leaf(1, 0, 250), leaf(1, 2, 0)],
    ];
    tree.commit(tree.plan(leaves.map((l) => [l.key, l.value])));
    const indexes = [0xffff, 0x0202, 0x0101];
    const together = store.buckets(indexes);
    for (const b of indexes) assertEquals(together.get(b) ?? [], store.bucket(b), `bucket ${b}`);
    assertEquals(together.get(0x0101)?.length, 3);
    assertEquals(together.get(0xffff)?.length, 1);
  });

  Deno.test(`${name}: a forgotten tree reads its nodes again`, () => {
    const tree = new SparseState(makeStore());
    const leaf = { key: new Uint8Array(32).fill(9), value: new Uint8Array(32).fill(1) };
    tree.commit(tree.plan([[leaf.key, leaf.value]]));
    tree.forget();
    assertEquals(tree.root(), sparseRoot([leaf]));
  });
}

Deno.test("SparseState: a plan in steps yields as it goes and plans what plan() plans", () => {
  const leaves = Array.from({ length: 300 }, (_, i) => ({
    key: sha256(new Uint8Array([i & 255, i >> 8])),
    value: new Uint8Array(32).fill(i & 255),
  }));
  const changes = leaves.map((l) => [l.key, l.value] as const);
  const whole = new SparseState(memorySparseStore()).plan(changes);
  const store = memorySparseStore();
  const tree = new SparseState(store);
  const steps = tree.planSteps(changes, 16);
  let yields = 0;
  let next = steps.next();
  for (; !next.done; next = steps.next()) yields++;
  assertEquals(next.value.root, whole.root);
  assertEquals(next.value.root, sparseRoot(leaves));
  // About one yield per 16 hashes: 300 buckets, and the nodes above them.
  assert(yields > 300 / 16, `${yields} yields`);
  tree.commit(next.value);
  assertEquals(tree.root(), sparseRoot(leaves));
  // A tree opened cold warms in steps too, to the same root, and reads its store once.
  let reads = 0;
  const cold = new SparseState({ ...store, nodes: () => (reads++, store.nodes()) });
  let warmYields = 0;
  const warming = cold.warmSteps(16);
  while (!warming.next().done) warmYields++;
  assert(warmYields > 300 / 16, `${warmYields} yields warming`);
  assertEquals(cold.root(), sparseRoot(leaves));
  assertEquals(reads, 1, "the warmed nodes are kept");
});

sparseStateContract("SparseState in memory", memorySparseStore);
sparseStateContract("SparseState on SQLite", () => sqlStateStore(onNodeSqlite()));

Deno.test("SparseState: a plan reads the buckets it changes 64 to a statement", () => {
  const db = onNodeSqlite();
  let reads = 0;
  const counted = {
    exec: (query: string, ...b: (string | number | null)[]) => {
      if (query.startsWith("SELECT") && query.includes("ledger_state_leaf")) reads++;
      return db.exec(query, ...b);
    },
    transaction: <T>(fn: () => T) => db.transaction(fn),
  };
  const tree = new SparseState(sqlStateStore(counted));
  // 200 keys in 200 buckets (their first two bytes differ).
  const leaves = Array.from({ length: 200 }, (_, i) => ({
    key: Uint8Array.from({ length: 32 }, (_, j) => j === 0 ? i : j === 1 ? 7 : j),
    value: new Uint8Array(32).fill(i & 255),
  }));
  const plan = tree.plan(leaves.map((l) => [l.key, l.value]));
  assertEquals(reads, Math.ceil(200 / SPARSE_READ_BUCKETS));
  assertEquals(plan.root, sparseRoot(leaves));
});

Deno.test("SparseState: a key or value of the wrong length is refused", () => {
  const tree = new SparseState(memorySparseStore());
  let threw = false;
  try {
    tree.plan([[new Uint8Array(31), new Uint8Array(32)]]);
  } catch (e) {
    threw = e instanceof RangeError;
  }
  assert(threw);
});
