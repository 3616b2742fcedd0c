import { Identity } from "../../src/identity/mod.ts";
import { LedgerTrust } from "../../src/client/ledger_trust.ts";
import { logOrigin } from "../../src/protocol/mod.ts";
import type { NetworkInfo } from "../../src/protocol/mod.ts";
import {
  cosign,
  formatCheckpoint,
  formatNoteKey,
  NOTE_TYPE_COSIGNATURE,
  noteKey,
  signNote,
} from "../../src/tlog/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

const shardKey = await Identity.generate();
const witness = await Identity.generate();
const info = { network: "dev", shardKeys: [shardKey.peerId] } as unknown as NetworkInfo;
const origin = logOrigin("dev", 0);
const signer = (id: Identity, name: string) => ({
  name,
  publicKey: id.publicKey,
  sign: (b: Uint8Array) => id.sign(b),
});

async function checkpoint(size: number, fill: number): Promise<string> {
  const text = formatCheckpoint({
    origin,
    size,
    root: new Uint8Array(32).fill(fill),
    extensions: [],
  });
  return await signNote(text, signer(shardKey, origin));
}

function trust(reported: unknown[], distrusted: number[]) {
  return new LedgerTrust({
    network: () => Promise.resolve(info),
    report: (e) => (reported.push(e), Promise.resolve()),
    distrusted: (d) => distrusted.push(d.shard),
  });
}

Deno.test("LedgerTrust: a quorum of named witnesses, counted from their cosignatures", async () => {
  const t = trust([], []);
  const note = await checkpoint(5, 1);
  const key = formatNoteKey(noteKey("w", witness.publicKey, NOTE_TYPE_COSIGNATURE));
  const policy = { witnesses: [key], quorum: 1 };
  assert(!(await t.checkpoint(0, note, policy)).ok, "no cosignature yet");
  const text = note.slice(0, note.indexOf("\n\n") + 1);
  const cosigned = note + await cosign(text, signer(witness, "w"), 1_700_000_000);
  const r = await t.checkpoint(0, cosigned, policy);
  assert(r.ok && r.cosigners.length === 1 && r.checkpoint.size === 5);
});

Deno.test("LedgerTrust: two checkpoints of one size are reported, and the key distrusted", async () => {
  const reported: unknown[] = [];
  const distrusted: number[] = [];
  const t = trust(reported, distrusted);
  assert((await t.checkpoint(0, await checkpoint(5, 1))).ok);
  assert((await t.checkpoint(0, await checkpoint(6, 2))).ok, "another size: no evidence");
  assertEquals(reported.length, 0);
  const fork = await t.checkpoint(0, await checkpoint(5, 9));
  assert(!fork.ok && /two histories/.test(fork.message));
  assertEquals([reported.length, distrusted], [1, [0]]);
  // From now on even the honest one is refused; evidence told again is not new.
  assert(!(await t.checkpoint(0, await checkpoint(6, 2))).ok);
  assertEquals(await t.evidence(0, reported[0]), false);
});

Deno.test("LedgerTrust: evidence that does not hold changes nothing", async () => {
  const distrusted: number[] = [];
  const t = trust([], distrusted);
  const a = await checkpoint(5, 1);
  const other = await Identity.generate();
  const text = formatCheckpoint({
    origin,
    size: 5,
    root: new Uint8Array(32).fill(9),
    extensions: [],
  });
  const notTheShards = await signNote(text, signer(other, origin));
  assertEquals(await t.evidence(0, { kind: "same-size", a, b: notTheShards }), false);
  assertEquals(await t.evidence(0, { kind: "same-size", a, b: a }), false);
  assertEquals(distrusted, []);
  assert((await t.checkpoint(0, a)).ok);
});
