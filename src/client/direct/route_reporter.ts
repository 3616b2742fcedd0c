/**
 * A peer's reports of its pairs' routes to the network (`routes`, section 11 of `PROTOCOL.md`):
 * every `ROUTES_REPORT_MS`, when it has something to report, how many of the pairs it sent to
 * went direct, through a TURN server, or stayed on the relay, and the TURN bytes its channels
 * moved since. The network cannot see a channel, so the route shares of its metrics come from
 * these; and it counts the TURN bytes against the peer's quota: refused `TURN_QUOTA_EXCEEDED`,
 * the peer stops using TURN until the window ends.
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
   * Counts the routes now and reports them if there is anything to report.
   *
   * @returns Once answered (or refused, or failed).
   */
  async reportNow(): Promise<void> {
    const counts = await this.#host.upgrades.routeCounts();
    if (counts.direct + counts.turn + counts.relay + counts.turnBytes === 0) return;
    try {
      await this.#host.report(counts);
    } catch (error) {
      if (!(error instanceof ProtocolError)) return;
      if (error.code === "TURN_QUOTA_EXCEEDED") {
        await this.#host.upgrades.turnOff(Date.now() + (error.retryAfter ?? 0));
      }
      // Not connected, or no answer in time: the next report counts from this one.
      if (error.code !== "OVERLOADED" && error.code !== "INTERNAL") this.#host.refused(error);
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
    refused: (e) => {
      const retry = e.retryAfter === undefined ? {} : { retryAfter: e.retryAfter };
      emit({ t: "error", ok: false, code: e.code, message: e.message, ...retry });
    },
  };
}
