/**
 * Signatures checked away from the sequencer. A shard orders transfers one at a time on one
 * thread, and the Ed25519 check was most of each transfer's time there; it needs no state, so
 * stateless code checks it (a verifier Worker the shard calls), in parallel, and hands the shard a verdict per transfer: its hash, its block leaf's hash and
 * whether its signature verified. A shard asks for verdicts only after its own cheap reads
 * (shape, nonce, balance), for the transfers that could apply, through its `VERIFIER`
 * binding, and applies none without one (`TX_UNVERIFIED`).
 *
 * @module
 */
import { base64urlnopad, hex } from "../encoding/mod.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { verifySignature } from "../identity/identity.ts";
import { parseTransfer, transferBytes } from "./transfer.ts";
import { transferLeaf } from "./block.ts";
import { leafHash } from "../merkle/tree.ts";
import type { Verdict } from "./verdict.ts";

export type { Verdict } from "./verdict.ts";

/**
 * Checks the signatures of a batch of transfers, in their JSON form. Stateless: it reads no
 * account, so it runs anywhere and in parallel.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { signTransfer, transferToJson } from "./transfer.ts";
 * import { verifyTransfers } from "./verdicts.ts";
 * const [a, b] = [await Identity.generate(), await Identity.generate()];
 * const t = await signTransfer(a, { network: "n", to: b.peerId, amount: 5n, nonce: 1 });
 * const [v] = await verifyTransfers([transferToJson(t)], 1_000_000);
 * console.assert(v.ok && v.hash !== null);
 * ```
 *
 * @param values Transfers, parsed JSON.
 * @param maxAmount The largest amount of one transfer.
 * @returns One verdict each.
 */
export async function verifyTransfers(
  values: readonly unknown[],
  maxAmount: number,
): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const value of values) {
    const parsed = parseTransfer(value, maxAmount);
    if (!parsed.ok) {
      out.push({ hash: null, leaf: null, ok: false });
      continue;
    }
    const t = parsed.transfer;
    const bytes = transferBytes(t);
    const sig = base64urlnopad.decode(t.sig);
    const ok = await verifySignature(t.from, sig, bytes);
    const leaf = hex.encode(leafHash(transferLeaf(bytes, sig)));
    out.push({ hash: hex.encode(sha256(bytes)), leaf, ok });
  }
  return out;
}
