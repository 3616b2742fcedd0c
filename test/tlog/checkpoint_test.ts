import { base64 } from "@scure/base";
import { Identity } from "../../src/identity/mod.ts";
import { formatCheckpoint, parseCheckpoint } from "../../src/tlog/checkpoint.ts";
import { cosign, verifyCosignature } from "../../src/tlog/cosignature.ts";
import {
  NOTE_TYPE_COSIGNATURE,
  noteKey,
  type NoteSigner,
  splitNote,
  verifyEd25519,
} from "../../src/tlog/note.ts";
import { assert, assertEquals } from "../support/assert.ts";

// The C2SP cosignature example: a checkpoint, its log's line and a witness's.
const BODY =
  "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
const EXAMPLE = `${BODY}\n` +
  "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n" +
  "\u2014 witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n";

const signerOf = (name: string, id: Identity): NoteSigner => ({
  name,
  publicKey: id.publicKey,
  sign: (b) => id.sign(b),
});

Deno.test("parseCheckpoint() reads the C2SP example, and formatCheckpoint() writes it again", () => {
  const split = splitNote(EXAMPLE);
  assert(split.ok);
  const c = parseCheckpoint(split.text)!;
  assertEquals([c.origin, c.size, c.extensions], ["example.com/behind-the-sofa", 20852163, []]);
  assertEquals(base64.encode(c.root), "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
  assertEquals(formatCheckpoint(c), BODY);
  const withState = { ...c, extensions: ["state AAAA", "other"] };
  assertEquals(parseCheckpoint(formatCheckpoint(withState)), withState);
});

Deno.test("parseCheckpoint() refuses what is not a checkpoint, one text per size", () => {
  const root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
  for (
    const text of [
      `log\n020852163\n${root}\n`,
      `log\n-1\n${root}\n`,
      `log\n1.5\n${root}\n`,
      `log\n 1\n${root}\n`,
      `log\n9007199254740993\n${root}\n`,
      `log\n1\n${root.slice(4)}\n`,
      `log\n1\nnot base64!\n`,
      `log\n1\n${root}`,
      `log\n1\n`,
      `\n1\n${root}\n`,
      `log\n1\n${root}\n\nextension\n`,
    ]
  ) assertEquals(parseCheckpoint(text), undefined, JSON.stringify(text));
  assertEquals(parseCheckpoint(`log\n0\n${root}\n`)?.size, 0);
});

Deno.test("the C2SP example's cosignature line carries its key id and time", () => {
  const split = splitNote(EXAMPLE);
  assert(split.ok);
  const w = split.signatures[1];
  assertEquals([w.name, w.id, w.bytes.length], ["witness.example.com/w1", 0x8d66cf3f, 72]);
  const time = new DataView(w.bytes.buffer, w.bytes.byteOffset).getBigUint64(0);
  assertEquals(time, 1679315147n);
});

Deno.test("cosign() signs `cosignature/v1`, the time and the checkpoint; forgeries fail", async () => {
  const witness = await Identity.generate();
  const key = noteKey("witness.example/w", witness.publicKey, NOTE_TYPE_COSIGNATURE);
  const line = await cosign(BODY, signerOf(key.name, witness), 1679315147);
  const split = splitNote(`${BODY}\n${line}`);
  assert(split.ok);
  const [read] = split.signatures;
  assertEquals(read.id, key.id);
  assertEquals(await verifyCosignature(BODY, read, key), 1679315147);
  // What is signed, exactly: the header line, the time line, the body.
  const message = new TextEncoder().encode(`cosignature/v1\ntime 1679315147\n${BODY}`);
  assert(await verifyEd25519(witness.publicKey, read.bytes.slice(8), message));
  // Another checkpoint, another time, another key or key type: not this witness's cosignature.
  assertEquals(await verifyCosignature(BODY.replace("20852163", "20852164"), read, key), undefined);
  const later = read.bytes.slice();
  later[7]++;
  assertEquals(await verifyCosignature(BODY, { ...read, bytes: later }, key), undefined);
  const other = noteKey(key.name, (await Identity.generate()).publicKey, NOTE_TYPE_COSIGNATURE);
  assertEquals(await verifyCosignature(BODY, read, other), undefined);
  const asLog = noteKey(key.name, witness.publicKey);
  assertEquals(await verifyCosignature(BODY, { ...read, id: asLog.id }, asLog), undefined);
});
