import { Liveness, LIVENESS_TICK_MS } from "../../../src/client/direct/liveness.ts";
import { DIRECT_KEEPALIVE_MS, DIRECT_SILENCE_MS } from "../../../src/client/constants.ts";
import { assert, assertEquals } from "../../support/assert.ts";

/** A channel's liveness on a clock the test moves, its other side known to keep the keepalive. */
function clock(speaks = true) {
  const c = { now: 0, pings: 0 };
  const live = new Liveness(() => c.pings++, () => c.now);
  if (speaks) live.heard(true);
  /** Ticks on time until `until`; the first `lost`, or `alive`. */
  const run = (until: number, sent = false) => {
    while (c.now + LIVENESS_TICK_MS <= until) {
      c.now += LIVENESS_TICK_MS;
      if (live.tick(sent) === "lost") return "lost";
    }
    return "alive";
  };
  return { c, live, run };
}

Deno.test("liveness: a channel that talks is never pinged", () => {
  const { c, live } = clock();
  for (let t = LIVENESS_TICK_MS; t < 60_000; t += LIVENESS_TICK_MS) {
    c.now = t;
    live.heard();
    assertEquals(live.tick(true), "alive");
  }
  assertEquals(c.pings, 0);
});

Deno.test("liveness: quiet, it pings once and is lost when no answer comes", () => {
  const { c, run } = clock();
  assertEquals([run(DIRECT_KEEPALIVE_MS - 1), c.pings], ["alive", 0]);
  assertEquals([run(DIRECT_KEEPALIVE_MS), c.pings], ["alive", 1]);
  const pingAt = c.now;
  assertEquals(run(pingAt + DIRECT_SILENCE_MS - 1), "alive");
  assertEquals(c.pings, 1, "one ping outstanding at a time");
  assertEquals(run(pingAt + DIRECT_SILENCE_MS), "lost");
});

Deno.test("liveness: an answer clears the ping", () => {
  const { c, live, run } = clock();
  run(DIRECT_KEEPALIVE_MS);
  live.heard(true);
  assertEquals(run(c.now + DIRECT_SILENCE_MS + DIRECT_KEEPALIVE_MS - LIVENESS_TICK_MS), "alive");
  assertEquals(c.pings, 2, "quiet again: a new ping, not lost");
});

Deno.test("liveness: a check that ran late (a stalled loop, a throttled tab) counts again", () => {
  const { c, live, run } = clock();
  run(DIRECT_KEEPALIVE_MS); // the ping
  c.now += 60_000; // a minute without a check: no answer could have been read meanwhile
  assertEquals(live.tick(false), "alive");
  assertEquals(run(c.now + DIRECT_SILENCE_MS - LIVENESS_TICK_MS), "alive");
  assertEquals(run(c.now + DIRECT_SILENCE_MS), "lost", "a full window on time, unanswered");
});

Deno.test("liveness: a side never heard to keep the keepalive (an older client) is not lost", () => {
  const { c, run } = clock(false);
  assertEquals(run(120_000), "alive");
  assert(c.pings >= 1);
});

Deno.test("liveness: a side that only receives answers unasked once it sent nothing for a while", () => {
  const { live } = clock();
  live.tick(true);
  assertEquals(live.nudge(), false, "it just sent");
  live.tick(false);
  assertEquals(live.nudge(), false);
  live.tick(false);
  assertEquals(live.nudge(), true, "two checks without sending");
  assertEquals(live.nudge(), false, "once, then quiet again");
});
