/**
 * A count of bytes per window of time, kept per peer in its budget (`admission.ts`): the relay
 * quota (`RELAY_QUOTA_BYTES`) and the TURN quota (`TURN_QUOTA_BYTES`).
 *
 * @module
 */

/** Where a window started, and the bytes counted in it. */
export interface QuotaWindow {
  /** Its start, ms since the epoch (0: none yet). */
  start: number;
  /** Bytes counted since. */
  bytes: number;
}

/**
 * Counts bytes in a window, starting a new one if the last ended.
 *
 * @example Usage
 * ```ts
 * import { countQuota } from "./quota_window.ts";
 * const w = { start: 0, bytes: 0 };
 * console.assert(countQuota(w, 60, 1_000, 100, 60_000, false) === 0);
 * console.assert(countQuota(w, 60, 2_000, 100, 60_000, false) === 58_000); // over: not counted
 * console.assert(w.bytes === 60);
 * ```
 *
 * @param w The window, changed in place.
 * @param bytes The bytes.
 * @param now Now, ms since the epoch.
 * @param limit The bytes a window holds.
 * @param windowMs The window's length.
 * @param used Whether the bytes were used already (counted even past the limit), or asked for
 *   (counted only if they fit).
 * @returns 0 if within the limit, else the ms until the window ends.
 */
export function countQuota(
  w: QuotaWindow,
  bytes: number,
  now: number,
  limit: number,
  windowMs: number,
  used: boolean,
): number {
  if (now - w.start >= windowMs) {
    w.start = now;
    w.bytes = 0;
  }
  const fits = w.bytes + bytes <= limit;
  if (fits || used) w.bytes += bytes;
  return fits ? 0 : Math.max(1, w.start + windowMs - now);
}
