/**
 * What a shard is told of a transfer's signature when stateless code checked it first
 * (`verdicts.ts`): a type of its own, so that the ledger's core names it without the
 * verifier's cryptography.
 *
 * @module
 */

/**
 * One transfer's verdict: its hash and its leaf's hash (`null` if it does not parse), and
 * whether its signature verified. The shard takes both hashes from the verdict, bound to the
 * transfer by the MAC, and computes neither.
 */
export interface Verdict {
  /** Hex SHA-256 of its canonical bytes, or `null` for what does not parse as a transfer. */
  readonly hash: string | null;
  /** Hex hash of its block leaf (`0x00`, the bytes, the signature), or `null`. */
  readonly leaf: string | null;
  /** Whether its signature verified. */
  readonly ok: boolean;
}
