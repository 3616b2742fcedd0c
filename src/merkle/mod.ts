/**
 * Merkle trees as in RFC 6962: the leaf and node hashes, the root of a list of leaves, and
 * inclusion and consistency proofs with their checks (RFC 9162); and a compact sparse Merkle tree
 * over 256-bit keys, with proofs of presence and absence. One tree for every feature that proves a
 * part of a whole: the ledger's blocks (transfers and receipts) and the swarm's contents
 * (pieces).
 *
 * @example Usage
 * ```ts
 * import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from "./mod.ts";
 * const leaves = ["a", "b", "c"].map((s) => leafHash(new TextEncoder().encode(s)));
 * const root = merkleRoot(leaves);
 * console.assert(verifyInclusion(leaves[1], 1, 3, inclusionProof(leaves, 1), root));
 * ```
 *
 * @module
 */
export * from "./tree.ts";
export * from "./consistency.ts";
export * from "./sparse.ts";
export * from "./log_tree.ts";
export * from "./sparse_state.ts";
