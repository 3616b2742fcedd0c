/**
 * A shard's log over the wire (`docs/LEDGER.md`, "The shard's log"): what a reader asks of it
 * and what it answers. Proof hashes are standard base64, as in checkpoints.
 *
 * @module
 */

/** A proof of one account's state against a state root (`verifyBalanceProof` checks it). */
export interface BalanceProof {
  /** The account id. */
  account: string;
  /** Its balance in decimal, or `null`: the shard holds no such account. */
  balance: string | null;
  /** Its nonce, or `null` with a `null` balance. */
  nonce: number | null;
  /** The tree proof's compact bytes, base64url. */
  proof: string;
}

/** What a reader asks of a shard's log. */
export type LogAsk =
  /** The checkpoint of a block, or of the head block. */
  | { kind: "checkpoint"; height?: number }
  /** The consistency proof from size `from` to size `to` (RFC 9162 2.1.4). */
  | { kind: "consistency"; from: number; to: number }
  /** The inclusion proof of entry `index` in the tree of size `size` (RFC 9162 2.1.3). */
  | { kind: "inclusion"; index: number; size: number }
  /** An account's state (or absence) against the latest checkpoint with a state root. */
  | { kind: "balance"; account: string }
  /** A hash tile (C2SP `tlog-tiles`): `width` hashes of tree level `8 × level`. */
  | { kind: "tile"; level: number; index: number; width: number };

/** A block's checkpoint. */
export interface CheckpointAnswer {
  /** The shard. */
  shard: number;
  /** The block's height. */
  height: number;
  /** The log's size at the block. */
  size: number;
  /** Whether the checkpoint carries the state root. */
  state: boolean;
  /** The signed note (C2SP `tlog-checkpoint`). */
  checkpoint: string;
}

/** A consistency proof. */
export interface ConsistencyAnswer {
  /** The shard. */
  shard: number;
  /** The smaller size. */
  from: number;
  /** The larger size. */
  to: number;
  /**
   * The log's root at `from`, base64: what a checkpoint of that size must say, if it is of
   * this history (a witness holding another builds evidence from it and the proof).
   */
  fromRoot: string;
  /** The log's root at `to`, base64. */
  toRoot: string;
  /** The proof's hashes, base64. */
  proof: string[];
}

/** An inclusion proof of a log entry. */
export interface InclusionAnswer {
  /** The shard. */
  shard: number;
  /** The entry's place in the log. */
  index: number;
  /** The tree's size. */
  size: number;
  /** The audit path, base64, from the leaf up. */
  proof: string[];
}

/** An account's balance proof and the checkpoint whose state root it is checked against. */
export interface BalanceAnswer {
  /** The shard. */
  shard: number;
  /** The checkpoint (a signed note with a `state` line). */
  checkpoint: string;
  /** The proof. */
  proof: BalanceProof;
}

/** A hash tile's bytes. */
export interface TileAnswer {
  /** `width` hashes of 32 bytes. */
  tile: Uint8Array;
}

/**
 * The origin of a shard's log: `superpeer/<network>/<shard>`, the name its key signs under.
 *
 * @param network The network id.
 * @param shard The shard.
 * @returns The origin.
 *
 * @example Usage
 * ```ts
 * import { logOrigin } from "./log_wire.ts";
 * console.assert(logOrigin("dev", 3) === "superpeer/dev/3");
 * ```
 */
export function logOrigin(network: string, shard: number): string {
  return `superpeer/${network}/${shard}`;
}
