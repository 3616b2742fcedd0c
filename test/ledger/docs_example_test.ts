// The worked example of docs/LEDGER.md verifies, and breaks when a byte of it changes.
import { transferFromJson, transferHash, verifyTxProof } from "../../src/ledger/mod.ts";
import type { TransferProof } from "../../src/protocol/mod.ts";
import { assertEquals } from "../support/assert.ts";

const doc = await Deno.readTextFile(new URL("../../docs/LEDGER.md", import.meta.url));
const proof: TransferProof = JSON.parse(/```json\n(\{\n {2}"tx"[\s\S]*?)\n```/.exec(doc)![1]);
const keys = { network: "dev", shardKeys: ["6MkqfJ94i48GeuCDDDMsZVRKpnN2W7qJRWykyJ6BeCMGTui"] };

Deno.test("docs/LEDGER.md: the worked example's proof verifies offline", async () => {
  assertEquals(await verifyTxProof(proof, keys), { ok: true });
  assertEquals(
    transferHash(transferFromJson(proof.tx)),
    "c30c28a89e55daf3d95e68bb33276c1e9a983039327679ce01bc32d38f0b92e8",
  );
  assertEquals(
    (await verifyTxProof({ ...proof, tx: { ...proof.tx, amount: "26" } }, keys)).ok,
    false,
  );
});

Deno.test("docs/LEDGER.md: the functions named for checking a log offline are where it says", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/LEDGER.md", import.meta.url));
  const part = doc.slice(doc.indexOf("**Checking them offline**"));
  const named = part.slice(0, part.indexOf("\n\n", part.indexOf("- `noteKey")));
  const modules: Record<string, Record<string, unknown>> = {
    "superpeer/tlog": await import("../../src/tlog/mod.ts"),
    "superpeer/identity": await import("../../src/identity/mod.ts"),
    "superpeer/merkle": await import("../../src/merkle/mod.ts"),
    "superpeer/ledger": await import("../../src/ledger/mod.ts"),
  };
  const pairs = [
    ["noteKey", "superpeer/tlog"],
    ["publicKeyFromPeerId", "superpeer/identity"],
    ["trustCheckpoint", "superpeer/tlog"],
    ["verifyConsistency", "superpeer/merkle"],
    ["verifyInclusion", "superpeer/merkle"],
    ["verifyBalanceProof", "superpeer/ledger"],
  ];
  for (const [name, path] of pairs) {
    assertEquals([name, named.includes(name), named.includes(path)], [name, true, true]);
    assertEquals([name, typeof modules[path][name]], [name, "function"]);
  }
});
