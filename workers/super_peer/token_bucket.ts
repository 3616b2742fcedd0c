/**
 * Per-peer rate limiting: two token buckets, one of cost units (a relayed frame costs
 * `COST_RELAY_FRAME`, a request its price: the `COST_*` limits) and one of bytes, filled
 * continuously. A refused charge still takes half its cost, down to a quarter of a burst below
 * empty: a peer that keeps pushing past its limit waits longer, and the debt decays as the bucket
 * refills.
 *
 * @module
 */

/** Rates and bursts of a {@linkcode RateLimiter}. */
export interface RateLimiterOptions {
  /** Sustained cost units per second (a relayed frame costs `COST_RELAY_FRAME`). */
  framesPerSecond: number;
  /** Cost units allowed in a burst. */
  burstFrames: number;
  /** Sustained bytes per second. */
  bytesPerSecond: number;
  /** Bytes allowed in a burst. */
  burstBytes: number;
}

/** A limiter's state, to keep across restarts. */
export interface RateLimiterState {
  /** Cost units in the bucket (negative: a penalty being paid off). */
  units: number;
  /** Bytes in the bucket. */
  bytes: number;
  /** When the buckets were last filled, ms since the epoch. */
  at: number;
}

/**
 * Options for a limiter that counts units only (its byte bucket always has room).
 *
 * @param framesPerSecond Sustained units per second.
 * @param burstFrames Units allowed in a burst.
 * @returns The options.
 *
 * @example Usage
 * ```ts
 * import { RateLimiter, unitsOnly } from "./token_bucket.ts";
 * const limiter = new RateLimiter(unitsOnly(1, 2), 0);
 * console.assert(limiter.charge(2, 0, 0) === 0 && limiter.charge(1, 0, 0) > 0);
 * ```
 */
export function unitsOnly(framesPerSecond: number, burstFrames: number): RateLimiterOptions {
  return { framesPerSecond, burstFrames, bytesPerSecond: 1, burstBytes: 1 };
}

/**
 * Admits or refuses by cost and by size. Starts full, so a new peer has its burst.
 *
 * @example Usage
 * ```ts
 * import { RateLimiter } from "./token_bucket.ts";
 * const limiter = new RateLimiter({ framesPerSecond: 1, burstFrames: 1, bytesPerSecond: 100, burstBytes: 100 }, 0);
 * console.assert(limiter.admit(10, 0));
 * console.assert(!limiter.admit(10, 0));
 * console.assert(limiter.charge(1, 10, 0) > 0, "refused: a wait in ms");
 * ```
 */
export class RateLimiter {
  readonly #options: RateLimiterOptions;
  #units: number;
  #bytes: number;
  #at: number;

  /**
   * Makes a limiter whose buckets start full, or as a kept state left them.
   *
   * @param options Rates and bursts.
   * @param now The clock, in ms.
   * @param state A state kept from before.
   */
  constructor(options: RateLimiterOptions, now: number = Date.now(), state?: RateLimiterState) {
    this.#options = options;
    this.#units = state?.units ?? options.burstFrames;
    this.#bytes = state?.bytes ?? options.burstBytes;
    this.#at = state?.at ?? now;
  }

  /**
   * Takes one frame of `bytes` bytes from the buckets if both have room (no penalty).
   *
   * @param bytes The frame's size.
   * @param now The clock, in ms.
   * @returns `true` if admitted; `false` if over the limit.
   */
  admit(bytes: number, now: number = Date.now()): boolean {
    return this.charge(1, bytes, now, false) === 0;
  }

  /**
   * Takes a cost and a size from the buckets if both have room. A refusal still takes half
   * the cost (the penalty), down to a quarter of a burst below empty.
   *
   * @param cost Cost units.
   * @param bytes Bytes.
   * @param now The clock, in ms.
   * @param penalty Whether a refusal takes half the cost. @default true
   * @param whole What the sender will pay when it asks again, if more than `cost` (a request
   *   whose price is charged in parts pays every part again). @default cost
   * @returns 0 if admitted; else how long, in ms, until `whole` would pass.
   */
  charge(
    cost: number,
    bytes: number,
    now: number = Date.now(),
    penalty = true,
    whole: number = cost,
  ): number {
    // The hot path: nothing to refill since the last charge, and room for this one.
    if (now === this.#at && this.#units >= cost && this.#bytes >= bytes) {
      this.#units -= cost;
      this.#bytes -= bytes;
      return 0;
    }
    const o = this.#options;
    this.#fill(now);
    if (this.#units >= cost && this.#bytes >= bytes) {
      this.#units -= cost;
      this.#bytes -= bytes;
      return 0;
    }
    if (penalty) this.#units = Math.max(-o.burstFrames / 4, this.#units - cost / 2);
    const waitUnits = Math.max(0, Math.max(cost, whole) - this.#units) / o.framesPerSecond;
    const waitBytes = Math.max(0, bytes - this.#bytes) / o.bytesPerSecond;
    // Past a burst, a charge never passes: say so with the longest honest wait.
    return Math.max(1, Math.ceil(1000 * Math.max(waitUnits, waitBytes)));
  }

  /**
   * Gives back cost units taken for work that was not done after all.
   *
   * @param cost Cost units.
   * @param now The clock, in ms.
   */
  giveBack(cost: number, now: number = Date.now()): void {
    this.#fill(now);
    this.#units = Math.min(this.#options.burstFrames, this.#units + cost);
  }

  /**
   * Whether both buckets are full again: the limiter then holds nothing worth keeping.
   *
   * @param now The clock, in ms.
   * @returns Whether it is full.
   */
  full(now: number = Date.now()): boolean {
    this.#fill(now);
    return this.#units >= this.#options.burstFrames && this.#bytes >= this.#options.burstBytes;
  }

  /**
   * The state to keep.
   *
   * @returns The buckets and their time.
   */
  state(): RateLimiterState {
    return { units: this.#units, bytes: this.#bytes, at: this.#at };
  }

  #fill(now: number): void {
    const o = this.#options;
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#at = Math.max(this.#at, now);
    this.#units = Math.min(o.burstFrames, this.#units + elapsed * o.framesPerSecond);
    this.#bytes = Math.min(o.burstBytes, this.#bytes + elapsed * o.bytesPerSecond);
  }
}
