/**
 * The capacity model: what one shard holds, as planning figures from this project's measured
 * figures (`docs/BENCHMARKS.md`) and Cloudflare's published per-object limits, and each
 * shard's load against them, which the observer works out at every gathering and
 * `GET /v1/metrics` serves (`superpeer_shard_load`). `docs/OPERATIONS.md` ("Capacity") says
 * where each figure comes from and when to grow the network.
 *
 * These are not limits: nothing is refused at them. A shard past one still works, more slowly
 * (frames, transfers) or nearer a bound that does refuse (mail: `MAIL_MAX_PER_SHARD`).
 *
 * @module
 */
import type { StatsAnswer } from "./http.ts";

/** A planning figure of one shard. */
export interface CapacityRow {
  /** The figure. */
  value: number;
  /** Its unit. */
  unit: string;
  /** Where it comes from. */
  basis: string;
}

/** What one shard holds, by resource (mail's figure is the limit in force, not a constant). */
export const SHARD_CAPACITY = {
  sockets: {
    value: 32_768,
    unit: "sockets",
    basis:
      "The lower of two bounds, rounded down to a power of two: a shard relays about 33,800 frames/s on one core (`relay.same_shard`), so 32,768 peers that each send one frame a second fill it; the isolate's 128 MB (Workers limits) at 1,133 bytes of live heap a socket (`scale.live_heap`) would hold about 118,000.",
  },
  frames: {
    value: 30_000,
    unit: "frames/s",
    basis:
      "Frames a shard relays per second on one core, measured at 33,817 (`relay.same_shard`), less a tenth for the rest of its work. A Durable Object is one thread (Cloudflare's troubleshooting page: no more work than a single thread can do).",
  },
  transfers: {
    value: 6_000,
    unit: "transfers/s",
    basis:
      "Signed transfers a shard applies and seals per second with its signature checks, measured at 6,054 (`ledger.transfers`, the verifier on the same thread); the shard's own part is about 45 µs a transfer with its log and state tree (`ledger.shard_time`).",
  },
} as const satisfies Record<string, CapacityRow>;

/** A resource of the capacity model. */
export type CapacityResource = keyof typeof SHARD_CAPACITY | "mail";

/** The resources of the capacity model, in the order they are shown. */
export const CAPACITY_RESOURCES: readonly CapacityResource[] = [
  "sockets",
  "frames",
  "transfers",
  "mail",
];

/**
 * What one shard holds, by resource, on a network: the model's figures, and mail's bound in
 * force.
 *
 * @example Usage
 * ```ts
 * import { shardCapacity } from "./capacity.ts";
 * console.assert(shardCapacity(65_536).mail === 65_536);
 * ```
 *
 * @param mailBound The mailbox's bound in force (`MAIL_MAX_PER_SHARD`).
 * @returns The figures.
 */
export function shardCapacity(mailBound: number): Record<CapacityResource, number> {
  const { sockets, frames, transfers } = SHARD_CAPACITY;
  return {
    sockets: sockets.value,
    frames: frames.value,
    transfers: transfers.value,
    mail: mailBound,
  };
}

/** One shard's load: the share of each capacity in use, 1 = at capacity. */
export interface ShardLoad {
  /** The shard. */
  shard: number;
  /** Peers connected, over `SHARD_CAPACITY.sockets`. */
  sockets: number;
  /** Frames received per second since the last gathering, over `SHARD_CAPACITY.frames`. */
  frames: number;
  /** Transfers applied per second since the last gathering, over `SHARD_CAPACITY.transfers`. */
  transfers: number;
  /** Mail waiting, over the mailbox's bound (`MAIL_MAX_PER_SHARD`). */
  mail: number;
}

/**
 * A shard's busiest resource: the one nearest its capacity.
 *
 * @example Usage
 * ```ts
 * import { busiestResource } from "./capacity.ts";
 * const b = busiestResource({ shard: 0, sockets: 0.1, frames: 0.4, transfers: 0, mail: 0 });
 * console.assert(b.resource === "frames" && b.share === 0.4);
 * ```
 *
 * @param load The shard's load.
 * @returns The resource and its share (sockets on a tie, then frames, transfers, mail).
 */
export function busiestResource(
  load: ShardLoad,
): { resource: CapacityResource; share: number } {
  let best = { resource: CAPACITY_RESOURCES[0], share: load[CAPACITY_RESOURCES[0]] };
  for (const resource of CAPACITY_RESOURCES) {
    if (load[resource] > best.share) best = { resource, share: load[resource] };
  }
  return best;
}

/**
 * A shard's load from two gatherings of its figures.
 *
 * @example Usage
 * ```ts
 * import { shardLoad } from "./capacity.ts";
 * const f = { shard: 0, peers: 16_384, framesIn: 30_000, transfersApplied: 0, mailWaiting: 0 };
 * const load = shardLoad(f, { ...f, framesIn: 0 }, 2, 65_536);
 * console.assert(load.sockets === 0.5 && load.frames === 0.5);
 * ```
 *
 * @param now The shard's figures now.
 * @param before Its figures at the last gathering, if it answered then.
 * @param seconds Seconds between the two.
 * @param mailBound The mailbox's bound in force (`MAIL_MAX_PER_SHARD`).
 * @returns The load; rates are 0 without an earlier gathering, and a shard that restarted
 *   (its counters from 0 again) is counted from its restart.
 */
export function shardLoad(
  now: Pick<StatsAnswer, "shard" | "peers" | "framesIn" | "transfersApplied" | "mailWaiting">,
  before: Pick<StatsAnswer, "framesIn" | "transfersApplied"> | undefined,
  seconds: number,
  mailBound: number,
): ShardLoad {
  // A counter lower than before was reset by a restart: what it counted since is the increase,
  // as Prometheus's rate() reads a reset.
  const rate = (a: number, b: number | undefined) =>
    b === undefined || seconds <= 0 ? 0 : (a >= b ? a - b : a) / seconds;
  return {
    shard: now.shard,
    sockets: now.peers / SHARD_CAPACITY.sockets.value,
    frames: rate(now.framesIn, before?.framesIn) / SHARD_CAPACITY.frames.value,
    transfers: rate(now.transfersApplied, before?.transfersApplied) /
      SHARD_CAPACITY.transfers.value,
    mail: mailBound > 0 ? now.mailWaiting / mailBound : 0,
  };
}
