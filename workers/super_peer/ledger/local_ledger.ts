/**
 * A super-peer's own ledger calls: its RPC surface for the ledger, answered in place by its
 * ledger host, with keyed work held while its slot is on the move.
 *
 * @module
 */
import type { SuperPeerRpc } from "../../rpc.ts";
import type { LedgerHost } from "./ledger_host.ts";

/**
 * A super-peer's own ledger calls, answered in place by its ledger host (and its alarm's work).
 *
 * @param host This shard's ledger host, made on first use.
 * @param maxBatch `MAX_TX_BATCH`: transfers past it are ignored.
 * @param moves The shard's slot moves: keyed work waits at a frozen slot, and a freeze waits
 *   for the work under way (default: none).
 * @returns The calls.
 *
 * @example Usage
 * ```ts
 * import type { LedgerHost } from "./ledger_host.ts";
 * import { localLedger } from "./local_ledger.ts";
 * // Made on first use, as a super-peer does.
 * export function calls(host: () => LedgerHost) {
 *   return localLedger(host, 256);
 * }
 * ```
 */
export function localLedger(
  host: () => LedgerHost,
  maxBatch: number,
  moves: {
    gate(key: string): "held" | "gone" | Promise<"held" | "gone">;
    track<T>(work: Promise<T>): Promise<T>;
  } = { gate: () => "held", track: (work) => work },
):
  & Pick<
    SuperPeerRpc,
    | "ledgerSubmit"
    | "ledgerAccount"
    | "ledgerTx"
    | "ledgerIndex"
    | "ledgerBlock"
    | "ledgerLog"
    | "ledgerCosign"
    | "ledgerFaucet"
    | "ledgerReceive"
  >
  & { alarm(): Promise<void> } {
  // Work keyed in a slot on its way to another shard waits until the move is done (or called
  // off); then the map in force says where each account lives, and a transfer whose payer has
  // left is refused `TX_WRONG_SHARD` by the ledger itself.
  const settled = async (keys: Iterable<unknown>) => {
    for (const key of new Set(keys)) {
      const standing = typeof key === "string" ? moves.gate(key) : "held";
      if (typeof standing !== "string") await standing; // frozen: only then a wait
    }
  };
  // A transfer touches its payer and, when both live here, credits its payee in the same
  // write: it waits for either's slot on the move (a credit written after the copy would be
  // left behind with the slot).
  const parties = (txs: unknown[]) =>
    txs.flatMap((t) => {
      if (t === null || typeof t !== "object") return [];
      const { from, to } = t as { from?: unknown; to?: unknown };
      return [from, to];
    });
  return {
    alarm: () => host().alarm(),
    ledgerSubmit: async (txs) => {
      const batch = txs.slice(0, maxBatch);
      await settled(parties(batch));
      return await moves.track(host().submit(batch));
    },
    ledgerAccount: (id) => host().account(id),
    ledgerTx: (hash) => host().transaction(hash),
    ledgerIndex: async (shard, hashes) => {
      // Entries for a slot on the move wait: after it, the map says where they belong.
      await settled(hashes);
      host().index(shard, hashes);
    },
    ledgerBlock: (height) => host().block(height),
    // History is written once and never moves with a slot: nothing to wait for.
    ledgerLog: (ask) => host().readLog(ask),
    ledgerCosign: (witness, height, line) => host().cosigns.add(witness, height, line),
    ledgerFaucet: async (account) => {
      await settled([account]);
      return await moves.track(host().faucet(account));
    },
    ledgerReceive: async (source, receipts) => {
      await settled(receipts.map((r) => r.to));
      return await moves.track(host().receive(source, receipts));
    },
  };
}
