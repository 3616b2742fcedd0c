/**
 * Per-peer rate limiting: two token buckets (frames and bytes) filled continuously.
 *
 * @module
 */

/** Rates and bursts of a {@linkcode RateLimiter}. */
export interface RateLimiterOptions {
  /** Sustained frames per second. */
  framesPerSecond: number;
  /** Frames allowed in a burst. */
  burstFrames: number;
  /** Sustained bytes per second. */
  bytesPerSecond: number;
  /** Bytes allowed in a burst. */
  burstBytes: number;
}

/**
 * Admits or refuses frames by count and by size. Starts full, so a new peer has its burst.
 *
 * @example Usage
 * ```ts
 * import { RateLimiter } from "./token_bucket.ts";
 * const limiter = new RateLimiter({ framesPerSecond: 1, burstFrames: 1, bytesPerSecond: 100, burstBytes: 100 }, 0);
 * console.assert(limiter.admit(10, 0));
 * console.assert(!limiter.admit(10, 0));
 * console.assert(limiter.admit(10, 1000));
 * ```
 */
export class RateLimiter {
  readonly #options: RateLimiterOptions;
  #frames: number;
  #bytes: number;
  #at: number;

  /**
   * Makes a limiter whose buckets start full.
   *
   * @param options Rates and bursts.
   * @param now The clock, in ms.
   */
  constructor(options: RateLimiterOptions, now: number = Date.now()) {
    this.#options = options;
    this.#frames = options.burstFrames;
    this.#bytes = options.burstBytes;
    this.#at = now;
  }

  /**
   * Takes one frame of `bytes` bytes from the buckets if both have room.
   *
   * @param bytes The frame's size.
   * @param now The clock, in ms.
   * @returns `true` if admitted; `false` (and nothing taken) if over the limit.
   */
  admit(bytes: number, now: number = Date.now()): boolean {
    const o = this.#options;
    const elapsed = Math.max(0, now - this.#at) / 1000;
    this.#at = now;
    this.#frames = Math.min(o.burstFrames, this.#frames + elapsed * o.framesPerSecond);
    this.#bytes = Math.min(o.burstBytes, this.#bytes + elapsed * o.bytesPerSecond);
    if (this.#frames < 1 || this.#bytes < bytes) return false;
    this.#frames -= 1;
    this.#bytes -= bytes;
    return true;
  }
}
