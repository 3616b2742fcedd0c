// The token buckets admission and the address gate charge against: pure, on a given clock.
import { RateLimiter } from "../../../workers/super_peer/token_bucket.ts";
import { assert, assertEquals } from "../../support/assert.ts";

Deno.test("RateLimiter admits a burst, refuses past it, and refills over time", () => {
  const limiter = new RateLimiter({
    framesPerSecond: 10,
    burstFrames: 5,
    bytesPerSecond: 1000,
    burstBytes: 1000,
  }, 0);
  const admitted = Array.from({ length: 8 }, () => limiter.admit(1, 0)).filter(Boolean).length;
  assertEquals(admitted, 5);
  assert(!limiter.admit(1, 50), "half a frame refilled is not a frame");
  assert(limiter.admit(1, 100));
  assert(!limiter.admit(2000, 10_000), "a frame larger than the byte burst never passes");
});
