/**
 * The limits of file sharing, a part of `limit_table.ts` kept apart for size.
 *
 * @module
 */
import type { LimitRow } from "./limit_row.ts";

/**
 * The swarm's rows of the limit table.
 *
 * @example Usage
 * ```ts
 * import { SWARM_LIMITS } from "./limit_table_swarm.ts";
 * console.assert(SWARM_LIMITS.SWARM_PIECE_BYTES.value === 16_384);
 * ```
 */
export const SWARM_LIMITS = {
  /** Bytes of a piece of shared content (the last one may be shorter). */
  SWARM_PIECE_BYTES: {
    value: 16_384,
    unit: "bytes",
    description:
      "Bytes of each piece of shared content, the last one shorter; a piece and its proof fit one relay frame or data-channel message. Fixed by the protocol version: a content id names the pieces of this size.",
  },
  /** Largest content a content id may name. */
  MAX_CONTENT_BYTES: {
    value: 4_294_967_296,
    unit: "bytes",
    description:
      "Largest content one content id may name (4 GiB: 262,144 pieces). Larger: the id is malformed (`CONTENT_ID_MALFORMED`).",
  },
  /** How long a provider record lives unless its provider says so again. */
  PROVIDER_TTL_MS: {
    value: 120_000,
    unit: "ms",
    description:
      "How long a `provide` is kept at the content's home; a peer that keeps sharing sends it again within this time (the reference client every half of it). Also dropped when its peer is gone past `PRESENCE_TIMEOUT_MS`, or on `unprovide`.",
  },
  /** Most contents one peer may provide at once. */
  MAX_PROVIDES_PER_PEER: {
    value: 64,
    unit: "entries",
    description:
      "Contents one peer may provide at once (counted at its home). More: `provide` refused with `RESOURCE_LIMIT_EXCEEDED`.",
  },
  /** Most providers recorded for one content. */
  MAX_PROVIDERS_PER_ROOT: {
    value: 512,
    unit: "peers",
    description:
      "Providers one content's home records for it (expired ones go first). More: a new `provide` is refused with `RESOURCE_LIMIT_EXCEEDED`; those recorded keep theirs.",
  },
  /** Most provider records one shard keeps. */
  MAX_PROVIDER_RECORDS_PER_SHARD: {
    value: 65_536,
    unit: "entries",
    description:
      "Provider records one shard keeps for all the contents homed there (its storage bound). More: `provide` refused with `RESOURCE_LIMIT_EXCEEDED`.",
  },
  /** Most providers one `providers` request returns. */
  MAX_PROVIDERS_PER_QUERY: {
    value: 32,
    unit: "peers",
    description:
      "Most providers one `providers` request returns, at random; a larger `count` is cut to it.",
  },
} as const satisfies Record<string, LimitRow>;
