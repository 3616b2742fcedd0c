/**
 * Peers closed for flooding, as this edge isolate heard it from their homes. A peer's home
 * refuses its new connections for `FLOOD_COOLDOWN_MS` after a 4003 close; a flooder that
 * reconnects every few milliseconds meanwhile would cost each time a signature check, a wake
 * of its address's gate and one of its home, only to be refused there. The edge remembers the
 * refusal and answers the same one itself, before it checks any signature.
 *
 * It trusts nothing new: an entry comes from the home's answer to a hello whose signature the
 * edge checked, and what it does is refuse, which the home would do too, so a hello that
 * claims a cooling peer's id without its key learns nothing and harms no one. It is memory of
 * one isolate, bounded, and lost on restart, when the home still refuses.
 *
 * @module
 */
import { HttpError } from "../http_error.ts";

/** Cooling peers one edge isolate remembers at most; past it, the oldest are forgotten. */
export const COOLING_PEERS_MAX = 4_096;

/**
 * The peers this isolate knows to be cooling down, and until when.
 *
 * @example Usage
 * ```ts
 * import { CoolingPeers } from "./cooling_peers.ts";
 * const cooling = new CoolingPeers();
 * cooling.note("6Mk…", Date.now() + 10_000);
 * cooling.wait("6Mk…", Date.now()); // about 10000 (ms)
 * cooling.wait("6Mm…", Date.now()); // 0: not known to cool
 * ```
 */
export class CoolingPeers {
  readonly #until = new Map<string, number>();
  readonly #max: number;

  /** @param max Entries kept at most. */
  constructor(max = COOLING_PEERS_MAX) {
    this.#max = max;
  }

  /**
   * Remembers that a peer is refused until `until`.
   *
   * @param peer The peer id its home refused.
   * @param until Ms since the epoch.
   */
  note(peer: string, until: number): void {
    this.#until.delete(peer);
    if (this.#until.size >= this.#max) {
      const now = Date.now();
      for (const [p, t] of this.#until) if (t <= now) this.#until.delete(p);
      // Still full: the oldest entry goes (a Map keeps insertion order).
      if (this.#until.size >= this.#max) this.#until.delete(this.#until.keys().next().value!);
    }
    this.#until.set(peer, until);
  }

  /**
   * How long a peer must still wait, if this isolate knows it to be cooling.
   *
   * @param peer The peer id a hello claims.
   * @param now Ms since the epoch.
   * @returns The wait in ms, or 0.
   */
  wait(peer: string, now: number): number {
    const until = this.#until.get(peer);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.#until.delete(peer);
    return 0;
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.#until.size;
  }
}

/** This isolate's memory. */
const cooling = new CoolingPeers();

/**
 * Refuses a hello whose claimed peer id this isolate knows to be cooling down.
 *
 * @example Usage
 * ```ts
 * import { noteCooling, refuseCooling } from "./cooling_peers.ts";
 * refuseCooling("6Mk…"); // nothing known: returns
 * noteCooling("6Mk…", 10_000);
 * try { refuseCooling("6Mk…"); } catch (e) { console.assert((e as { status: number }).status === 429); }
 * ```
 *
 * @param peer The id the hello claims (not yet checked).
 * @throws {HttpError} 429 `RATE_LIMITED`, with the wait left.
 */
export function refuseCooling(peer: string): void {
  const wait = cooling.wait(peer, Date.now());
  if (wait === 0) return;
  throw new HttpError(
    429,
    "RATE_LIMITED",
    `Closed for flooding; connect again in ${wait} ms`,
    wait,
  );
}

/**
 * Remembers a home's 429 to a peer whose hello the edge checked.
 *
 * @example Usage
 * ```ts
 * import { noteCooling } from "./cooling_peers.ts";
 * noteCooling("6Mk…", 10_000);
 * ```
 *
 * @param peer The checked peer id.
 * @param retryAfter The wait the home named, in ms; nothing is kept without one.
 */
export function noteCooling(peer: string, retryAfter: unknown): void {
  if (typeof retryAfter === "number" && retryAfter > 0) cooling.note(peer, Date.now() + retryAfter);
}

/**
 * Remembers the wait a home's handoff answer names, when it is a 429; passes the answer on.
 *
 * @example Usage
 * ```ts
 * import { noteCoolingAnswer } from "./cooling_peers.ts";
 * const body = JSON.stringify({ code: "RATE_LIMITED", retryAfter: 5_000 });
 * const answer = await noteCoolingAnswer("6Mk…", new Response(body, { status: 429 }));
 * console.assert(answer.status === 429);
 * ```
 *
 * @param peer The checked peer id.
 * @param answer The home's answer to the handoff.
 * @returns The same answer, its body unread (a body that is not JSON is remembered as nothing).
 */
export async function noteCoolingAnswer(peer: string, answer: Response): Promise<Response> {
  if (answer.status !== 429) return answer;
  const said = await answer.clone().json().catch(() => ({}));
  noteCooling(peer, said?.retryAfter);
  return answer;
}
