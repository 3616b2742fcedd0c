import { hex } from "@scure/base";
import fc from "fast-check";
import { consistencyProof, leafHash, merkleRoot, verifyConsistency } from "../../src/merkle/mod.ts";
import { assert, assertEquals, throwsRange } from "../support/assert.ts";
import { LEAVES } from "./_vectors.ts";

const VECTORS: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, [
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
  ]],
  [2, 5, [
    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
  ]],
  [6, 8, [
    "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  ]],
];

// RFC 6962's SUBPROOF, transcribed as the RFC defines it (recursive), as a second reading.
function subproof(m: number, d: Uint8Array[], whole: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return whole ? [] : [merkleRoot(d)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k
    ? [...subproof(m, d.slice(0, k), whole), merkleRoot(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), merkleRoot(d.slice(0, k))];
}

Deno.test("consistencyProof() matches the transparency-dev reference proofs, which verify", () => {
  for (const [m, n, want] of VECTORS) {
    const tree = LEAVES.slice(0, n);
    assertEquals(consistencyProof(tree, m).map((h) => hex.encode(h)), want, `${m}:${n}`);
    const [oldRoot, newRoot] = [merkleRoot(LEAVES.slice(0, m)), merkleRoot(tree)];
    assert(verifyConsistency(m, n, oldRoot, newRoot, want.map((h) => hex.decode(h))), `${m}:${n}`);
  }
});

Deno.test("every consistency proof of trees up to 40 leaves is the RFC's and verifies", () => {
  const many = Array.from({ length: 40 }, (_, i) => leafHash(new Uint8Array([i, i * 5])));
  for (let n = 1; n <= many.length; n++) {
    const tree = many.slice(0, n);
    const newRoot = merkleRoot(tree);
    for (let m = 1; m <= n; m++) {
      const proof = consistencyProof(tree, m);
      assertEquals(proof, m === n ? [] : subproof(m, tree, true), `${m}:${n}`);
      const oldRoot = merkleRoot(tree.slice(0, m));
      assert(verifyConsistency(m, n, oldRoot, newRoot, proof), `${m}:${n}`);
      if (m < n) {
        // Another old root, another new root, a longer tree, a hash changed or left out: refused.
        // (The sizes are the checkpoints' to vouch for: a proof read against sizes of the same
        // shape of tree checks the same hashes.)
        assert(!verifyConsistency(m, n, newRoot, newRoot, proof), `old root ${m}:${n}`);
        assert(!verifyConsistency(m, n, oldRoot, oldRoot, proof), `new root ${m}:${n}`);
        if (n < many.length) {
          const longer = merkleRoot(many.slice(0, n + 1));
          assert(!verifyConsistency(m, n + 1, oldRoot, longer, proof), `to ${n + 1} ${m}:${n}`);
        }
        for (let i = 0; i < proof.length; i++) {
          const bent = proof.map((h, j) => j === i ? h.map((b, k) => k === 0 ? b ^ 1 : b) : h);
          assert(!verifyConsistency(m, n, oldRoot, newRoot, bent), `hash ${i} ${m}:${n}`);
          const short = proof.filter((_, j) => j !== i);
          assert(!verifyConsistency(m, n, oldRoot, newRoot, short), `without ${i} ${m}:${n}`);
        }
      }
    }
  }
});

Deno.test("a history rewritten at any leaf has no consistency proof from its old root", () => {
  const many = Array.from({ length: 24 }, (_, i) => leafHash(new Uint8Array([i])));
  for (let m = 1; m < many.length; m++) {
    const oldRoot = merkleRoot(many.slice(0, m));
    for (let j = 0; j < m; j++) {
      // The log at size 24, with leaf j of the old tree changed: no proof it makes fits.
      const forked = many.map((h, i) => i === j ? leafHash(new Uint8Array([99, i])) : h);
      const proof = consistencyProof(forked, m);
      assert(!verifyConsistency(m, 24, oldRoot, merkleRoot(forked), proof), `${m} ${j}`);
    }
  }
});

Deno.test("verifyConsistency() never accepts a random proof, and bad sizes are refused", () => {
  const [oldRoot, newRoot] = [merkleRoot(LEAVES.slice(0, 3)), merkleRoot(LEAVES)];
  fc.assert(fc.property(
    fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 6 }),
    (proof) => assert(!verifyConsistency(3, 8, oldRoot, newRoot, proof)),
  ));
  // The empty tree is a prefix of every tree, with nothing to prove; a tree of itself likewise.
  assert(verifyConsistency(0, 8, new Uint8Array(32), newRoot, []));
  assert(!verifyConsistency(0, 8, new Uint8Array(32), newRoot, [newRoot]));
  assert(verifyConsistency(8, 8, newRoot, newRoot, []));
  assert(!verifyConsistency(8, 8, newRoot, oldRoot, []));
  assert(!verifyConsistency(9, 8, newRoot, newRoot, []));
  assert(!verifyConsistency(-1, 8, oldRoot, newRoot, []));
  assert(!verifyConsistency(2.5, 8, oldRoot, newRoot, []));
  assert(!verifyConsistency(3, 8, oldRoot, newRoot, [new Uint8Array(31)]));
  assert(throwsRange(() => consistencyProof(LEAVES, 9)));
  assert(throwsRange(() => consistencyProof(LEAVES, -1)));
  assertEquals(consistencyProof(LEAVES, 0), []);
});
