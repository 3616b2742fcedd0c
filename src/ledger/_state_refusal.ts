/**
 * The checks of a transfer against its payer's account, nonce then balance: cheap reads, made
 * before the signature's check and again when the transfer is applied.
 *
 * @module
 */
import type { TxOutcome } from "../protocol/ledger_wire.ts";
import type { Account } from "./storage.ts";
import type { Transfer } from "./transfer.ts";

/**
 * The refusal a transfer meets from its payer's account, if any.
 *
 * @param t The transfer.
 * @param from Its payer's account, as the transfer will find it.
 * @param hash The transfer's hash.
 * @returns `TX_NONCE_REPLAYED`, `TX_NONCE_GAP` or `TX_INSUFFICIENT_FUNDS`, or `undefined`.
 */
export function stateRefusal(t: Transfer, from: Account, hash: string): TxOutcome | undefined {
  if (t.nonce <= from.nonce) {
    return {
      ok: false,
      code: "TX_NONCE_REPLAYED",
      message: `Nonce ${t.nonce} was already used`,
      hash,
    };
  }
  if (t.nonce !== from.nonce + 1) {
    return {
      ok: false,
      code: "TX_NONCE_GAP",
      message: `Next nonce is ${from.nonce + 1}, not ${t.nonce}`,
      hash,
    };
  }
  if (from.balance < t.amount) {
    return {
      ok: false,
      code: "TX_INSUFFICIENT_FUNDS",
      message: `Balance ${from.balance} is below ${t.amount}`,
      hash,
    };
  }
  return undefined;
}
