import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import {
  decodeSparseProof,
  encodeSparseProof,
  nodeHash,
  SPARSE_EMPTY,
  type SparseLeaf,
  sparseLeafHash,
  sparseProof,
  sparseRoot,
  verifySparseProof,
} from "../../src/merkle/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

const leaf = (i: number): SparseLeaf => ({
  key: sha256(new Uint8Array([1, i >> 8, i & 255])),
  value: sha256(new Uint8Array([2, i >> 8, i & 255])),
});
const keyOf = (bits: string) => {
  const k = new Uint8Array(32);
  [...bits].forEach((b, i) => b === "1" && (k[i >> 3] |= 0x80 >> (i & 7)));
  return k;
};

Deno.test("sparseRoot: the compact tree's shape, by hand for three keys", () => {
  // Keys 00…, 01…, 1…: the root's right child is the lone leaf; its left a node of two leaves.
  const [a, b, c] = ["00", "01", "1"].map((bits, i) => ({
    key: keyOf(bits),
    value: sha256(new Uint8Array([i])),
  }));
  const h = (l: SparseLeaf) => sparseLeafHash(l.key, l.value);
  assertEquals(sparseRoot([c, a, b]), nodeHash(nodeHash(h(a), h(b)), h(c)));
  // Two keys that share their first two bits: empty siblings above their split.
  const [d, e] = ["110", "111"].map((bits, i) => ({
    key: keyOf(bits),
    value: sha256(new Uint8Array([9, i])),
  }));
  assertEquals(
    sparseRoot([d, e]),
    nodeHash(SPARSE_EMPTY, nodeHash(SPARSE_EMPTY, nodeHash(h(d), h(e)))),
  );
  assertEquals(sparseRoot([d]), h(d));
  assertEquals(sparseRoot([]), SPARSE_EMPTY);
  // Order does not matter; a key twice is refused.
  assertEquals(sparseRoot([leaf(1), leaf(2), leaf(3)]), sparseRoot([leaf(3), leaf(1), leaf(2)]));
  let threw = false;
  try {
    sparseRoot([leaf(1), { ...leaf(1), value: leaf(2).value }]);
  } catch {
    threw = true;
  }
  assert(threw);
});

Deno.test("sparse proofs: every present key proves its value, every absent one its absence", () => {
  for (const n of [0, 1, 2, 3, 17, 200]) {
    const leaves = Array.from({ length: n }, (_, i) => leaf(i));
    const root = sparseRoot(leaves);
    for (let i = 0; i < n + 20; i++) {
      const l = leaf(i);
      const proof = sparseProof(leaves, l.key);
      const back = decodeSparseProof(encodeSparseProof(proof))!;
      assertEquals(back, proof);
      if (i < n) {
        assert(verifySparseProof(root, l.key, l.value, back), `present ${i} of ${n}`);
        assert(!verifySparseProof(root, l.key, leaf(i + 1).value, back), "another value");
        assert(!verifySparseProof(root, l.key, undefined, back), "claimed absent");
      } else {
        assert(verifySparseProof(root, l.key, undefined, back), `absent ${i} of ${n}`);
        assert(!verifySparseProof(root, l.key, l.value, back), "claimed present");
      }
      // Against another tree's root, nothing holds.
      const other = sparseRoot([...leaves, leaf(1000)]);
      assert(!verifySparseProof(other, l.key, i < n ? l.value : undefined, back), "other root");
    }
  }
});

Deno.test("sparse proofs: a present key's proof cannot be bent into its absence, or moved", () => {
  const leaves = Array.from({ length: 64 }, (_, i) => leaf(i));
  const root = sparseRoot(leaves);
  const target = leaf(5);
  const proof = sparseProof(leaves, target.key);
  // Its leaf dropped (claiming the path ends empty), or replaced by a neighbour's.
  assert(!verifySparseProof(root, target.key, undefined, { siblings: proof.siblings }));
  assert(!verifySparseProof(root, target.key, undefined, { ...proof, leaf: leaf(6) }));
  // Extended by an empty sibling, or cut short by one.
  const longer = { ...proof, siblings: [...proof.siblings, SPARSE_EMPTY] };
  assert(!verifySparseProof(root, target.key, target.value, longer));
  const shorter = { ...proof, siblings: proof.siblings.slice(0, -1) };
  assert(!verifySparseProof(root, target.key, target.value, shorter));
  // Each sibling changed.
  for (let i = 0; i < proof.siblings.length; i++) {
    const bent = proof.siblings.map((h, j) => j === i ? h.map((b, k) => k ? b : b ^ 1) : h);
    assert(!verifySparseProof(root, target.key, target.value, { ...proof, siblings: bent }));
  }
  // Random bytes are no proof.
  fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
    const p = decodeSparseProof(bytes);
    if (p) assert(!verifySparseProof(root, target.key, target.value, p));
  }));
  // One encoding per proof: an empty sibling written out instead of left to the bitmap is refused.
  const spelled = new Uint8Array([0, 1, 0x80, ...SPARSE_EMPTY, 0]);
  assertEquals(decodeSparseProof(spelled), undefined);
  // A stray bit past the siblings is refused too.
  const bytes = encodeSparseProof({ siblings: [SPARSE_EMPTY] });
  bytes[2] |= 0x01;
  assertEquals(decodeSparseProof(bytes), undefined);
});
