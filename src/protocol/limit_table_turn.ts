/**
 * The limits of the paths pairs take (direct, through a TURN server, or the relay) and of a
 * peer's TURN use, a part of `limit_table.ts` kept apart for size.
 *
 * @module
 */
import type { LimitRow } from "./limit_row.ts";

/**
 * The rows of routes and TURN in the limit table.
 *
 * @example Usage
 * ```ts
 * import { TURN_LIMITS } from "./limit_table_turn.ts";
 * console.assert(TURN_LIMITS.TURN_QUOTA_BYTES.unit === "bytes");
 * ```
 */
export const TURN_LIMITS = {
  /** TURN bytes a peer may use per window. */
  TURN_QUOTA_BYTES: {
    value: 268_435_456,
    unit: "bytes",
    description:
      "TURN bytes (sent and received through its own TURN allocations) a peer may use per `TURN_QUOTA_WINDOW_MS`, as its `routes` reports count them (one report counts at most this much). Past it a report of new bytes is answered `TURN_QUOTA_EXCEEDED` with `retryAfter` (the window's end), the client closes its channels through its own allocations and makes no more until then (its pairs go back to the relay, or direct, or through the other side's TURN server, where they can), and its welcomes carry no TURN credential until the window ends. A client that does not report is bounded by the TURN server instead: its credential lives `TURN_CREDENTIAL_TTL_MS`, and the server's own rate cap per allocation times that lifetime is the most it can take (`docs/OPERATIONS.md`).",
  },
  /** The window of {@linkcode TURN_QUOTA_BYTES}. */
  TURN_QUOTA_WINDOW_MS: {
    value: 3_600_000,
    unit: "ms",
    description:
      "The window of `TURN_QUOTA_BYTES`, as long as a TURN credential lives; the count starts again when it ends.",
  },
  /** How often a peer with pairs reports their routes. */
  ROUTES_REPORT_MS: {
    value: 30_000,
    unit: "ms",
    description:
      "How often, at most, a client with direct channels reports the routes of its pairs and the TURN bytes of its own allocations since the last report (`routes`, priced `COST_ROUTES`), and only when they changed. The network sums the last report of each connected peer into the route shares of `/v1/metrics`.",
  },
  /** Most pairs one `routes` report may count. */
  ROUTES_MAX_PAIRS: {
    value: 1_024,
    unit: "peers",
    description:
      "Most pairs a `routes` report may count in each of `direct`, `turn` and `relay`. More: `BAD_REQUEST`, nothing counted.",
  },
} as const satisfies Record<string, LimitRow>;
