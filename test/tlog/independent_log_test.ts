// A shard's log proofs, checked by a reader written apart from the project's code, from the
// docs and the RFCs alone (`independent/verify_log.py`): it must agree with the project's own
// checks on every proof the log gives, and on every proof bent by one bit.
import { base64 } from "@scure/base";
import { MemoryLedgerStorage, ShardLog } from "../../src/ledger/mod.ts";
import { leafHash, LogTree, verifyConsistency, verifyInclusion } from "../../src/merkle/mod.ts";
import { TOOLS } from "../../scripts/system_tools.ts";
import { assertEquals } from "../support/assert.ts";

const SCRIPT = new URL("./independent/verify_log.py", import.meta.url).pathname;

async function independent(cases: Record<string, unknown>[]): Promise<string[]> {
  const child = new Deno.Command(TOOLS.python3.path, {
    args: [SCRIPT],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(cases.map((c) => JSON.stringify(c)).join("\n")));
  await writer.close();
  const out = await child.output();
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

Deno.test("log proofs: an independent reader agrees with ours, good and bent", async () => {
  // A shard's log of 37 entries, as a shard keeps it.
  const storage = new MemoryLedgerStorage();
  const tree = new ShardLog(storage, "superpeer/dev/0");
  const leaves = Array.from({ length: 37 }, (_, i) => leafHash(new Uint8Array([i, i * 7])));
  new LogTree(storage.logStore()).append(leaves);
  const cases: Record<string, unknown>[] = [];
  const ours: boolean[] = [];
  const bend = (h: string) => {
    const b = base64.decode(h);
    b[5] ^= 1;
    return base64.encode(b);
  };
  for (let m = 0; m <= 37; m += 3) {
    for (const n of [m, m + 1, 20, 37].filter((n) => n >= m && n <= 37)) {
      const proof = tree.consistency(m, n)!;
      const [fromRoot, toRoot] = [tree.root(m)!, tree.root(n)!];
      for (const p of [proof, proof.length > 0 ? [bend(proof[0]), ...proof.slice(1)] : null]) {
        if (!p) continue;
        cases.push({ kind: "consistency", from: m, to: n, fromRoot, toRoot, proof: p });
        ours.push(
          verifyConsistency(
            m,
            n,
            base64.decode(fromRoot),
            base64.decode(toRoot),
            p.map((h) => base64.decode(h)),
          ),
        );
      }
      // Another root at the old size: a fork.
      if (m > 0 && m < n) {
        cases.push({
          kind: "consistency",
          from: m,
          to: n,
          fromRoot: bend(fromRoot),
          toRoot,
          proof,
        });
        ours.push(false);
      }
    }
  }
  for (const [index, size] of [[0, 1], [0, 37], [5, 8], [36, 37], [12, 20], [31, 33]]) {
    const proof = tree.inclusion(index, size)!;
    const root = tree.root(size)!;
    const leaf = base64.encode(leaves[index]);
    for (const l of [leaf, bend(leaf)]) {
      cases.push({ kind: "inclusion", index, size, leaf: l, root, proof });
      ours.push(
        verifyInclusion(
          base64.decode(l),
          index,
          size,
          proof.map((h) => base64.decode(h)),
          base64.decode(root),
        ),
      );
    }
  }
  assertEquals(tree.size, 37);
  const theirs = await independent(cases);
  assertEquals(theirs, ours.map((ok) => ok ? "ok" : "bad"));
  // Both say ok and bad: the cases test something.
  assertEquals([ours.includes(true), ours.includes(false)], [true, true]);
});
