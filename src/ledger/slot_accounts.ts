/**
 * A ledger shard's accounts on the move: when the network grows, the accounts of a slot leave
 * their old shard for the new one (balance, nonce, and when the faucet last paid them), copied
 * while the slot is frozen, and dropped at the old shard once the map names the new home.
 * History stays where it was sealed: the old shard keeps its blocks, its transfer records and
 * their proofs; what reaches it afterwards for a moved account (a receipt from a payer that did
 * not know yet) it pays on (`forward` entries, see `LedgerShard.receive`).
 *
 * @module
 */
import type { LedgerStorage } from "./storage.ts";

/** An account as it travels to its new shard. */
export interface MovedAccount {
  /** The account id. */
  id: string;
  /** Its balance, a decimal string. */
  balance: string;
  /** Its last nonce. */
  nonce: number;
  /** When the faucet last paid it (ms since the epoch), if ever. */
  faucetAt?: string;
}

/**
 * The accounts leaving: every account `inSlots` accepts, as it stands now.
 *
 * @example Usage
 * ```ts
 * import { MemoryLedgerStorage } from "./storage.ts";
 * import { accountsLeaving } from "./slot_accounts.ts";
 * const s = new MemoryLedgerStorage();
 * s.putAccount("a", { balance: 5n, nonce: 1 });
 * console.assert(accountsLeaving(s, (id) => id === "a")[0].balance === "5");
 * ```
 *
 * @param s The old shard's storage.
 * @param inSlots Whether an account is in the moving slots.
 * @returns The accounts.
 */
export function accountsLeaving(
  s: LedgerStorage,
  inSlots: (id: string) => boolean,
): MovedAccount[] {
  return s.accountsWhere(inSlots).map(([id, a]) => {
    const faucetAt = s.getMeta(`faucet:${id}`);
    return { id, balance: String(a.balance), nonce: a.nonce, ...(faucetAt ? { faucetAt } : {}) };
  });
}

/**
 * The accounts arriving, written in one transaction: each replaces what the new shard had for
 * it (nothing, unless a copy is done again after a restart).
 *
 * @example Usage
 * ```ts
 * import { MemoryLedgerStorage } from "./storage.ts";
 * import { accountsArriving } from "./slot_accounts.ts";
 * const s = new MemoryLedgerStorage();
 * accountsArriving(s, [{ id: "a", balance: "5", nonce: 1 }]);
 * console.assert(s.getAccount("a")?.nonce === 1);
 * ```
 *
 * @param s The new shard's storage.
 * @param rows The accounts, from {@linkcode accountsLeaving}.
 */
export function accountsArriving(s: LedgerStorage, rows: readonly MovedAccount[]): void {
  s.transaction(() => {
    for (const r of rows) {
      s.putAccount(r.id, { balance: BigInt(r.balance), nonce: r.nonce });
      if (r.faucetAt !== undefined) s.setMeta(`faucet:${r.id}`, r.faucetAt);
    }
  });
}

/**
 * The accounts gone: dropped from the old shard once the map gives their slots away.
 *
 * @example Usage
 * ```ts
 * import { MemoryLedgerStorage } from "./storage.ts";
 * import { accountsGone } from "./slot_accounts.ts";
 * const s = new MemoryLedgerStorage();
 * s.putAccount("a", { balance: 5n, nonce: 1 });
 * console.assert(accountsGone(s, () => true) === 1 && s.getAccount("a") === undefined);
 * ```
 *
 * @param s The old shard's storage.
 * @param inSlots Whether an account is in the slots given away.
 * @returns How many were dropped.
 */
export function accountsGone(s: LedgerStorage, inSlots: (id: string) => boolean): number {
  const ids = s.accountsWhere(inSlots).map(([id]) => id);
  s.transaction(() => s.deleteAccounts(ids));
  return ids.length;
}
