import { base64 } from "@scure/base";
import { Identity } from "../../src/identity/mod.ts";
import { PeerWitness, type WitnessDetail } from "../../src/client/peer_witness.ts";
import { leafHash, LogTree, memoryLogStore } from "../../src/merkle/mod.ts";
import { logOrigin, type NetworkInfo } from "../../src/protocol/mod.ts";
import {
  checkForkEvidence,
  type ForkEvidence,
  formatCheckpoint,
  noteKey,
  signNote,
} from "../../src/tlog/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

// A witness over a fake network: one shard whose log is a real tree in memory, its checkpoints
// signed by a shard key this test holds (as an operator holding the secret would).
const shardKey = await Identity.generate();
const origin = logOrigin("dev", 0);
const info = { network: "dev", shardKeys: [shardKey.peerId] } as unknown as NetworkInfo;
const honest = new LogTree(memoryLogStore());
honest.append(Array.from({ length: 10 }, (_, i) => leafHash(new Uint8Array([i]))));

async function checkpoint(size: number, root: Uint8Array): Promise<string> {
  const text = formatCheckpoint({ origin, size, root, extensions: [] });
  return await signNote(text, {
    name: origin,
    publicKey: shardKey.publicKey,
    sign: (b) => shardKey.sign(b),
  });
}

function witnessOver(reported: ForkEvidence[], seen: WitnessDetail[], cosigned: string[]) {
  return new PeerWitness({
    identity: witnessId,
    network: () => Promise.resolve(info),
    get: <T>(path: string) => {
      const [from, to] = path.split("/").slice(-2).map(Number);
      const b64 = (h: Uint8Array) => base64.encode(h);
      return Promise.resolve({
        shard: 0,
        from,
        to,
        fromRoot: b64(honest.root(from)),
        toRoot: b64(honest.root(to)),
        proof: honest.consistencyProof(from, to).map(b64),
      } as T);
    },
    watch: () => Promise.resolve(null),
    cosign: (_s, _h, line) => (cosigned.push(line), Promise.resolve({ kept: true })),
    report: (e) => (reported.push(e), Promise.resolve()),
    emit: (d) => seen.push(d),
  }, {});
}
const witnessId = await Identity.generate();

Deno.test("PeerWitness: cosigns a consistent history in order, and an older checkpoint of it is no fork", async () => {
  const [reported, seen, cosigned]: [ForkEvidence[], WitnessDetail[], string[]] = [[], [], []];
  const w = witnessOver(reported, seen, cosigned);
  await w.heard(0, 1, await checkpoint(5, honest.root(5)));
  await w.heard(0, 2, await checkpoint(10, honest.root(10)));
  assertEquals(seen.map((d) => d.outcome), ["cosigned", "cosigned"]);
  await w.heard(0, 1, await checkpoint(5, honest.root(5)));
  assertEquals(seen[2], { shard: 0, height: 1, outcome: "refused", code: "OLDER" });
  assertEquals(reported, []);
});

Deno.test("PeerWitness: a smaller checkpoint the held one does not extend is evidence, reported", async () => {
  const [reported, seen, cosigned]: [ForkEvidence[], WitnessDetail[], string[]] = [[], [], []];
  const w = witnessOver(reported, seen, cosigned);
  await w.heard(0, 2, await checkpoint(10, honest.root(10)));
  // The same key signs another history at size 5.
  await w.heard(0, 1, await checkpoint(5, new Uint8Array(32).fill(7)));
  assertEquals(seen.map((d) => d.outcome), ["cosigned", "evidence"]);
  assertEquals(reported.length, 1);
  assertEquals(reported[0].kind, "inconsistent");
  assert((await checkForkEvidence(reported[0], noteKey(origin, shardKey.publicKey))).ok);
  assertEquals(cosigned.length, 1, "the fork is not cosigned");
});

Deno.test("PeerWitness: a larger checkpoint that does not extend the held one is evidence", async () => {
  const [reported, seen, cosigned]: [ForkEvidence[], WitnessDetail[], string[]] = [[], [], []];
  const w = witnessOver(reported, seen, cosigned);
  // It holds a forked size 5; the network's log (honest) then shows size 10.
  await w.heard(0, 1, await checkpoint(5, new Uint8Array(32).fill(7)));
  await w.heard(0, 2, await checkpoint(10, honest.root(10)));
  assertEquals(seen.map((d) => d.outcome), ["cosigned", "evidence"]);
  assertEquals(reported[0]?.kind, "inconsistent");
});
