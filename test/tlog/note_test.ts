import { base64, hex } from "@scure/base";
import {
  formatNoteKey,
  noteKey,
  type NoteSigner,
  openNote,
  parseNoteKey,
  signNote,
  splitNote,
} from "../../src/tlog/note.ts";
import { assert, assertEquals } from "../support/assert.ts";

// The signed-note reference vectors (the Go `sumdb/note` tests): two keys, a text, and the
// signature line each key makes of it.
const PETER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const PETER_SEED = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const ENOCH = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT = "If you think cryptography is the answer to your problem,\n" +
  "then you don't know what your problem is.\n";
const PETER_SIG =
  "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG =
  "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

async function signerFromSeed(name: string, seed: Uint8Array): Promise<NoteSigner> {
  const pkcs8 = new Uint8Array([...hex.decode("302e020100300506032b657004220420"), ...seed]);
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  const publicKey = base64.decode(jwk.x!.replace(/-/g, "+").replace(/_/g, "/") + "=");
  return {
    name,
    publicKey,
    sign: async (data) =>
      new Uint8Array(
        await crypto.subtle.sign({ name: "Ed25519" }, key, data as Uint8Array<ArrayBuffer>),
      ),
  };
}

Deno.test("note keys: the reference keys read, and every mangling of one is refused", () => {
  const peter = parseNoteKey(PETER)!;
  assertEquals([peter.name, peter.id, peter.type], ["PeterNeumann", 0xc74f20a3, 1]);
  assertEquals(formatNoteKey(peter), PETER);
  for (let i = 0; i < PETER.length; i++) {
    for (let j = i + 1; j <= PETER.length; j++) {
      if (i !== 0 || j !== PETER.length) {
        assertEquals(parseNoteKey(PETER.slice(i, j)), undefined, PETER.slice(i, j));
      }
    }
    const bent = PETER.slice(0, i) + String.fromCharCode(PETER.charCodeAt(i) + 1) +
      PETER.slice(i + 1);
    assertEquals(parseNoteKey(bent), undefined, bent);
  }
});

Deno.test('note keys: a key whose base64 holds "+" reads back (only the first two split it)', () => {
  // Keys of every first byte: among them, base64 texts with "+" in them.
  let withPlus = 0;
  for (let b = 0; b < 64; b++) {
    const key = noteKey("w", new Uint8Array(32).fill(b * 4 + 3), 4);
    const text = formatNoteKey(key);
    if (text.split("+").length > 3) withPlus++;
    assertEquals(parseNoteKey(text), key, text);
  }
  assert(withPlus > 0, "some key's base64 holds a +");
});

Deno.test("signNote() makes the reference note byte for byte, and openNote() reads it", async () => {
  const signer = await signerFromSeed("PeterNeumann", base64.decode(PETER_SEED).slice(1));
  assertEquals(formatNoteKey({ ...parseNoteKey(PETER)!, publicKey: signer.publicKey }), PETER);
  const note = await signNote(TEXT, signer);
  assertEquals(note, `${TEXT}\n${PETER_SIG}`);
  const [peter, enoch] = [parseNoteKey(PETER)!, parseNoteKey(ENOCH)!];
  // One key trusted: its line verified, the other kept aside.
  const one = await openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter]);
  assert(one.ok);
  assertEquals(one.text, TEXT);
  assertEquals(one.verified.map((s) => s.name), ["PeterNeumann"]);
  assertEquals(one.unverified.map((s) => [s.name, s.id]), [["EnochRoot", 0xaf0cfe78]]);
  const both = await openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter, enoch]);
  assert(both.ok);
  assertEquals(both.verified.map((s) => s.name), ["PeterNeumann", "EnochRoot"]);
  // Repeated lines count once.
  const twice = await openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}`, [
    peter,
  ]);
  assert(twice.ok && twice.verified.length === 1 && twice.unverified.length === 1);
});

Deno.test("openNote() refuses a note it cannot trust, saying why", async () => {
  const peter = parseNoteKey(PETER)!;
  const none = await openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []);
  assert(!none.ok && none.reason === "unverified");
  const bad = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
  const invalid = await openNote(bad, [peter]);
  assert(!invalid.ok && invalid.reason === "invalid", JSON.stringify(invalid));
  // Another text under the same line: the signature does not hold.
  const forged = await openNote(`${TEXT.replace("answer", "problem")}\n${PETER_SIG}`, [peter]);
  assert(!forged.ok && forged.reason === "invalid");
  const malformed = [
    TEXT,
    `${TEXT}\n`,
    `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
    `\u0001${TEXT}\n${PETER_SIG}`,
    `\ud800${TEXT}\n${PETER_SIG}`,
    `${TEXT.slice(0, 5)}\udc00${TEXT.slice(5)}\n${PETER_SIG}`,
    `${TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
    `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
    `${TEXT}\n${PETER_SIG.repeat(101)}`,
  ];
  for (const note of malformed) {
    const r = await openNote(note, [peter]);
    assert(!r.ok && r.reason === "malformed", JSON.stringify(note));
  }
  assert(splitNote(`${TEXT}\n${PETER_SIG.repeat(100)}`).ok);
  // Text beyond the first plane (a surrogate pair) is text like any other.
  const signer = await signerFromSeed("PeterNeumann", base64.decode(PETER_SEED).slice(1));
  assert((await openNote(await signNote("d\u00e9j\u00e0 vu \ud83d\ude00\n", signer), [peter])).ok);
});
