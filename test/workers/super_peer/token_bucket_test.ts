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

Deno.test("RateLimiter: a refusal of a part says when the whole price fits", () => {
  const options = { framesPerSecond: 1_000, burstFrames: 20, bytesPerSecond: 1, burstBytes: 1 };
  const limiter = new RateLimiter(options, 0);
  assertEquals(limiter.charge(16, 0, 0), 0);
  // 4 left; the rest of a 20-unit price (10) is refused without penalty: 16 more ms for 20.
  assertEquals(limiter.charge(10, 0, 0, false, 20), 16);
  assertEquals(limiter.charge(10, 0, 0, false), 6, "a wait for the part alone");
  assertEquals(limiter.charge(20, 0, 16, false), 0, "the whole passes when told");
});

Deno.test("RateLimiter: units given back are there to spend, up to the burst", () => {
  const options = { framesPerSecond: 1, burstFrames: 20, bytesPerSecond: 1, burstBytes: 1 };
  const limiter = new RateLimiter(options, 0);
  assertEquals(limiter.charge(20, 0, 0), 0);
  limiter.giveBack(10, 0);
  assertEquals(limiter.charge(10, 0, 0), 0);
  limiter.giveBack(50, 0);
  assertEquals(limiter.state().units, 20);
});
