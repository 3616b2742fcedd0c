/**
 * One transfer's checks before it is applied: its shape, network and shard, then its nonce and
 * balance against the state it will meet (`precheck`), and only then its signature, for the
 * transfers that could apply (`checkSignatures`): checked here, or by stateless code beside
 * the shard (`verdicts.ts`) while the shard goes on with other work.
 *
 * @module
 */
import { base64urlnopad, hex } from "../encoding/mod.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { verifySignature } from "../identity/identity.ts";
import type { ErrorCode } from "../protocol/errors.ts";
import type { TxOutcome } from "../protocol/ledger_wire.ts";
import { stateRefusal } from "./_state_refusal.ts";
import type { Account } from "./storage.ts";
import { parseTransfer, type Transfer, transferBytes } from "./transfer.ts";
import type { Verdict } from "./verdict.ts";

/**
 * A transfer checked: refused, or ready to apply with its hash and either its canonical bytes
 * or (verified elsewhere) its leaf's hash. Before its signature is checked it has no hash yet.
 */
export type Checked =
  | { refusal: TxOutcome }
  | { t: Transfer; hash?: string; bytes?: Uint8Array; leaf?: string };

/** What the checks read: the shard, and the state a transfer will meet. */
export interface CheckContext {
  readonly network: string;
  readonly shard: number;
  readonly maxAmount: number;
  homeOf(id: string): number;
  state(id: string): Account;
}

/** Checks a batch's signatures elsewhere: one verdict per transfer, in order; throws if it fails. */
export type VerifyBatch = (txs: readonly unknown[]) => Promise<readonly Verdict[]>;

const hashOf = (t: Transfer) => hex.encode(sha256(transferBytes(t)));

/**
 * Transfers checked in one turn before the shard's other work gets its turn: about 1 ms of a
 * batch's cheap checks on workerd (`docs/SECURITY.md`).
 */
export const PRECHECK_STEP = 64;

/**
 * The accounts a batch's cheap checks will read, to be read at once: each transfer's payer, and
 * its payee where `here` says it lives on this shard (one elsewhere is never read). Anything but
 * a short string is left out: the checks refuse it anyway.
 *
 * @example Usage
 * ```ts
 * import { batchAccounts } from "./_check.ts";
 * const ids = batchAccounts([{ from: "a", to: "b" }, { from: "c", to: "d" }, "junk"], (id) => id === "b");
 * console.assert(ids.join() === "a,b,c");
 * ```
 *
 * @param values The batch, parsed JSON.
 * @param here Whether an account lives on this shard.
 * @returns The ids, payers first in each transfer.
 */
export function batchAccounts(values: readonly unknown[], here: (id: string) => boolean): string[] {
  const ids: string[] = [];
  const id = (x: unknown) => typeof x === "string" && x.length <= 64 ? x : undefined;
  for (const v of values) {
    if (typeof v !== "object" || v === null) continue;
    const from = id((v as { from?: unknown }).from);
    const to = id((v as { to?: unknown }).to);
    if (from) ids.push(from);
    if (to && here(to)) ids.push(to);
  }
  return ids;
}

/**
 * Checks one transfer's shape, network, shard, nonce and balance: cheap reads, before any
 * signature is checked, so that junk with a wrong nonce or an empty account costs none.
 *
 * @example Usage
 * ```ts
 * import { precheck } from "./_check.ts";
 * const at = {
 *   network: "n",
 *   shard: 0,
 *   maxAmount: 100,
 *   homeOf: () => 0,
 *   state: () => ({ balance: 0n, nonce: 0 }),
 * };
 * console.assert("refusal" in precheck({ t: "junk" }, at));
 * ```
 *
 * @param value The transfer, parsed JSON.
 * @param at The shard and its state.
 * @returns Refused, or one whose signature is still to be checked.
 */
export function precheck(value: unknown, at: CheckContext): Checked {
  const parsed = parseTransfer(value, at.maxAmount);
  if (!parsed.ok) return { refusal: parsed };
  const t = parsed.transfer;
  // A refusal names the transfer by its hash; one that could apply gets it with its signature.
  const refuse = (code: ErrorCode, message: string) => ({
    refusal: { ok: false as const, code, message, hash: hashOf(t) },
  });
  if (t.network !== at.network) {
    return refuse("TX_WRONG_NETWORK", `Transfer is for network "${t.network}"`);
  }
  const home = at.homeOf(t.from);
  if (home !== at.shard) {
    const { refusal } = refuse("TX_WRONG_SHARD", `Account's home is shard ${home}`);
    return { refusal: { ...refusal, home } };
  }
  // The hash only for a refusal: one that could apply gets it from its verdict, unhashed here.
  const unfit = stateRefusal(t, at.state(t.from), "");
  return unfit ? { refusal: { ...unfit, hash: hashOf(t) } } : { t };
}

/**
 * Checks the signatures of the transfers that passed `precheck`: by `verify` (stateless code
 * beside the shard, which also hands back each transfer's hash and leaf's hash), or here. A
 * transfer whose signature does not verify is refused `TX_BAD_SIGNATURE`; without a verdict
 * (the verifier failed), `TX_UNVERIFIED`.
 *
 * @example Usage
 * ```ts
 * import { checkSignatures } from "./_check.ts";
 * const checked = [{ refusal: { ok: false as const, code: "TX_MALFORMED" as const, message: "" } }];
 * await checkSignatures([{}], checked); // nothing left to check
 * ```
 *
 * @param values The batch, parsed JSON.
 * @param checked Its `precheck` results, completed in place.
 * @param verify Checks signatures elsewhere, if given.
 */
export async function checkSignatures(
  values: readonly unknown[],
  checked: Checked[],
  verify?: VerifyBatch,
): Promise<void> {
  const pending = [...checked.keys()].filter((i) => !("refusal" in checked[i]));
  if (pending.length === 0) return;
  if (!verify) {
    // One after another: in workerd, a batch of concurrent verifications measured slower.
    for (const i of pending) {
      const { t } = checked[i] as { t: Transfer };
      const bytes = transferBytes(t);
      const hash = hex.encode(sha256(bytes));
      checked[i] = await verifySignature(t.from, base64urlnopad.decode(t.sig), bytes)
        ? { t, hash, bytes }
        : { refusal: badSignature(hash) };
    }
    return;
  }
  let verdicts: readonly Verdict[] | null;
  try {
    verdicts = await verify(pending.map((i) => values[i]));
    if (verdicts.length !== pending.length) verdicts = null;
  } catch {
    verdicts = null;
  }
  for (const [k, i] of pending.entries()) {
    const { t } = checked[i] as { t: Transfer };
    const v = verdicts?.[k];
    if (!v || v.hash === null || v.leaf === null) {
      const message = "The network's verifier gave no verdict; nothing was applied";
      checked[i] = { refusal: { ok: false, code: "TX_UNVERIFIED", message, hash: hashOf(t) } };
    } else if (!v.ok) checked[i] = { refusal: badSignature(v.hash) };
    else checked[i] = { t, hash: v.hash, leaf: v.leaf };
  }
}

function badSignature(hash: string): TxOutcome {
  return {
    ok: false,
    code: "TX_BAD_SIGNATURE",
    message: "Transfer signature does not verify",
    hash,
  };
}
