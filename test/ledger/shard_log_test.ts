import { base64 } from "@scure/base";
import { hex } from "../../src/encoding/mod.ts";
import { Identity } from "../../src/identity/mod.ts";
import {
  accountsArriving,
  accountsGone,
  blockHash,
  LedgerShard,
  type LedgerStorage,
  logOrigin,
  MemoryLedgerStorage,
  signTransfer,
  SqlLedgerStorage,
  stateRoot,
  transferToJson,
  verifyBalanceProof,
} from "../../src/ledger/mod.ts";
import {
  inclusionProof,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from "../../src/merkle/mod.ts";
import { noteKey, openNote, parseCheckpoint } from "../../src/tlog/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { onNodeSqlite } from "../support/node_sqlite.ts";
import { nextTurn } from "../../src/runtime/next_turn.ts";

const NETWORK = "dev";
const ORIGIN = logOrigin(NETWORK, 0);
const key = await Identity.generate();
const people = await Promise.all(Array.from({ length: 6 }, () => Identity.generate()));
const genesis = Object.fromEntries(people.map((p) => [p.peerId, 1_000]));

function open(storage: LedgerStorage, maxBlockEntries = 64): LedgerShard {
  return new LedgerShard(storage, {
    network: NETWORK,
    shard: 0,
    shards: 1,
    maxAmount: 1_000_000,
    maxBlockEntries,
    genesis,
  });
}

const nonces = new Map<string, number>();
async function pay(shard: LedgerShard, from: number, to: Identity | string, amount: number) {
  const payer = people[from];
  const nonce = (nonces.get(payer.peerId) ?? 0) + 1;
  nonces.set(payer.peerId, nonce);
  const toId = typeof to === "string" ? to : to.peerId;
  const t = await signTransfer(payer, {
    network: NETWORK,
    to: toId,
    amount: BigInt(amount),
    nonce,
  });
  const [outcome] = await shard.submitBatch([transferToJson(t)]);
  assert(outcome.ok, JSON.stringify(outcome));
}

// The head's checkpoint, opened with the shard's key: what it says.
async function headCheckpoint(storage: LedgerStorage) {
  const stored = storage.head()?.checkpoint;
  assert(stored, "the head block carries a checkpoint");
  const opened = await openNote(stored.note, [noteKey(ORIGIN, key.publicKey)]);
  assert(opened.ok, "signed by the shard's key under the log's origin");
  const c = parseCheckpoint(opened.text)!;
  assertEquals(c.origin, ORIGIN);
  return { ...c, stored };
}

// A checkpoint's state root, from its `state` line (the second extension).
const stateLine = (c: { extensions: string[] }) => base64.decode(c.extensions[1].slice(6));

// Every leaf the shard sealed, in order.
function allLeaves(storage: LedgerStorage): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let h = 1; storage.getBlock(h); h++) {
    out.push(...storage.getBlock(h)!.leaves.map((l) => hex.decode(l)));
  }
  return out;
}

for (
  const [name, make] of [
    ["memory", () => new MemoryLedgerStorage()],
    ["SQLite", () => new SqlLedgerStorage(onNodeSqlite())],
  ] as const
) {
  Deno.test(`ShardLog (${name}): each block a signed checkpoint of one log, with the state root`, async () => {
    nonces.clear();
    const storage = make();
    const shard = open(storage);
    const stranger = (await Identity.generate()).peerId;
    let last: { size: number; root: Uint8Array } | undefined;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 3 + round; i++) await pay(shard, i % 6, people[(i + 1) % 6], 1 + round);
      if (round === 2) await pay(shard, 5, stranger, 7); // an account new to the shard
      const header = await shard.seal(key);
      assert(header);
      const c = await headCheckpoint(storage);
      const leaves = allLeaves(storage);
      // One log over every entry ever sealed, and the block's hash named.
      assertEquals(c.size, leaves.length);
      assertEquals(c.root, merkleRoot(leaves));
      const { sig: _, ...unsigned } = header;
      assertEquals(c.extensions[0], `block ${header.height} ${blockHash(unsigned)}`);
      // The state root: the accounts as the entries leave them.
      const state = c.extensions.find((e) => e.startsWith("state "));
      assert(state, "a block that holds every pending entry carries the state root");
      const accounts = storage.accountsWhere(() => true);
      assertEquals(base64.decode(state.slice(6)), stateRoot(accounts));
      // Consistent with the one before, by the shard's own proof.
      if (last) {
        const proof = shard.log.consistency(last.size, c.size)!.map((h) => base64.decode(h));
        assert(verifyConsistency(last.size, c.size, last.root, c.root, proof));
      }
      // An entry's inclusion against this checkpoint.
      const at = leaves.length - 1;
      const path = shard.log.inclusion(at, c.size)!.map((h) => base64.decode(h));
      assertEquals(path, inclusionProof(leaves, at));
      assert(verifyInclusion(leaves[at], at, c.size, path, c.root));
      last = c;
    }
    // Balance proofs against the latest state root: present, new, absent.
    const root = stateLine(await headCheckpoint(storage));
    for (const id of [people[0].peerId, stranger]) {
      const shown = verifyBalanceProof(root, shard.log.balance(id)!.proof);
      assert(shown.ok && shown.present, id);
      assertEquals(String(shown.balance), shard.account(id).balance);
    }
    const nobody = (await Identity.generate()).peerId;
    const absent = verifyBalanceProof(root, shard.log.balance(nobody)!.proof);
    assert(absent.ok && !absent.present);
    // A forged balance fails against the root.
    const real = shard.log.balance(people[1].peerId)!.proof;
    assert(!verifyBalanceProof(root, { ...real, balance: String(BigInt(real.balance!) + 1n) }).ok);
    // Out of range: no proof.
    assertEquals(shard.log.consistency(3, 2), undefined);
    const size = allLeaves(storage).length;
    assertEquals(shard.log.inclusion(size, size), undefined);
  });

  Deno.test(`ShardLog (${name}): a block behind a backlog leaves the state line out`, async () => {
    nonces.clear();
    const storage = make();
    const shard = open(storage, 2);
    for (let i = 0; i < 5; i++) await pay(shard, i, people[5], 1);
    await shard.seal(key);
    let c = await headCheckpoint(storage);
    assertEquals(c.size, 2);
    assertEquals(c.extensions.length, 1, "no state line: three entries wait");
    assert(!c.stored.state);
    await shard.seal(key);
    await shard.seal(key);
    c = await headCheckpoint(storage);
    assertEquals(c.size, 5);
    assertEquals(
      stateLine(c),
      stateRoot(storage.accountsWhere(() => true)),
    );
    // The proof is against the last checkpoint that carries a state root.
    const proven = shard.log.balance(people[5].peerId)!;
    assertEquals(proven.checkpoint, c.stored.note);
  });
}

Deno.test("ShardLog (SQLite): blocks sealed before the log are taken into it first", async () => {
  nonces.clear();
  const db = onNodeSqlite();
  const shard = open(new SqlLedgerStorage(db));
  for (let h = 0; h < 3; h++) {
    await pay(shard, h, people[5], 1);
    await shard.seal(key);
  }
  // As storage from before the log: no log, no state tree, no mark of either.
  for (const table of ["ledger_log_row", "ledger_state_leaf", "ledger_state_node"]) {
    db.exec(`DELETE FROM ${table}`);
  }
  db.exec("DELETE FROM ledger_meta WHERE key IN ('log:height', 'state:height')");
  db.exec("DELETE FROM ledger_state_changed");
  db.exec("DELETE FROM ledger_meta WHERE key = 'state:seeded'");
  const storage = new SqlLedgerStorage(db);
  const again = open(storage);
  await pay(again, 4, people[5], 1);
  await again.seal(key);
  const c = await headCheckpoint(storage);
  assertEquals(c.size, 4);
  assertEquals(c.root, merkleRoot(allLeaves(storage)));
  // Every account is in the state root, those not written since the upgrade too.
  const state = stateLine(c);
  assertEquals(state, stateRoot(storage.accountsWhere(() => true)));
  const untouched = verifyBalanceProof(state, again.log.balance(people[0].peerId)!.proof);
  assert(untouched.ok && untouched.present);
});

Deno.test("ShardLog (SQLite): a balance proof is of the state root, not of a change since", async () => {
  nonces.clear();
  const storage = new SqlLedgerStorage(onNodeSqlite());
  const shard = open(storage);
  await pay(shard, 0, people[1], 5);
  await shard.seal(key);
  const root = stateLine(await headCheckpoint(storage));
  await pay(shard, 0, people[2], 7); // unsealed: in no root yet
  const proven = shard.log.balance(people[0].peerId)!;
  const shown = verifyBalanceProof(root, proven.proof);
  assert(shown.ok && shown.present, shown.ok ? "absent" : shown.message);
  assertEquals(shown.balance, 995n, "as the root says, before the second payment");
});

Deno.test("ShardLog (SQLite): an account written while a block is signed stays for the next", async () => {
  nonces.clear();
  const storage = new SqlLedgerStorage(onNodeSqlite());
  const shard = open(storage);
  await pay(shard, 0, people[1], 5);
  // The seal plans in its first turn, then signs: a transfer applied meanwhile changes an
  // account after the plan.
  const sealing = shard.seal(key);
  await pay(shard, 1, people[3], 9); // people[1] changed twice: before the plan and after
  await sealing;
  await shard.seal(key);
  const c = await headCheckpoint(storage);
  assertEquals(c.size, 2);
  assertEquals(
    stateLine(c),
    stateRoot(storage.accountsWhere(() => true)),
  );
});

Deno.test("ShardLog (SQLite): a seal gives the turn back as it hashes; what applies meanwhile waits", async () => {
  nonces.clear();
  const storage = new SqlLedgerStorage(onNodeSqlite());
  const shard = open(storage, 512);
  const payees = await Promise.all(Array.from({ length: 150 }, () => Identity.generate()));
  for (const payee of payees) await pay(shard, 0, payee, 1);
  const before = stateRoot(storage.accountsWhere(() => true));
  let turns = 0;
  let sealed = false;
  const count = () => {
    turns++;
    if (!sealed) setTimeout(count, 0);
  };
  setTimeout(count, 0);
  const sealing = shard.seal(key).finally(() => sealed = true);
  await nextTurn();
  await pay(shard, 1, people[2], 3);
  assert(!sealed, "the payment applied while the block was planned");
  await sealing;
  // About 150 leaves, 150 buckets and the nodes above them, a yield for every 64 to 128 hashes.
  assert(turns >= 10, `${turns} turns while sealing`);
  let c = await headCheckpoint(storage);
  assertEquals(c.size, 150);
  assertEquals(stateLine(c), before, "the accounts as planned");
  await shard.seal(key);
  c = await headCheckpoint(storage);
  assertEquals(c.size, 151);
  assertEquals(
    stateLine(c),
    stateRoot(storage.accountsWhere(() => true)),
  );
});

Deno.test("ShardLog (SQLite): a block whose state tree is not written leaves it to the next", async () => {
  nonces.clear();
  let fail = false;
  class Failing extends SqlLedgerStorage {
    override putProvenAccounts(rows: Parameters<SqlLedgerStorage["putProvenAccounts"]>[0]) {
      if (fail) throw new Error("the runtime stopped");
      super.putProvenAccounts(rows);
    }
  }
  const storage = new Failing(onNodeSqlite());
  const shard = open(storage);
  await pay(shard, 0, people[1], 5);
  await shard.seal(key);
  const first = await headCheckpoint(storage);
  await pay(shard, 0, people[2], 7);
  fail = true;
  let threw = false;
  await shard.seal(key).catch(() => threw = true);
  fail = false;
  assert(threw);
  // The block and its checkpoint are written; proofs stay against the first block's state.
  const second = await headCheckpoint(storage);
  assertEquals(second.size, 2);
  const proven = shard.log.balance(people[0].peerId)!;
  assertEquals(proven.checkpoint, first.stored.note);
  const shown = verifyBalanceProof(stateLine(first), proven.proof);
  assert(shown.ok && shown.present && shown.balance === 995n);
  // The next block takes every account changed since the first.
  await pay(shard, 3, people[4], 1);
  await shard.seal(key);
  const third = await headCheckpoint(storage);
  const root = stateLine(third);
  assertEquals(root, stateRoot(storage.accountsWhere(() => true)));
  const now = verifyBalanceProof(root, shard.log.balance(people[2].peerId)!.proof);
  assert(now.ok && now.present && now.balance === 1_007n);
});

Deno.test("ShardLog (SQLite): accounts changed with no entry get a block of their own", async () => {
  nonces.clear();
  const storage = new SqlLedgerStorage(onNodeSqlite());
  const shard = open(storage);
  // Genesis only: nothing is sealed unasked; asked, a block of no entries carries its accounts'
  // state root.
  assertEquals(await shard.seal(key), undefined);
  assert(shard.stateBehind());
  const first = await shard.seal(key, Date.now(), true);
  assert(first, "a block for the genesis accounts");
  assertEquals(first.entries, 0);
  let c = await headCheckpoint(storage);
  assertEquals(c.size, 0);
  let root = stateLine(c);
  assertEquals(root, stateRoot(storage.accountsWhere(() => true)));
  const shown = verifyBalanceProof(root, shard.log.balance(people[3].peerId)!.proof);
  assert(shown.ok && shown.present && shown.balance === 1_000n);
  assertEquals(await shard.seal(key, Date.now(), true), undefined, "nothing changed since");
  assert(!shard.stateBehind());
  // An account that arrives with its slot, and one that leaves with its own.
  const newcomer = (await Identity.generate()).peerId;
  accountsArriving(storage, [{ id: newcomer, balance: "42", nonce: 3 }]);
  accountsGone(storage, (id) => id === people[4].peerId);
  assert(shard.stateBehind());
  const third = await shard.seal(key, Date.now(), true);
  assertEquals(third?.entries, 0);
  c = await headCheckpoint(storage);
  root = stateLine(c);
  const came = verifyBalanceProof(root, shard.log.balance(newcomer)!.proof);
  assert(came.ok && came.present && came.balance === 42n && came.nonce === 3);
  const went = verifyBalanceProof(root, shard.log.balance(people[4].peerId)!.proof);
  assert(went.ok && !went.present);
});

Deno.test("ShardLog (SQLite): asked, a shard with no account seals the empty state's root", async () => {
  const storage = new SqlLedgerStorage(onNodeSqlite());
  const shard = new LedgerShard(storage, {
    network: NETWORK,
    shard: 0,
    shards: 1,
    maxAmount: 1_000_000,
    maxBlockEntries: 64,
  });
  assert(shard.stateBehind(), "no state root yet");
  assertEquals(shard.log.balance(people[0].peerId), undefined);
  const block = await shard.seal(key, Date.now(), true);
  assertEquals(block?.entries, 0);
  const c = await headCheckpoint(storage);
  assertEquals(c.size, 0);
  const root = stateLine(c);
  assertEquals(root, stateRoot([]));
  const absent = verifyBalanceProof(root, shard.log.balance(people[0].peerId)!.proof);
  assert(absent.ok && !absent.present, "proven absent");
  assert(!shard.stateBehind());
  assertEquals(await shard.seal(key, Date.now(), true), undefined);
});

Deno.test("ShardLog (SQLite): a woken shard reads its state tree in steps, once", async () => {
  nonces.clear();
  const db = onNodeSqlite();
  const shard = open(new SqlLedgerStorage(db), 512);
  const payees = await Promise.all(Array.from({ length: 120 }, () => Identity.generate()));
  for (const payee of payees) await pay(shard, 0, payee, 1);
  await shard.seal(key);
  // Woken again: the same storage, nothing in memory; the tree's store counts its reads.
  let reads = 0;
  class Counting extends SqlLedgerStorage {
    override stateStore() {
      const store = super.stateStore();
      return { ...store, nodes: () => (reads++, store.nodes()) };
    }
  }
  const woken = open(new Counting(db), 512);
  let yields = 0;
  const warming = woken.log.warmSteps();
  while (!warming.next().done) yields++;
  assert(yields > 0, "the nodes above 120 buckets take more than one step");
  const proven = woken.log.balance(payees[7].peerId)!;
  const c = await headCheckpoint(new SqlLedgerStorage(db));
  const shown = verifyBalanceProof(stateLine(c), proven.proof);
  assert(shown.ok && shown.present && shown.balance === 1n);
  assertEquals(reads, 1, "read once, when warmed");
});
