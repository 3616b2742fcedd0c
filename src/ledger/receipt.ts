/**
 * Cross-shard receipts: what a paying shard owes a receiving shard. Receipts from one source
 * to one destination are numbered 1, 2, 3, … in the same storage transaction as the debit;
 * the destination applies them in order and remembers the highest applied, so a receipt
 * pushed twice is credited once.
 *
 * Canonical bytes: the tag `superpeer-receipt-v1`, network (1-byte length, ASCII), source
 * and destination shards (uint16), sequence number (uint64), the transfer's hash (32 bytes),
 * `to` (34 peer-id bytes), amount (uint64).
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import { ByteWriter } from "./_codec.ts";

/** Domain tag of a receipt's bytes. */
export const RECEIPT_TAG = "superpeer-receipt-v1";

/** A cross-shard receipt. */
export interface Receipt {
  /** The network id. */
  network: string;
  /** The paying shard. */
  source: number;
  /** The receiving shard. */
  dest: number;
  /** Its number among receipts from `source` to `dest`, from 1. */
  seq: number;
  /** The hash of the transfer it pays out. */
  tx: string;
  /** The receiving account. */
  to: string;
  /** The amount, as a decimal string. */
  amount: string;
}

/**
 * The canonical bytes of a receipt.
 *
 * @param r The receipt.
 * @returns The bytes.
 *
 * @example Usage
 * ```ts
 * import { receiptBytes } from "./receipt.ts";
 * const bytes = receiptBytes({
 *   network: "dev", source: 0, dest: 1, seq: 1, tx: "ab".repeat(32),
 *   to: "6MkkeuEFjxZv9Z6TWHjYRXUz3HoaCDNYdhVVPntXQkfT1d1", amount: "5",
 * });
 * console.assert(bytes.length > 32);
 * ```
 */
export function receiptBytes(r: Receipt): Uint8Array {
  return new ByteWriter().tag(RECEIPT_TAG).shortString(r.network).u16(r.source).u16(r.dest)
    .u64(r.seq).bytes(hex.decode(r.tx)).peer(r.to).u64(BigInt(r.amount)).finish();
}
