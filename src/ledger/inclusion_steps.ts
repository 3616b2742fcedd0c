/**
 * An inclusion proof followed step by step, to show it: at each step the sibling hash, which
 * side it joins on, and the node it makes, up to the root. The same walk as `verifyInclusion`
 * (RFC 9162 2.1.3.2), kept apart so that checking stays as short as it can be.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import { nodeHash } from "../merkle/mod.ts";

/** One step up the tree. */
export interface InclusionStep {
  /** The sibling's hash, hex. */
  sibling: string;
  /** Where the sibling sits: `left` makes `H(sibling, node)`, `right` makes `H(node, sibling)`. */
  side: "left" | "right";
  /** The node made, hex. */
  node: string;
}

/**
 * The steps from a leaf to the root its proof leads to.
 *
 * @example Usage
 * ```ts
 * import { hex } from "../encoding/mod.ts";
 * import { inclusionSteps } from "./inclusion_steps.ts";
 * import { inclusionProof, leafHash, merkleRoot } from "../merkle/mod.ts";
 * const leaves = [1, 2, 3].map((b) => leafHash(new Uint8Array([b])));
 * const steps = inclusionSteps(leaves[2], 2, 3, inclusionProof(leaves, 2));
 * console.assert(steps?.at(-1)?.node === hex.encode(merkleRoot(leaves)));
 * ```
 *
 * @param leaf The leaf hash.
 * @param index The leaf's index.
 * @param size The number of leaves.
 * @param proof The audit path.
 * @returns The steps, or `undefined` if the path does not fit the index and size.
 */
export function inclusionSteps(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): InclusionStep[] | undefined {
  if (!Number.isInteger(index) || index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  const steps: InclusionStep[] = [];
  for (const p of proof) {
    if (sn === 0) return undefined;
    let side: "left" | "right";
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      side = "left";
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
      side = "right";
    }
    steps.push({ sibling: hex.encode(p), side, node: hex.encode(r) });
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? steps : undefined;
}
