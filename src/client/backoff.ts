/**
 * Reconnect delays: exponential backoff with jitter, so that a restarted super-peer is not
 * hit by every peer in the same instant.
 *
 * @module
 */
import {
  DEFAULT_RECONNECT_FACTOR,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_RECONNECT_MIN_DELAY_MS,
} from "./constants.ts";

/** How a {@linkcode Peer} waits between reconnect attempts. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. @default 250 */
  minDelayMs?: number;
  /** Largest delay, in ms. @default 10000 */
  maxDelayMs?: number;
  /** Growth per attempt. @default 2 */
  factor?: number;
}

/**
 * Returns the delay before reconnect attempt `attempt` (0 for the first): half of the
 * exponential step fixed, half random ("equal jitter"), capped at the maximum.
 *
 * @param attempt The attempt number, from 0.
 * @param options The backoff options.
 * @param random A source of numbers in `[0, 1)`.
 * @returns The delay in ms.
 *
 * @example Usage
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * const d = backoffDelay(3, { minDelayMs: 100, maxDelayMs: 10_000 }, () => 0.5);
 * console.assert(d === 600);
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const min = options.minDelayMs ?? DEFAULT_RECONNECT_MIN_DELAY_MS;
  const max = options.maxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS;
  const factor = options.factor ?? DEFAULT_RECONNECT_FACTOR;
  const step = Math.min(max, min * factor ** Math.max(0, attempt));
  return Math.round(step / 2 + random() * step / 2);
}
