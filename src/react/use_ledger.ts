/**
 * `useLedger`: a peer's balance as a component shows it, kept fresh by its home shard's
 * blocks (payments in) and after its own transfers, and a transfer that says how it went.
 *
 * @module
 */
import { useCallback, useEffect, useRef, useState } from "react";
import type { Peer } from "../client/mod.ts";
import type { TxOutcome } from "../protocol/mod.ts";
import { inWords } from "./_util.ts";

/** What {@linkcode useLedger} gives a component. */
export interface LedgerState {
  /** The peer's balance; `undefined` until first read. */
  balance: bigint | undefined;
  /** Transfers of this hook under way. */
  pending: number;
  /** The outcome of the last transfer: its hash, or a refusal with its code. */
  last: TxOutcome | undefined;
  /** Why the last read or transfer failed, in words (a refusal says its code in parentheses). */
  error: string | undefined;
  /**
   * Pays an amount from the peer's account, then reads the balance again. Never rejects: a
   * refusal, or a network out of reach, is an outcome with `ok: false` and its code.
   *
   * @param to The payee's peer id.
   * @param amount The amount.
   * @returns The outcome.
   */
  transfer(to: string, amount: bigint | number): Promise<TxOutcome>;
  /** Reads the balance again now. */
  refresh(): void;
}

/**
 * A peer's balance and transfers. The balance is read on mount and on each welcome, and again
 * on each block of the peer's home shard (where payments to it are credited: it watches that
 * shard's blocks, a watch the peer keeps until it closes) and after each transfer of its own.
 *
 * @example A wallet
 * ```ts
 * import { useLedger } from "./mod.ts";
 * import type { Peer } from "../client/mod.ts";
 * export function useWallet(peer: Peer | undefined) {
 *   const { balance, transfer, pending, error } = useLedger(peer);
 *   const pay = (to: string) => transfer(to, 10n).then((r) => r.ok);
 *   return { shown: balance === undefined ? "…" : String(balance), busy: pending > 0, pay, error };
 * }
 * ```
 *
 * @param peer The peer (from `useSuperpeer`); none yet: no balance.
 * @returns The balance, the transfers under way, the last outcome and error, `transfer` and
 *   `refresh`.
 */
export function useLedger(peer: Peer | undefined): LedgerState {
  const [balance, setBalance] = useState<bigint | undefined>(undefined);
  const [pending, setPending] = useState(0);
  const [last, setLast] = useState<TxOutcome | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const read = useRef<() => Promise<void>>(() => Promise.resolve());
  useEffect(() => {
    setBalance(undefined);
    setLast(undefined);
    setError(undefined);
    if (!peer) return;
    let live = true;
    // Reads answer in any order: only the latest one's balance is shown.
    let reads = 0;
    read.current = async () => {
      const n = ++reads;
      try {
        const account = await peer.ledger.balance();
        if (live && n === reads) setBalance(BigInt(account.balance));
      } catch (e) {
        if (live && n === reads) setError(inWords(e));
      }
    };
    let home: number | undefined;
    const watch = (shard: number) => {
      home = shard;
      peer.ledger.watchBlocks(shard).catch((e) => live && setError(inWords(e)));
    };
    const offs = [
      peer.on("open", (w) => (watch(w.shard), void read.current())),
      peer.on("block", (h) => void (h.shard === home && read.current())),
    ];
    if (peer.welcome) watch(peer.welcome.shard);
    // Over HTTP: the balance needs no open socket.
    void read.current();
    return () => {
      live = false;
      for (const off of offs) off();
      read.current = () => Promise.resolve();
    };
  }, [peer]);
  const transfer = useCallback(async (to: string, amount: bigint | number): Promise<TxOutcome> => {
    if (!peer) {
      const outcome: TxOutcome = { ok: false, code: "UNREACHABLE", message: "No peer yet" };
      setLast(outcome);
      setError(inWords(outcome));
      return outcome;
    }
    setPending((n) => n + 1);
    let outcome: TxOutcome;
    try {
      outcome = await peer.ledger.transfer(to, amount);
    } catch (e) {
      const { code } = e as { code?: string };
      outcome = {
        ok: false,
        code: (code ?? "INTERNAL") as Extract<TxOutcome, { ok: false }>["code"],
        message: e instanceof Error ? e.message : String(e),
      };
    }
    setPending((n) => n - 1);
    setLast(outcome);
    setError(outcome.ok ? undefined : inWords(outcome));
    await read.current();
    return outcome;
  }, [peer]);
  const refresh = useCallback(() => void read.current(), []);
  return { balance, pending, last, error, transfer, refresh };
}
