/**
 * One transfer's checks before it is applied: its shape, network and shard, then its nonce
 * and balance against the state it will meet, and only then its signature (checked here, or
 * taken from a verdict that stateless code reached before the shard did, `verdicts.ts`).
 *
 * @module
 */
import { base64urlnopad, hex } from "@scure/base";
import { sha256 } from "@noble/hashes/sha2.js";
import { verifySignature } from "../identity/identity.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import type { TxOutcome } from "../protocol/ledger_wire.ts";
import { stateRefusal } from "./_state_refusal.ts";
import type { Account } from "./storage.ts";
import { parseTransfer, type Transfer, transferBytes } from "./transfer.ts";
import type { Verdict } from "./verdict.ts";

/**
 * A transfer checked: refused, or ready to apply, with its hash and either its canonical bytes
 * or (verified elsewhere) its leaf's hash.
 */
export type Checked =
  | { refusal: TxOutcome }
  | { t: Transfer; hash: string; bytes?: Uint8Array; leaf?: string };

/** What the checks read: the shard, and the state a transfer will meet. */
export interface CheckContext {
  readonly network: string;
  readonly shard: number;
  readonly maxAmount: number;
  homeOf(id: string): number;
  state(id: string): Account;
}

/**
 * Checks one transfer.
 *
 * @example Usage
 * ```ts
 * import { checkTransfer } from "./_check.ts";
 * const at = {
 *   network: "n",
 *   shard: 0,
 *   maxAmount: 100,
 *   homeOf: () => 0,
 *   state: () => ({ balance: 0n, nonce: 0 }),
 * };
 * const c = await checkTransfer({ t: "junk" }, at);
 * console.assert("refusal" in c);
 * ```
 *
 * @param value The transfer, parsed JSON.
 * @param at The shard and its state.
 * @param verdict Its verdict, if its signature was checked elsewhere (`null`: none came), as
 *   opened against this very transfer (`openVerdicts`): its hashes are taken, not computed.
 * @returns Refused, or ready to apply.
 */
export async function checkTransfer(
  value: unknown,
  at: CheckContext,
  verdict?: Verdict | null,
): Promise<Checked> {
  const parsed = parseTransfer(value, at.maxAmount);
  if (!parsed.ok) return { refusal: parsed };
  const t = parsed.transfer;
  // Verified elsewhere, the verdict carries the hash (its MAC binds it to this transfer); else
  // the canonical bytes are built once and serve the hash, the signature and the leaf.
  let bytes: Uint8Array | undefined;
  const hash = verdict?.hash ?? hex.encode(sha256(bytes = transferBytes(t)));
  const refuse = (code: ErrorCode, message: string) => ({
    refusal: { ok: false as const, code, message, hash },
  });
  if (t.network !== at.network) {
    return refuse("TX_WRONG_NETWORK", `Transfer is for network "${t.network}"`);
  }
  const home = at.homeOf(t.from);
  if (home !== at.shard) return refuse("TX_WRONG_SHARD", `Account's home is shard ${home}`);
  // Cheap reads before the costly check: a signature is verified only for a transfer that
  // could apply.
  const unfit = stateRefusal(t, at.state(t.from), hash);
  if (unfit) return { refusal: unfit };
  if (verdict !== undefined) {
    if (verdict === null || verdict.hash === null || verdict.leaf === null) {
      return refuse("TX_UNVERIFIED", "No verifier's verdict came with this transfer");
    }
    if (!verdict.ok) return refuse("TX_BAD_SIGNATURE", "Transfer signature does not verify");
    return { t, hash, leaf: verdict.leaf };
  }
  bytes ??= transferBytes(t);
  if (!await verifySignature(t.from, base64urlnopad.decode(t.sig), bytes)) {
    return refuse("TX_BAD_SIGNATURE", "Transfer signature does not verify");
  }
  return { t, hash, bytes };
}
