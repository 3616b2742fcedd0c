/**
 * Shedding at the edge: a flood from one client address is refused before any Durable Object
 * wakes. Cloudflare's Rate Limiting binding (`[[ratelimits]]` in `wrangler.toml`, which
 * Miniflare runs locally too) counts hellos and HTTP writes per address key over a window of
 * 10 s; past `EDGE_REQUESTS_PER_10_SECONDS` the edge answers 429 `RATE_LIMITED` itself. Its
 * counts are kept where the request lands (per Cloudflare location, eventually consistent), so
 * this is a coarse first line: the address's gate, which keeps exact budgets, stays behind it.
 *
 * @module
 */
import { HttpError } from "../http_error.ts";
import type { EdgeRateLimiter } from "../config.ts";

/** The window of the binding's count, in seconds: `period` of `[[ratelimits]]`. */
export const EDGE_RATE_PERIOD_S = 10;

/**
 * Counts a request from an address against the edge's rate; throws the refusal past it. A
 * Worker run without the binding (a bare bundle in a unit test) sheds nothing.
 *
 * @example Usage
 * ```ts
 * import { shedAtEdge } from "./edge_shed.ts";
 * let left = 1;
 * const limiter = { limit: () => Promise.resolve({ success: left-- > 0 }) };
 * await shedAtEdge(limiter, "203.0.113.9"); // admitted
 * await shedAtEdge(limiter, "203.0.113.9").catch((e) => console.assert(e.status === 429));
 * ```
 *
 * @param limiter The binding, if the Worker has one.
 * @param address The client's address key.
 * @throws {HttpError} 429 `RATE_LIMITED`, `retryAfter` one window, past the rate.
 */
export async function shedAtEdge(
  limiter: EdgeRateLimiter | undefined,
  address: string,
): Promise<void> {
  if (!limiter) return;
  const { success } = await limiter.limit({ key: address });
  if (success) return;
  // The binding says neither the count nor when its window ends: one window is the bound.
  throw new HttpError(
    429,
    "RATE_LIMITED",
    `Too many requests from this address at the edge; retry in ${EDGE_RATE_PERIOD_S} s`,
    EDGE_RATE_PERIOD_S * 1000,
  );
}
