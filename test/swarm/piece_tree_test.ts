import fc from "fast-check";
import { inclusionProof, leafHash, merkleRoot } from "../../src/merkle/mod.ts";
import { contentId, parseContentId, PIECE_BYTES, pieceCount } from "../../src/swarm/content_id.ts";
import { PieceTree, PieceVerifier, verifyPiece } from "../../src/swarm/piece_tree.ts";
import { assert, assertEquals } from "../support/assert.ts";

const hexOf = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

Deno.test("swarm: every piece's path is the RFC 6962 audit path, and checks against the id", () => {
  fc.assert(
    fc.property(
      fc.nat(40),
      fc.nat(PIECE_BYTES),
      fc.integer({ min: 0, max: 255 }),
      (whole, extra, seed) => {
        const size = whole * PIECE_BYTES + (whole === 0 ? extra : extra % PIECE_BYTES);
        const bytes = new Uint8Array(size).map((_, i) =>
          ((Math.imul(i, 2654435761) >>> 11) ^ seed) & 255
        );
        const tree = PieceTree.of(bytes);
        const leaves = Array.from({ length: pieceCount(size) }, (_, i) => tree.leaf(i));
        assertEquals(hexOf(tree.id.root), hexOf(merkleRoot(leaves)));
        assertEquals(tree.id.size, size);
        for (let i = 0; i < tree.id.pieces; i++) {
          const proof = tree.proof(i);
          assertEquals(proof.map(hexOf), inclusionProof(leaves, i).map(hexOf), `piece ${i}`);
          const piece = bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES);
          assert(verifyPiece(tree.id, i, piece, proof), `piece ${i} checks`);
          if (piece.length > 0) {
            const flipped = piece.slice();
            flipped[seed % piece.length] ^= 1;
            assert(!verifyPiece(tree.id, i, flipped, proof), `a flipped bit in piece ${i}`);
          }
          if (tree.id.pieces > 1) {
            const other = (i + 1) % tree.id.pieces;
            assert(
              !verifyPiece(tree.id, other, piece, proof) ||
                hexOf(leaves[other]) === hexOf(leaves[i]),
            );
          }
        }
      },
    ),
    { numRuns: 60 },
  );
});

Deno.test("swarm: a piece of another content, out of range, or with a cut proof is refused", () => {
  const a = new Uint8Array(3 * PIECE_BYTES).fill(1);
  const b = new Uint8Array(3 * PIECE_BYTES).fill(2);
  const ta = PieceTree.of(a);
  const tb = PieceTree.of(b);
  const piece = b.subarray(0, PIECE_BYTES);
  assert(verifyPiece(tb.id, 0, piece, tb.proof(0)));
  assert(!verifyPiece(ta.id, 0, piece, tb.proof(0)), "another file's piece");
  assert(!verifyPiece(ta.id, 3, piece, ta.proof(2)), "out of range");
  assert(!verifyPiece(ta.id, -1, piece, ta.proof(0)), "negative");
  assert(!verifyPiece(ta.id, 0, a.subarray(0, PIECE_BYTES), ta.proof(0).slice(1)), "cut proof");
  assert(!verifyPiece(ta.id, 0, a.subarray(0, PIECE_BYTES), [...ta.proof(0), ta.leaf(0)]));
});

Deno.test("swarm: content ids read back, and malformed ones are refused with their code", () => {
  const tree = PieceTree.of(new Uint8Array(100_000));
  const parsed = parseContentId(tree.id.text);
  assert(parsed.ok);
  assertEquals([parsed.id.size, parsed.id.pieces, hexOf(parsed.id.root)], [
    100_000,
    7,
    hexOf(tree.id.root),
  ]);
  assertEquals(contentId(tree.id.root, 100_000).text, tree.id.text);
  const empty = PieceTree.of(new Uint8Array());
  assertEquals([empty.id.pieces, hexOf(empty.id.root)], [0, hexOf(merkleRoot([]))]);
  for (
    const bad of [
      "",
      "ab".repeat(32),
      "AB".repeat(32) + ".5",
      "ab".repeat(31) + ".5",
      "ab".repeat(32) + ".05",
      "ab".repeat(32) + ".-5",
      "ab".repeat(32) + ".1e3",
      "ab".repeat(32) + `.${4_294_967_297}`,
      42,
      null,
    ]
  ) {
    const r = parseContentId(bad);
    assert(!r.ok && r.code === "CONTENT_ID_MALFORMED", String(bad));
  }
  assert(leafHash(new Uint8Array()).length === 32);
});

Deno.test("swarm: the remembering verifier accepts exactly what verifyPiece accepts, in any order", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 30 }),
      fc.array(fc.tuple(fc.nat(40), fc.nat(40), fc.nat(3)), { maxLength: 80 }),
      (pieces, attempts) => {
        const bytes = new Uint8Array(pieces * PIECE_BYTES - 7).map((_, i) =>
          (Math.imul(i, 2654435761) >>> 11) & 255
        );
        const tree = PieceTree.of(bytes);
        const verifier = new PieceVerifier(tree.id);
        const piece = (i: number) => bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES);
        for (const [a, b, how] of attempts) {
          const index = a % (pieces + 1); // one past the end sometimes
          const from = b % pieces;
          let data = piece(from).slice();
          let proof = tree.proof(Math.min(index, pieces - 1));
          if (how === 1 && data.length > 0) data[0] ^= 1;
          if (how === 2) proof = proof.slice(1);
          if (how === 3) data = piece(index % pieces);
          assertEquals(
            verifier.verify(index, data, proof),
            verifyPiece(tree.id, index, data, proof),
            `piece ${index} (bytes of ${from}, ${how})`,
          );
        }
      },
    ),
    { numRuns: 60 },
  );
});
