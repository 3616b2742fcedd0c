// The worked values of LEDGER.md's "Transparency-log formats", checked with the library: what an
// independent client reproduces from the docs is what the code does.
import { base64, hex } from "@scure/base";
import { consistencyProof, leafHash, merkleRoot, verifyConsistency } from "../../src/merkle/mod.ts";
import { formatNoteKey, noteKey, signNote } from "../../src/tlog/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

const doc = await Deno.readTextFile(new URL("../../docs/LEDGER.md", import.meta.url));
const section = doc.slice(doc.indexOf("## Transparency-log formats"), doc.indexOf("## API"));

Deno.test("LEDGER.md: the consistency proof from size 2 to 5 is the library's, and holds", () => {
  const inputs = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"];
  const leaves = [...inputs, "606162636465666768696a6b6c6d6e6f"].map((h) =>
    leafHash(hex.decode(h))
  );
  const block = section.match(/```\n([0-9a-f]{64}\n[0-9a-f]{64})\n```/)![1].split("\n");
  const tree = leaves.slice(0, 5);
  assertEquals(consistencyProof(tree, 2).map((h) => hex.encode(h)), block);
  const [r2, r5] = [merkleRoot(leaves.slice(0, 2)), merkleRoot(tree)];
  assert(section.includes(`\`${hex.encode(r2).slice(0, 6)}…${hex.encode(r2).slice(-4)}\``));
  assert(section.includes(`\`${hex.encode(r5).slice(0, 6)}…${hex.encode(r5).slice(-4)}\``));
  assert(verifyConsistency(2, 5, r2, r5, block.map((h) => hex.decode(h))));
});

Deno.test("LEDGER.md: the note key and signature line come from the seed it gives", async () => {
  const seed = base64.decode(section.match(/seed is base64\s+`([^`]+)`/)![1]);
  const pkcs8 = new Uint8Array([...hex.decode("302e020100300506032b657004220420"), ...seed]);
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  const publicKey = base64.decode(jwk.x!.replace(/-/g, "+").replace(/_/g, "/") + "=");
  const form = section.match(/`(PeterNeumann\+[0-9a-f]{8}\+[^`]+)`/)![1];
  assertEquals(formatNoteKey(noteKey("PeterNeumann", publicKey)), form);
  const text = section.match(/signs the text\n`([^`]+)`/)![1].replaceAll("\\n", "\n");
  const line = section.match(/`(— PeterNeumann [^`]+)`/)![1];
  const note = await signNote(text, {
    name: "PeterNeumann",
    publicKey,
    sign: async (b) =>
      new Uint8Array(
        await crypto.subtle.sign({ name: "Ed25519" }, key, b as Uint8Array<ArrayBuffer>),
      ),
  });
  assertEquals(note, `${text}\n${line}\n`);
});
