/**
 * A peer's budget at its home, as the admission step (`admission.ts`) keeps it: its buckets,
 * and its relay and TURN quota windows; and the form it is written down in (`peer_budget`).
 *
 * @module
 */
import type { Limits } from "../../src/protocol/mod.ts";
import { RateLimiter, type RateLimiterState } from "./token_bucket.ts";
import type { QuotaWindow } from "./quota_window.ts";

/** A peer's budget: its buckets, and its relay and TURN quota windows. */
export interface Budget {
  /** Its frames, bytes and units. */
  limiter: RateLimiter;
  /** `RATE_LIMITED` refusals since the last frame admitted, of frames that came too soon. */
  refusedInRow: number;
  /** The end of the wait the last heeded refusal named, ms since the epoch (memory only). */
  retryAt: number;
  /** Spent since it was last written down. */
  dirty: boolean;
  /** Relayed payload (`RELAY_QUOTA_BYTES`). */
  relay: QuotaWindow;
  /** TURN bytes it reported (`TURN_QUOTA_BYTES`). */
  turn: QuotaWindow;
  /** Its automatic answers (memory only). */
  answers?: RateLimiter;
}

/** Who pays for a frame: a peer, and the client address it connected from. */
export interface Payer {
  /** The peer. */
  readonly peer: string;
  /** Its client address, as the edge keyed it; absent, only the peer's bucket is charged. */
  readonly address?: string;
}

/** A budget as written down (JSON); rows written before TURN was counted have no `turn*`. */
export interface Kept extends RateLimiterState {
  /** The relay window's start. */
  quotaStart: number;
  /** Its bytes. */
  quotaBytes: number;
  /** The TURN window's start. */
  turnStart?: number;
  /** Its bytes. */
  turnBytes?: number;
}

/**
 * A budget from what was written down, or a new one.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
 * import { restoreBudget } from "./peer_budget.ts";
 * console.assert(restoreBudget(DEFAULT_LIMITS, undefined).turn.bytes === 0);
 * ```
 *
 * @param limits The network's limits.
 * @param kept What was written down, if anything.
 * @returns The budget.
 */
export function restoreBudget(limits: Limits, kept: Kept | undefined): Budget {
  return {
    limiter: new RateLimiter(
      {
        framesPerSecond: limits.RATE_LIMIT_FRAMES_PER_SECOND,
        burstFrames: limits.RATE_LIMIT_BURST_FRAMES,
        bytesPerSecond: limits.RATE_LIMIT_BYTES_PER_SECOND,
        burstBytes: limits.RATE_LIMIT_BURST_BYTES,
      },
      Date.now(),
      kept,
    ),
    refusedInRow: 0,
    retryAt: 0,
    dirty: false,
    relay: { start: kept?.quotaStart ?? Date.now(), bytes: kept?.quotaBytes ?? 0 },
    turn: { start: kept?.turnStart ?? 0, bytes: kept?.turnBytes ?? 0 },
  };
}

/**
 * What of a budget is written down.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
 * import { keptOf, restoreBudget } from "./peer_budget.ts";
 * console.assert(!("turnBytes" in keptOf(restoreBudget(DEFAULT_LIMITS, undefined))));
 * ```
 *
 * @param budget The budget.
 * @returns Its buckets' state and its windows.
 */
export function keptOf(budget: Budget): Kept {
  const { turn } = budget;
  return {
    ...budget.limiter.state(),
    quotaStart: budget.relay.start,
    quotaBytes: budget.relay.bytes,
    ...(turn.start > 0 ? { turnStart: turn.start, turnBytes: turn.bytes } : {}),
  };
}
