/**
 * Admission: the one metering step in front of every handler. Each frame a peer sends, text
 * or binary, is charged by its cost (`COST_*` limits) against that peer's buckets before it is
 * handled; relayed payload also against its relay quota. The buckets belong to the peer, not
 * to a connection: they live at the peer's home, are kept in SQLite, and so survive
 * reconnects, hibernation and restarts. A row whose buckets are full again holds nothing and
 * is deleted by the sweep, so the table holds only peers that spent recently.
 *
 * Identities are free, so the peers of one client address also share a bucket at each shard
 * (`ADDRESS_UNITS_PER_SECOND`): a thousand ids from one address ask no more of a shard than a
 * few peers may. That bucket lives in memory (a restart refills it; the peers' own buckets
 * are kept). Automatic answers (sealed kinds 5 and 6, which a peer sends because another wrote
 * to it) are never charged to the peer: they have their own small bucket, and past it they are
 * dropped silently, so junk sent to a victim cannot spend the victim's budget. And the shard has
 * a budget of its own (`SHARD_UNITS_PER_SECOND`): past it, a peer that spent more than a
 * tenth of its burst lately waits, while one that spent less passes.
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import type { Refusal } from "../../src/protocol/mod.ts";
import { RateLimiter, unitsOnly } from "./token_bucket.ts";
import type { NetworkConfig } from "../config.ts";
import type { HelloRefusal } from "../rpc.ts";
import { shardBusyWait, spread } from "./admission_waits.ts";
import { countQuota } from "./quota_window.ts";
import { type Budget, type Kept, keptOf, type Payer, restoreBudget } from "./peer_budget.ts";

export type { Payer } from "./peer_budget.ts";

export { shardBusyWait };

/** How long a peer's spending may wait in memory before it is written down, in ms. */
export const BUDGET_FLUSH_MS = 200;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS peer_budget (peer TEXT PRIMARY KEY, state TEXT NOT NULL);
`;

/**
 * The admission step of one super-peer.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { NetworkConfig } from "../config.ts";
 * import { Admission } from "./admission.ts";
 * export function charge(ctx: DurableObjectState, config: NetworkConfig, peer: string, text: string) {
 *   const admission = new Admission(ctx, config, (flooder) => console.warn("closing", flooder));
 *   const payer = { peer, address: "203.0.113.9" };
 *   return admission.charge(payer, config.limits.COST_REQUEST, text.length); // null, or RATE_LIMITED
 * }
 * ```
 */
export class Admission {
  readonly #ctx: DurableObjectState;
  readonly #config: NetworkConfig;
  readonly #budgets = new Map<string, Budget>();
  readonly #addresses = new Map<string, RateLimiter>();
  /** Peers closed for flooding, and until when their new connections are refused. */
  readonly #flooded = new Map<string, number>();
  readonly #dirty = new Set<string>();
  readonly #onFlood: (peer: string) => void;
  /** The shard's own budget, which all its peers' admitted work draws from. */
  readonly #shardBucket: RateLimiter;
  #last: { peer: string; budget: Budget } | undefined;
  #lastAddress: { address: string; limiter: RateLimiter } | undefined;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param ctx The object's state (its SQLite storage).
   * @param config The network's config.
   * @param onFlood Closes a peer's socket that kept sending past its limit.
   */
  constructor(ctx: DurableObjectState, config: NetworkConfig, onFlood: (peer: string) => void) {
    this.#ctx = ctx;
    this.#config = config;
    this.#onFlood = onFlood;
    const { limits } = config;
    this.#shardBucket = new RateLimiter(
      unitsOnly(limits.SHARD_UNITS_PER_SECOND, limits.SHARD_BURST_UNITS),
    );
    ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Charges a peer, and its client address, for a frame (its cost and size) and, for relayed
   * payload, counts it against the peer's relay quota.
   *
   * @param payer The peer and its address.
   * @param cost Its cost units.
   * @param bytes Its size.
   * @param payload Whether it is relayed payload (signaling and requests are not).
   * @param whole What the sender pays when it asks again, if more than `cost`: the part of a
   *   price charged after `COST_REQUEST` was paid says when the whole price fits, so that a
   *   sender that waits `retryAfter` is not refused again. @default cost
   * @returns `null` if admitted, else `RATE_LIMITED` or `RESOURCE_LIMIT_EXCEEDED` with
   *   `retryAfter`.
   */
  charge(
    payer: Payer,
    cost: number,
    bytes: number,
    payload = false,
    whole: number = cost,
  ): Refusal | null {
    const { limits } = this.#config;
    const { peer } = payer;
    const budget = this.#spending(peer);
    const now = Date.now();
    const own = budget.limiter.charge(cost, bytes, now, true, whole);
    let wait = own;
    let why = "Rate limit exceeded";
    if (wait === 0 && payer.address !== undefined) {
      // No penalty here: the bucket is shared, and honest peers of one address that take
      // turns would keep it below empty for each other. The frame already paid its full cost
      // from its peer's own bucket.
      wait = spread(this.#address(payer.address).charge(cost, 0, now, false, whole));
      why = "Rate limit of this client address exceeded";
    }
    if (wait === 0) {
      // Past the shard's own budget only the heavy spenders wait: a peer that spent little of
      // its burst lately (a tenth at most) passes, so a crowd of flooders cannot starve a
      // bystander.
      const busy = this.#shardBucket.charge(cost, 0, now, false, whole);
      if (busy > 0 && budget.limiter.state().units < limits.RATE_LIMIT_BURST_FRAMES * 0.9) {
        // Told to come back once the shard has regained a tenth of its burst, not the moment
        // one request fits: a crowd retrying every millisecond would spend the shard on
        // refusals.
        wait = spread(Math.max(busy, shardBusyWait(limits)));
        why = "The shard is busy";
      }
    }
    if (wait > 0) {
      // A flood is not read and answered frame by frame: past a run of refusals of frames
      // that came before the wait the network named, it goes. A frame that came after it
      // heeded the refusal (it lost its turn to other peers of its address, or to a busy
      // shard): it is told a new wait, and not counted.
      if (now < budget.retryAt) {
        if (++budget.refusedInRow === limits.MAX_REFUSALS_BEFORE_CLOSE) {
          this.#flooded.set(peer, now + limits.FLOOD_COOLDOWN_MS);
          this.#onFlood(peer);
        }
      } else budget.retryAt = now + wait;
      return {
        ok: false,
        code: "RATE_LIMITED",
        message: `${why}; retry in ${wait} ms`,
        retryAfter: wait,
      };
    }
    budget.refusedInRow = 0;
    if (!payload) return null;
    const { RELAY_QUOTA_BYTES: max, RELAY_QUOTA_WINDOW_MS: window } = limits;
    const retryAfter = countQuota(budget.relay, bytes, now, max, window, false);
    if (retryAfter === 0) return null;
    const message = `Relay quota of ${max} bytes per ${window} ms used up`;
    return { ok: false, code: "RESOURCE_LIMIT_EXCEEDED", message, retryAfter };
  }

  /**
   * Counts TURN bytes a peer reports it used (`routes`): used already, so counted whatever
   * they come to.
   *
   * @param peer The peer.
   * @param bytes The bytes.
   * @returns The bytes left in its window and when the window ends, or `TURN_QUOTA_EXCEEDED`.
   */
  useTurn(peer: string, bytes: number): { left: number; ends: number } | Refusal {
    const { TURN_QUOTA_BYTES: max, TURN_QUOTA_WINDOW_MS: window } = this.#config.limits;
    const turn = this.#spending(peer).turn;
    // A report of no new bytes is not refused, past the quota too: only new use is.
    const retryAfter = bytes === 0 ? 0 : countQuota(turn, bytes, Date.now(), max, window, true);
    if (retryAfter === 0) {
      return { left: Math.max(0, max - this.turnUsed(peer)), ends: turn.start + window };
    }
    const message = `TURN quota of ${max} bytes per ${window} ms used up`;
    return { ok: false, code: "TURN_QUOTA_EXCEEDED", message, retryAfter };
  }

  /**
   * The TURN bytes a peer used in its window (0 once it ended). @param peer The peer.
   * @returns The bytes.
   */
  turnUsed(peer: string): number {
    // Read without keeping it: a hello refused after this check leaves nothing in memory.
    const { turn } = this.#budgets.get(peer) ?? this.#restore(this.#row(peer));
    return Date.now() - turn.start >= this.#config.limits.TURN_QUOTA_WINDOW_MS ? 0 : turn.bytes;
  }

  /**
   * Whether a peer may use TURN now: its window's bytes are below the quota, or the window
   * ended. @param peer The peer. @returns Whether it may.
   */
  turnAllowed(peer: string): boolean {
    return this.turnUsed(peer) < this.#config.limits.TURN_QUOTA_BYTES;
  }

  /**
   * Gives a client address back the first part of a price (`COST_REQUEST`, paid before the
   * frame was read) when the rest is refused: the address's bucket is shared, and peers of
   * one address that take turns would otherwise spend it on requests refused half-way and
   * starve each other. The peer's own bucket keeps what it paid.
   *
   * @param payer The peer and its address.
   * @param cost The units to give back.
   */
  giveBackToAddress(payer: Payer, cost: number): void {
    if (payer.address !== undefined) this.#address(payer.address).giveBack(cost);
  }

  /**
   * Gives a peer, and its client address, back a price it paid for an automatic answer: an
   * acknowledgement of mail or topic messages that others sent it, whose senders paid for
   * them (and for their acknowledgement) already. Charged first, so that one acknowledging
   * nothing pays; given back once it took something.
   *
   * @param payer The peer and its address.
   * @param cost The units to give back.
   */
  giveBack(payer: Payer, cost: number): void {
    this.#spending(payer.peer).limiter.giveBack(cost);
    this.giveBackToAddress(payer, cost);
  }

  /**
   * Whether a peer closed for flooding connects again too soon (`FLOOD_COOLDOWN_MS`).
   *
   * @param peer The peer.
   * @returns `RATE_LIMITED` with how long it must still wait, or `null` if it may connect.
   */
  tooSoon(peer: string): HelloRefusal | null {
    const until = this.#flooded.get(peer);
    if (until === undefined) return null;
    const wait = until - Date.now();
    if (wait <= 0) {
      this.#flooded.delete(peer);
      return null;
    }
    const message = `Closed for flooding; connect again in ${wait} ms`;
    return { ok: false, status: 429, code: "RATE_LIMITED", message, retryAfter: wait };
  }

  /**
   * Until when a peer is refused for flooding (0: not); `until`, from its old home after a move,
   * sets it. @param peer The peer. @param until The end to set. @returns The end.
   */
  cooldown(peer: string, until?: number): number {
    if (until !== undefined && until > Date.now()) this.#flooded.set(peer, until);
    return this.#flooded.get(peer) ?? 0;
  }

  /**
   * Admits an automatic answer a peer sends (sealed kind 5 or 6): free, from its own small
   * bucket, never counted toward its close.
   *
   * @param peer The peer.
   * @returns Whether it goes; if not, it is dropped silently.
   */
  answer(peer: string): boolean {
    const { limits } = this.#config;
    const budget = this.#budget(peer);
    budget.answers ??= new RateLimiter(
      unitsOnly(limits.ANSWER_FRAMES_PER_SECOND, limits.ANSWER_BURST_FRAMES),
    );
    return budget.answers.charge(1, 0, Date.now(), false) === 0;
  }

  /** A peer left: its budget is written down and dropped from memory. @param peer The peer. */
  left(peer: string): void {
    if (this.#dirty.has(peer)) this.#write(peer);
    this.#budgets.delete(peer);
    if (this.#last?.peer === peer) this.#last = undefined;
  }

  /**
   * Peers whose budgets moved with their slots (`budget_moves.ts`): dropped from memory here,
   * unwritten, so that a later flush brings no row back. @param inSlots Whether one is in them.
   */
  forget(inSlots: (peer: string) => boolean): void {
    for (const peer of [...this.#budgets.keys(), ...this.#dirty].filter(inSlots)) {
      this.#budgets.delete(peer);
      this.#dirty.delete(peer);
    }
    if (this.#last && inSlots(this.#last.peer)) this.#last = undefined;
  }

  /** Writes down every budget spent since the last flush (the sweep and the alarm call it). */
  flush(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    for (const peer of this.#dirty) this.#write(peer);
  }

  /**
   * Deletes the rows of peers whose buckets are full again and whose quota window ended, and
   * the address buckets that are full again.
   */
  sweep(): void {
    this.flush();
    const now = Date.now();
    for (const [address, limiter] of this.#addresses) {
      if (limiter.full(now)) this.#addresses.delete(address);
    }
    for (const [peer, until] of this.#flooded) if (until <= now) this.#flooded.delete(peer);
    this.#lastAddress = undefined;
    const rows = this.#ctx.storage.sql.exec<{ peer: string; state: string }>(
      "SELECT peer, state FROM peer_budget",
    ).toArray();
    for (const { peer, state } of rows) {
      if (this.#budgets.has(peer)) continue;
      if (this.#idle(this.#restore(JSON.parse(state) as Kept), now)) {
        this.#ctx.storage.sql.exec("DELETE FROM peer_budget WHERE peer = ?", peer);
      }
    }
  }

  #idle(budget: Budget, now: number): boolean {
    const { limits } = this.#config;
    return budget.limiter.full(now) &&
      now - budget.relay.start >= limits.RELAY_QUOTA_WINDOW_MS &&
      now - budget.turn.start >= limits.TURN_QUOTA_WINDOW_MS;
  }

  // A budget about to change: written down within `BUDGET_FLUSH_MS`.
  #spending(peer: string): Budget {
    const budget = this.#budget(peer);
    if (!budget.dirty) {
      budget.dirty = true;
      this.#dirty.add(peer);
      this.#flushTimer ??= setTimeout(() => this.flush(), BUDGET_FLUSH_MS);
    }
    return budget;
  }

  #budget(peer: string): Budget {
    // A peer mostly sends many frames in a row: its budget is at hand without a lookup.
    if (this.#last?.peer === peer) return this.#last.budget;
    let budget = this.#budgets.get(peer);
    if (!budget) {
      budget = this.#restore(this.#row(peer));
      this.#budgets.set(peer, budget);
    }
    this.#last = { peer, budget };
    return budget;
  }

  #address(address: string): RateLimiter {
    if (this.#lastAddress?.address === address) return this.#lastAddress.limiter;
    let limiter = this.#addresses.get(address);
    if (!limiter) {
      const { limits } = this.#config;
      limiter = new RateLimiter(
        unitsOnly(limits.ADDRESS_UNITS_PER_SECOND, limits.ADDRESS_BURST_UNITS),
      );
      this.#addresses.set(address, limiter);
    }
    this.#lastAddress = { address, limiter };
    return limiter;
  }

  #row(peer: string): Kept | undefined {
    const row = this.#ctx.storage.sql.exec<{ state: string }>(
      "SELECT state FROM peer_budget WHERE peer = ?",
      peer,
    ).toArray()[0];
    return row ? JSON.parse(row.state) as Kept : undefined;
  }

  #restore(kept: Kept | undefined): Budget {
    return restoreBudget(this.#config.limits, kept);
  }

  // Spending is written down within BUDGET_FLUSH_MS, not per frame (see `charge`): the hot path
  // stays off SQLite, and a restart forgets at most that much of a peer's spending.
  #write(peer: string): void {
    this.#dirty.delete(peer);
    const budget = this.#budgets.get(peer);
    if (!budget) return;
    budget.dirty = false;
    this.#ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO peer_budget VALUES (?, ?)",
      peer,
      JSON.stringify(keptOf(budget)),
    );
  }
}
