/**
 * How a ledger shard is set up.
 *
 * @module
 */
import type { Placement } from "../routing/placement.ts";

/** How a shard is set up. */
export interface LedgerOptions {
  /** The network id. */
  network: string;
  /** This shard. */
  shard: number;
  /** The network's shard count. */
  shards: number;
  /** Largest amount of one transfer. */
  maxAmount: number;
  /** Most entries in one block. */
  maxBlockEntries: number;
  /** The live placement the shard's process follows (default: the first map of `shards`). */
  placement?: Placement;
  /** Genesis balances, by account, for the whole network; each shard takes its own. */
  genesis?: Readonly<Record<string, string | number>>;
}
