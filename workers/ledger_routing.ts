/**
 * Routing of transfers to their payers' home shards, shared by the edge (`POST /v1/tx`) and
 * by a super-peer (a peer's `tx` message over its socket).
 *
 * @module
 */
import { isAccountId } from "../src/ledger/mod.ts";
import type { TxOutcome } from "../src/protocol/mod.ts";
import { shardOf } from "../src/routing/mod.ts";

/**
 * Submits transfers, each to the home shard of its `from` account, a batch per shard and
 * the shards in parallel; the outcomes come back in input order.
 *
 * @param txs Transfers in JSON form.
 * @param shards The network's shard count.
 * @param submitTo Submits one shard's batch.
 * @returns One outcome per transfer.
 *
 * @example Usage
 * ```ts ignore
 * const results = await submitByHome(txs, 8, (k, batch) => stubOf(k).ledgerSubmit(batch));
 * ```
 */
export async function submitByHome(
  txs: readonly unknown[],
  shards: number,
  submitTo: (shard: number, txs: unknown[]) => Promise<TxOutcome[]>,
): Promise<TxOutcome[]> {
  const results = new Array<TxOutcome>(txs.length);
  const groups = new Map<number, { index: number[]; txs: unknown[] }>();
  for (const [i, tx] of txs.entries()) {
    const from = (tx as { from?: unknown } | null)?.from;
    if (!isAccountId(from)) {
      results[i] = {
        ok: false,
        code: "TX_MALFORMED",
        message: 'Transfer field "from" is not a peer id',
      };
      continue;
    }
    const k = shardOf(from, shards);
    const group = groups.get(k) ?? { index: [], txs: [] };
    group.index.push(i);
    group.txs.push(tx);
    groups.set(k, group);
  }
  await Promise.all([...groups.entries()].map(async ([k, group]) => {
    let outcomes: TxOutcome[];
    try {
      outcomes = await submitTo(k, group.txs);
    } catch {
      // Unknown whether it applied: the client asks for the transfer's status to find out.
      outcomes = group.txs.map(() => ({
        ok: false,
        code: "SHARD_UNAVAILABLE",
        message: `Shard ${k} could not be reached; the transfer may or may not have been applied`,
      }));
    }
    for (const [j, i] of group.index.entries()) results[i] = outcomes[j];
  }));
  return results;
}
