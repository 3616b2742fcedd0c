import { hex } from "@scure/base";
import fc from "fast-check";
import { sha256 } from "@noble/hashes/sha2.js";
import {
  inclusionProof,
  leafHash,
  merkleRoot,
  merkleRootSteps,
  nodeHash,
  verifyInclusion,
} from "../../src/merkle/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { LEAVES } from "./_vectors.ts";

const ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
const PROOFS: [number, string[]][] = [
  [0, [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ]],
  [5, [
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  ]],
];

Deno.test("merkleRoot() matches the RFC 6962 reference roots for 0 to 8 leaves", () => {
  for (let n = 0; n <= 8; n++) assertEquals(hex.encode(merkleRoot(LEAVES.slice(0, n))), ROOTS[n]);
});

Deno.test("inclusionProof() matches the reference audit paths, which verify", () => {
  const root = merkleRoot(LEAVES);
  for (const [index, path] of PROOFS) {
    assertEquals(inclusionProof(LEAVES, index).map((h) => hex.encode(h)), path);
    assert(verifyInclusion(LEAVES[index], index, 8, path.map((h) => hex.decode(h)), root));
  }
});

Deno.test("every inclusion proof verifies in trees of 1 to 40 leaves, and tampering fails", () => {
  const many = Array.from({ length: 40 }, (_, i) => leafHash(new Uint8Array([i, i * 3])));
  for (let n = 1; n <= many.length; n++) {
    const tree = many.slice(0, n);
    const root = merkleRoot(tree);
    for (let i = 0; i < n; i++) {
      const proof = inclusionProof(tree, i);
      assert(verifyInclusion(tree[i], i, n, proof, root), `n=${n} i=${i}`);
      if (n > 1) {
        assert(!verifyInclusion(tree[i], (i + 1) % n, n, proof, root), "wrong index");
        assert(!verifyInclusion(tree[(i + 1) % n], i, n, proof, root), "wrong leaf");
      }
    }
  }
});

Deno.test("verifyInclusion() never accepts a random proof", () => {
  fc.assert(fc.property(
    fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 6 }),
    fc.nat({ max: 50 }),
    fc.nat({ max: 50 }),
    (proof, index, size) => {
      const leaf = leafHash(new Uint8Array([7]));
      const root = merkleRoot(LEAVES);
      assert(!verifyInclusion(leaf, index, size, proof, root));
    },
  ));
  assertEquals(nodeHash(LEAVES[0], LEAVES[1]), merkleRoot(LEAVES.slice(0, 2)));
});

Deno.test("nodeHash is SHA-256 of 0x01 ‖ left ‖ right, as a general hasher computes it", () => {
  // The shard's own two-block SHA-256 of a node, against @noble/hashes on random children.
  const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  fc.assert(
    fc.property(hash32, hash32, (l, r) => {
      const bytes = new Uint8Array(65);
      bytes[0] = 1;
      bytes.set(l, 1);
      bytes.set(r, 33);
      assertEquals(hex.encode(nodeHash(l, r)), hex.encode(sha256(bytes)));
    }),
    { numRuns: 2_000 },
  );
  // Children of another length (a malformed proof) hash as before, zero-filled, never throw.
  const short = nodeHash(new Uint8Array(5).fill(7), new Uint8Array(32));
  const padded = new Uint8Array(65);
  padded[0] = 1;
  padded.fill(7, 1, 6);
  assertEquals(hex.encode(short), hex.encode(sha256(padded)));
});

Deno.test("merkleRootSteps() is merkleRoot(), yielding once per run of leaves", () => {
  const leaves = Array.from({ length: 300 }, (_, i) => leafHash(new Uint8Array([i & 255, i >> 8])));
  for (const step of [1, 2, 5, 64, 128, 1000]) {
    for (const n of [0, 1, 2, 3, 63, 64, 65, 127, 128, 129, 200, 255, 256, 257, 300]) {
      const steps = merkleRootSteps(leaves.slice(0, n), step);
      let yields = 0;
      let next = steps.next();
      for (; !next.done; next = steps.next()) yields++;
      assertEquals(next.value, merkleRoot(leaves.slice(0, n)), `${n} leaves, steps of ${step}`);
      const run = 2 ** Math.floor(Math.log2(step));
      assertEquals(yields, n <= run ? 0 : Math.ceil(n / run), `yields for ${n} by ${step}`);
    }
  }
});
