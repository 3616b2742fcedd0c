import { base64 } from "@scure/base";
import { Identity } from "../../src/identity/mod.ts";
import { consistencyProof, leafHash, merkleRoot } from "../../src/merkle/mod.ts";
import { formatCheckpoint } from "../../src/tlog/checkpoint.ts";
import { checkForkEvidence, type ForkEvidence } from "../../src/tlog/evidence.ts";
import {
  NOTE_TYPE_COSIGNATURE,
  type NoteKey,
  noteKey,
  type NoteSigner,
  signNote,
} from "../../src/tlog/note.ts";
import { trustCheckpoint } from "../../src/tlog/quorum.ts";
import { memoryWitnessStore, Witness } from "../../src/tlog/witness.ts";
import { assert, assertEquals } from "../support/assert.ts";

const ORIGIN = "superpeer.test/shard/3";
const signerOf = (name: string, id: Identity): NoteSigner => ({
  name,
  publicKey: id.publicKey,
  sign: (b) => id.sign(b),
});
const leaves = (n: number, fork?: number) =>
  Array.from({ length: n }, (_, i) => leafHash(new Uint8Array(i === fork ? [7, i, 7] : [i])));

async function setUp() {
  const logId = await Identity.generate();
  const log = signerOf(ORIGIN, logId);
  const logKey = noteKey(ORIGIN, logId.publicKey);
  const checkpoint = (tree: Uint8Array[]) =>
    signNote(
      formatCheckpoint({
        origin: ORIGIN,
        size: tree.length,
        root: merkleRoot(tree),
        extensions: [],
      }),
      log,
    );
  const witnesses = await Promise.all([0, 1, 2].map(async (i) => {
    const id = await Identity.generate();
    const name = `witness.test/w${i}`;
    return {
      key: noteKey(name, id.publicKey, NOTE_TYPE_COSIGNATURE),
      witness: new Witness(signerOf(name, id), [logKey], memoryWitnessStore(), () => 1_800_000_000),
    };
  }));
  return { logKey, checkpoint, witnesses };
}

// A witness's answer, fed the way a log feeds it: from the size it holds.
async function feed(w: Witness, note: string, tree: Uint8Array[], held: number) {
  return await w.add({ oldSize: held, proof: consistencyProof(tree, held), checkpoint: note });
}

Deno.test("witness: cosigns a first checkpoint, then each that extends it", async () => {
  const { checkpoint, witnesses: [{ witness, key }], logKey } = await setUp();
  const first = await feed(witness, await checkpoint(leaves(5)), leaves(5), 0);
  assert(first.ok, JSON.stringify(first));
  const tree = leaves(12);
  const note = await checkpoint(tree);
  const second = await feed(witness, note, tree, 5);
  assert(second.ok, JSON.stringify(second));
  // The cosigned note is what a light client requiring this witness believes.
  const trusted = await trustCheckpoint(note + second.cosignature, logKey, {
    witnesses: [key],
    quorum: 1,
  });
  assert(trusted.ok, JSON.stringify(trusted));
  assertEquals(trusted.checkpoint.size, 12);
  assertEquals(trusted.cosigners, [{ name: key.name, time: 1_800_000_000 }]);
  // The same checkpoint again: nothing to prove, cosigned again.
  assert((await feed(witness, note, tree, 12)).ok);
});

Deno.test("witness: refuses what it cannot check, with a code that says why", async () => {
  const { checkpoint, witnesses: [{ witness }] } = await setUp();
  const tree = leaves(8);
  assert((await feed(witness, await checkpoint(tree), tree, 0)).ok);
  const longer = leaves(10);
  const note = await checkpoint(longer);
  // From another size than the one held: told the size held.
  const stale = await feed(witness, note, longer, 4);
  assert(!stale.ok && stale.code === "CONFLICT" && stale.size === 8, JSON.stringify(stale));
  // A proof that does not fit.
  const badProof = await witness.add({
    oldSize: 8,
    proof: consistencyProof(longer, 7),
    checkpoint: note,
  });
  assert(!badProof.ok && badProof.code === "INCONSISTENT");
  // An older checkpoint.
  const older = await witness.add({
    oldSize: 8,
    proof: [],
    checkpoint: await checkpoint(leaves(6)),
  });
  assert(!older.ok && older.code === "OLDER");
  // Signed by another key, of a log not watched, or not a checkpoint at all.
  const other = await Identity.generate();
  const forged = await signNote(
    formatCheckpoint({ origin: ORIGIN, size: 10, root: merkleRoot(longer), extensions: [] }),
    signerOf(ORIGIN, other),
  );
  const badSig = await feed(witness, forged, longer, 8);
  assert(!badSig.ok && badSig.code === "BAD_SIGNATURE");
  const elsewhere = await signNote(
    formatCheckpoint({ origin: "other.log", size: 10, root: merkleRoot(longer), extensions: [] }),
    signerOf("other.log", other),
  );
  const unknown = await feed(witness, elsewhere, longer, 8);
  assert(!unknown.ok && unknown.code === "UNKNOWN_LOG");
  const junk = await witness.add({ oldSize: 8, proof: [], checkpoint: "junk" });
  assert(!junk.ok && junk.code === "MALFORMED");
  // Two requests from the same size at once: one moves the head, the other is told.
  const [a, b] = [leaves(11), leaves(13)];
  const both = await Promise.all([
    feed(witness, await checkpoint(a), a, 8),
    feed(witness, await checkpoint(b), b, 8),
  ]);
  assertEquals(both.filter((r) => r.ok).length, 1);
  assert(both.some((r) => !r.ok && r.code === "CONFLICT"));
});

Deno.test("a forked history shown to half the clients: no witness that saw the other cosigns it, quorum clients refuse it, evidence reaches everyone", async () => {
  const { checkpoint, witnesses, logKey } = await setUp();
  const policy = { witnesses: witnesses.map((w) => w.key), quorum: 2 };
  // Every witness has seen the honest log at size 16.
  const honest16 = leaves(16);
  const seen = await checkpoint(honest16);
  for (const { witness } of witnesses) assert((await feed(witness, seen, honest16, 0)).ok);
  // The honest log grows to 20 and is cosigned by all three.
  const honest = leaves(20);
  let honestNote = await checkpoint(honest);
  for (const { witness } of witnesses) {
    const r = await feed(witness, honestNote, honest, 16);
    assert(r.ok);
    honestNote += r.cosignature;
  }
  assert((await trustCheckpoint(honestNote, logKey, policy)).ok);

  // The operator, who holds the log's key, rewrites entry 9 and signs a second history.
  const forked = leaves(20, 9);
  const forkNote = await checkpoint(forked);
  let shown = forkNote;
  for (const { witness } of witnesses) {
    // Whatever it proves from, the fork does not extend what each witness holds.
    for (const from of [16, 20]) {
      const r = await witness.add({
        oldSize: from,
        proof: consistencyProof(forked, from),
        checkpoint: forkNote,
      });
      assert(!r.ok, `witness cosigned the fork from ${from}`);
      if (from === 20) assertEquals(r.code, "INCONSISTENT");
    }
  }
  // The half shown the fork see only the log's signature: refused for want of a quorum.
  const refused = await trustCheckpoint(shown, logKey, policy);
  assert(!refused.ok && refused.message.includes("0 of the witnesses"), JSON.stringify(refused));
  // Nor does copying the honest checkpoint's cosignatures onto the fork help.
  shown = forkNote +
    honestNote.slice(honestNote.indexOf("\n\n") + 2).split("\n").slice(1).join("\n");
  assert(!(await trustCheckpoint(shown, logKey, policy)).ok);

  // Evidence, from what a witness holds and what the forked view's clients are served.
  const sameSize: ForkEvidence = { kind: "same-size", a: honestNote, b: forkNote };
  const shownSame = await checkForkEvidence(JSON.parse(JSON.stringify(sameSize)), logKey);
  assert(shownSame.ok, JSON.stringify(shownSame));
  assertEquals(shownSame.sizes, [20, 20]);
  const forked24 = leaves(24, 9);
  const grown: ForkEvidence = {
    kind: "inconsistent",
    a: seen,
    b: await checkpoint(forked24),
    prefixRoot: base64.encode(merkleRoot(forked24.slice(0, 16))),
    proof: consistencyProof(forked24, 16).map((h) => base64.encode(h)),
  };
  const shownGrown = await checkForkEvidence(grown, logKey);
  assert(shownGrown.ok, JSON.stringify(shownGrown));
  assertEquals(shownGrown.sizes, [16, 24]);
});

Deno.test("evidence that shows nothing is refused", async () => {
  const { checkpoint, logKey } = await setUp();
  const [t8, t12] = [leaves(8), leaves(12)];
  const [n8, n12] = [await checkpoint(t8), await checkpoint(t12)];
  const no = async (e: unknown, key: NoteKey = logKey) => {
    const r = await checkForkEvidence(e, key);
    assert(!r.ok, JSON.stringify(e).slice(0, 80));
  };
  await no({ kind: "same-size", a: n8, b: n8 });
  await no({ kind: "same-size", a: n8, b: n12 });
  // An honest log's growth, with its true prefix root.
  const prefix = base64.encode(merkleRoot(t8));
  const proof = consistencyProof(t12, 8).map((h) => base64.encode(h));
  await no({ kind: "inconsistent", a: n8, b: n12, prefixRoot: prefix, proof });
  // A made-up prefix root, with no proof that fits it.
  const fake = base64.encode(merkleRoot(leaves(8, 3)));
  await no({ kind: "inconsistent", a: n8, b: n12, prefixRoot: fake, proof });
  await no({ kind: "inconsistent", a: n12, b: n8, prefixRoot: prefix, proof });
  // A proof longer than any tree of 2^53 leaves needs is junk, refused unread (107 hashes).
  const long = Array.from({ length: 107 }, () => base64.encode(new Uint8Array(32).fill(1)));
  const unread = await checkForkEvidence(
    { kind: "inconsistent", a: n8, b: n12, prefixRoot: fake, proof: long },
    logKey,
  );
  assertEquals(unread, { ok: false, message: "Bad proof" });
  // Notes not signed by the log's key.
  const other = noteKey(ORIGIN, (await Identity.generate()).publicKey);
  await no({ kind: "same-size", a: n8, b: await checkpoint(leaves(8, 1)) }, other);
  await no(null);
  await no({ kind: "other", a: n8, b: n12 });
  // A size-0 checkpoint is extended by every tree: no root at size 0 can be disputed so.
  const n0 = await checkpoint([]);
  await no({
    kind: "inconsistent",
    a: n0,
    b: n12,
    prefixRoot: base64.encode(new Uint8Array(32).fill(7)),
    proof: [],
  });
});

Deno.test("witness and quorum: input of the wrong shape is refused, never thrown", async () => {
  const { checkpoint, witnesses: [{ witness, key }], logKey } = await setUp();
  const tree = leaves(4);
  const note = await checkpoint(tree);
  for (
    const bad of [{ oldSize: 0, proof: "x", checkpoint: note }, {
      oldSize: 0,
      proof: [],
      checkpoint: 7,
    }, null]
  ) {
    const r = await witness.add(bad as never);
    assert(!r.ok && r.code === "MALFORMED", JSON.stringify(r));
  }
  assert((await feed(witness, note, tree, 0)).ok);
  const older = await witness.add({
    oldSize: 4,
    proof: [],
    checkpoint: await checkpoint(leaves(2)),
  });
  assert(!older.ok && older.code === "OLDER", JSON.stringify(older));
  for (const quorum of [NaN, -1, 1.5]) {
    assert(!(await trustCheckpoint(note, logKey, { witnesses: [key], quorum })).ok, String(quorum));
  }
});

Deno.test("evidence is about the log whose key signed it: another origin shows nothing", async () => {
  const id = await Identity.generate();
  const key = noteKey(ORIGIN, id.publicKey);
  const other = (root: Uint8Array) =>
    signNote(
      formatCheckpoint({ origin: "other.log", size: 3, root, extensions: [] }),
      signerOf(ORIGIN, id),
    );
  const [a, b] = [await other(merkleRoot(leaves(3))), await other(merkleRoot(leaves(3, 1)))];
  assert(!(await checkForkEvidence({ kind: "same-size", a, b }, key)).ok);
});
