/**
 * The routes of the pairs of the peers homed here, as each last reported them (`routes`): the
 * network cannot see a direct channel or a TURN server's traffic, so a peer tells it. The
 * last report of each connected peer is kept in memory and summed for the figures (`routes`
 * of `GET /v1/shards/:k/stats`, the route shares of `/v1/metrics`); its TURN bytes are counted
 * against its TURN quota (`Admission.useTurn`), which decides whether its welcomes carry a
 * TURN credential.
 *
 * @module
 */
import type {
  ControlReplies,
  ControlRequests,
  Refusal,
  RelayStats,
  StatsAnswer,
} from "../../src/protocol/mod.ts";
import type { NetworkConfig } from "../config.ts";
import type { Admission } from "./admission.ts";

/** Pairs by route. */
export type RouteCounts = StatsAnswer["routes"];

/**
 * The reports of one shard's peers.
 *
 * @example Usage
 * ```ts
 * import type { NetworkConfig } from "../config.ts";
 * import type { Admission } from "./admission.ts";
 * import { emptyStats } from "./relay.ts";
 * import { RouteReports } from "./route_reports.ts";
 * export function shares(config: NetworkConfig, admission: Admission) {
 *   const reports = new RouteReports(config, admission, emptyStats());
 *   reports.report("peer", { t: "routes", id: 1, direct: 2, turn: 0, relay: 1, turnBytes: 0 });
 *   return reports.totals().routes; // { direct: 2, turn: 0, relay: 1 }
 * }
 * ```
 */
export class RouteReports {
  readonly #last = new Map<string, RouteCounts>();
  /** The TURN bytes each connected peer that reported some used in its window. */
  readonly #turn = new Map<string, number>();

  /**
   * @param config The network's config (`ROUTES_MAX_PAIRS`).
   * @param admission Counts TURN bytes against each peer's quota.
   * @param stats The shard's counters (`turnBytes`).
   */
  constructor(
    private readonly config: NetworkConfig,
    private readonly admission: Admission,
    private readonly stats: RelayStats,
  ) {}

  /**
   * Takes a peer's report.
   *
   * @param peer The peer.
   * @param m The report.
   * @returns The TURN bytes left to it, or `BAD_REQUEST` (a count past `ROUTES_MAX_PAIRS`, nothing
   *   counted) or `TURN_QUOTA_EXCEEDED` (counted).
   */
  report(peer: string, m: ControlRequests["routes"]): ControlReplies["routes"] | Refusal {
    const max = this.config.limits.ROUTES_MAX_PAIRS;
    if (Math.max(m.direct, m.turn, m.relay) > max) {
      return { ok: false, code: "BAD_REQUEST", message: `A report counts at most ${max} pairs` };
    }
    this.#last.set(peer, { direct: m.direct, turn: m.turn, relay: m.relay });
    // Self-reported: one report counts at most a whole quota, so that no peer can send the
    // shard's figures past what it could have used.
    const bytes = Math.min(m.turnBytes, this.config.limits.TURN_QUOTA_BYTES);
    this.stats.turnBytes += bytes;
    const used = this.admission.useTurn(peer, bytes);
    const inWindow = this.admission.turnUsed(peer);
    if (inWindow > 0) this.#turn.set(peer, inWindow);
    else this.#turn.delete(peer);
    if ("ok" in used) return used;
    return { t: "routes.result", id: m.id, turnLeft: used.left, windowEnds: used.ends };
  }

  /** A peer left: its pairs no longer count. @param peer The peer. */
  left(peer: string): void {
    this.#last.delete(peer);
    this.#turn.delete(peer);
  }

  /**
   * The pairs of the connected peers, by route; how many of those peers used TURN in their
   * window, and the most one used.
   *
   * @returns The sums.
   */
  totals(): Pick<StatsAnswer, "routes" | "turnPeers" | "turnPeerMaxBytes"> {
    const routes = { direct: 0, turn: 0, relay: 0 };
    for (const r of this.#last.values()) {
      routes.direct += r.direct;
      routes.turn += r.turn;
      routes.relay += r.relay;
    }
    // A window that ended since the peer's last report counts no more.
    for (const peer of this.#turn.keys()) {
      const inWindow = this.admission.turnUsed(peer);
      if (inWindow > 0) this.#turn.set(peer, inWindow);
      else this.#turn.delete(peer);
    }
    const used = [...this.#turn.values()];
    return { routes, turnPeers: used.length, turnPeerMaxBytes: Math.max(0, ...used) };
  }
}
