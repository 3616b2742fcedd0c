/**
 * The limits of the shards' logs (witnesses' cosignatures), a part of `limit_table.ts` kept
 * apart for size.
 *
 * @module
 */
import type { LimitRow } from "./limit_row.ts";

/**
 * The logs' rows of the limit table.
 *
 * @example Usage
 * ```ts
 * import { LOG_LIMITS } from "./limit_table_log.ts";
 * console.assert(LOG_LIMITS.MAX_COSIGNATURES.value === 16);
 * ```
 */
export const LOG_LIMITS = {
  /** Most witnesses' cosignatures a shard keeps on one checkpoint. */
  MAX_COSIGNATURES: {
    value: 16,
    unit: "cosignatures",
    description:
      "Most witnesses whose cosignatures a shard keeps and serves with one checkpoint (a witness's later one replaces its own); past the bound a valid cosignature is still told on `$blocks/<k>`, where a client that follows the shard hears every witness, but not kept (`kept: false`).",
  },
  /** How far back a shard takes witnesses' cosignatures. */
  COSIGN_RECENT_BLOCKS: {
    value: 64,
    unit: "blocks",
    description:
      "A shard takes cosignatures of its last this many blocks' checkpoints (older: `CHECKPOINT_NOT_FOUND`) and drops those it kept of older ones.",
  },
} as const satisfies Record<string, LimitRow>;
