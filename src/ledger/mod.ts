/**
 * The ledger as a pure state machine: signed transfers, blocks with Merkle roots and signed
 * headers, cross-shard receipts applied exactly once, and proofs a light client checks
 * offline. No I/O: it runs on a {@linkcode LedgerStorage}. See `docs/LEDGER.md`.
 *
 * @example Usage
 * ```ts
 * import { LedgerShard, MemoryLedgerStorage } from "./mod.ts";
 * const shard = new LedgerShard(new MemoryLedgerStorage(), {
 *   network: "dev", shard: 0, shards: 1, maxAmount: 1000, maxBlockEntries: 100,
 * });
 * console.assert(shard.head() === undefined);
 * ```
 *
 * @module
 */
export * from "./block.ts";
export { isAccountId } from "./_codec.ts";
export * from "./ledger.ts";
export * from "./proof.ts";
export * from "./receipt.ts";
export * from "./storage.ts";
export * from "./sql_storage.ts";
export * from "./transfer.ts";
export * from "./inclusion_steps.ts";
export * from "./slot_accounts.ts";
export * from "./balance_proof.ts";
export * from "./log_store.ts";
export * from "./state_store.ts";
export type { Verdict } from "./verdict.ts";
export type { VerifyBatch } from "./_check.ts";
// The hash of an entry's leaf, `leafHash(entryLeaf(entry))`: where a proof's path starts. The
// rest of the Merkle tree is its own room, `src/merkle/`.
export { leafHash } from "../merkle/mod.ts";
export * from "./shard_log.ts";
export * from "./log_answers.ts";
