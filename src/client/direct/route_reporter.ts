/**
 * A peer's reports of its pairs' routes to the network (`routes`, section 10 of `PROTOCOL.md`):
 * every `ROUTES_REPORT_MS`, when something changed, how many of the pairs it sent to went
 * direct, through a TURN server, or stayed on the relay, and the TURN bytes its own allocations
 * moved since. The network cannot see a channel, so the route shares of its metrics come from
 * these; and it counts the TURN bytes against the peer's quota: refused `TURN_QUOTA_EXCEEDED`,
 * the peer stops using TURN servers of its own until the window ends.
 *
 * @module
 */
import { ProtocolError } from "../../protocol/errors.ts";
import type { ControlReplies, ErrorMessage, Limits } from "../../protocol/mod.ts";
import type { RequestMessage } from "../requests.ts";
import type { DirectUpgrades } from "./upgrades.ts";

/** What the reporter is given by its peer. */
export interface RouteReporterHost {
  /** The peer's channels. */
  upgrades: Pick<DirectUpgrades, "routeCounts" | "turnOff">;
  /** Sends a report; rejects with the network's refusal. */
  report(counts: {
    direct: number;
    turn: number;
    relay: number;
    turnBytes: number;
  }): Promise<ControlReplies["routes"]>;
  /** How often to report, in ms (`ROUTES_REPORT_MS` of the network's limits). */
  everyMs(): number;
  /** Most pairs a report counts by route (`ROUTES_MAX_PAIRS`). */
  maxPairs(): number;
  /** The network refused a report: told to the application. */
  refused(error: ProtocolError): void;
}

/**
 * The reports of one peer.
 *
 * @example Usage
 * ```ts
 * import { RouteReporter, type RouteReporterHost } from "./route_reporter.ts";
 * export function reports(host: RouteReporterHost) {
 *   const reporter = new RouteReporter(host);
 *   reporter.start(); // reports every `everyMs()` until closed
 *   return reporter;
 * }
 * ```
 */
export class RouteReporter {
  readonly #host: RouteReporterHost;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** The counts last reported (none at first), to send nothing while nothing changes. */
  #last = JSON.stringify({ direct: 0, turn: 0, relay: 0 });
  /** TURN bytes counted for a report that did not reach the network. */
  #carry = 0;

  /** @param host The peer's side. */
  constructor(host: RouteReporterHost) {
    this.#host = host;
  }

  /** Starts reporting, if it has not yet. */
  start(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => void this.#tick(), this.#host.everyMs());
  }

  /**
   * Counts the routes now and reports them if they changed or TURN bytes were used: a peer
   * whose pairs stay as they were wakes its home for nothing.
   *
   * @returns Once answered (or refused, or failed).
   */
  async reportNow(): Promise<void> {
    const counted = await this.#host.upgrades.routeCounts();
    const max = this.#host.maxPairs();
    const routes = {
      direct: Math.min(max, counted.direct),
      turn: Math.min(max, counted.turn),
      relay: Math.min(max, counted.relay),
    };
    const turnBytes = counted.turnBytes + this.#carry;
    const key = JSON.stringify(routes);
    if (key === this.#last && turnBytes === 0) return;
    this.#carry = 0;
    try {
      await this.#host.report({ ...routes, turnBytes });
      this.#last = key;
    } catch (error) {
      if (!(error instanceof ProtocolError)) return;
      if (error.code === "TURN_QUOTA_EXCEEDED") {
        this.#last = key;
        await this.#host.upgrades.turnOff(Date.now() + (error.retryAfter ?? 0));
      } else if (UNSENT.has(error.code)) {
        // Not connected, or no answer: the bytes go with the next report, quietly.
        this.#carry += turnBytes;
        return;
      } else if (error.code === "UNKNOWN_FRAME_TYPE") {
        // A network older than reports: it hears none.
        return this.close();
      }
      this.#host.refused(error);
    }
  }

  /** Stops reporting. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #tick(): Promise<void> {
    await this.reportNow().catch(() => {});
    if (this.#closed) return;
    this.#timer = setTimeout(() => void this.#tick(), this.#host.everyMs());
  }
}

/** Refusals that say the report did not reach the network, or got no answer. */
const UNSENT: ReadonlySet<string> = new Set(["OVERLOADED", "INTERNAL", "SHARD_UNAVAILABLE"]);

/**
 * A reporter's peer side, through the peer's requests: reports as `routes` requests, every
 * `ROUTES_REPORT_MS` of the limits in force, and a refusal told as the peer's `error` event.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "../../protocol/mod.ts";
 * import { reportsThrough } from "./route_reporter.ts";
 * const host = reportsThrough({ request: () => Promise.reject() }, () => DEFAULT_LIMITS, console.warn);
 * console.assert(host.everyMs() === DEFAULT_LIMITS.ROUTES_REPORT_MS);
 * ```
 *
 * @param requests Sends a request.
 * @param limits The limits in force.
 * @param emit Tells the application of a refusal.
 * @returns All of a host but the channels.
 */
export function reportsThrough(
  requests: { request(m: RequestMessage<"routes">): Promise<ControlReplies["routes"]> },
  limits: () => Limits,
  emit: (error: ErrorMessage) => void,
): Omit<RouteReporterHost, "upgrades"> {
  return {
    report: (counts) => requests.request({ t: "routes", ...counts }),
    everyMs: () => limits().ROUTES_REPORT_MS,
    maxPairs: () => limits().ROUTES_MAX_PAIRS,
    refused: (e) => {
      const retry = e.retryAfter === undefined ? {} : { retryAfter: e.retryAfter };
      emit({ t: "error", ok: false, code: e.code, message: e.message, ...retry });
    },
  };
}
