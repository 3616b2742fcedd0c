import { Liveness } from "../../../src/client/direct/liveness.ts";
import { DIRECT_KEEPALIVE_MS, DIRECT_SILENCE_MS } from "../../../src/client/constants.ts";
import { assertEquals } from "../../support/assert.ts";

function clock() {
  const c = { now: 0, pings: 0 };
  const live = new Liveness(() => c.pings++, () => c.now);
  return { c, live };
}

Deno.test("liveness: a channel that talks is never pinged", () => {
  const { c, live } = clock();
  for (let t = 0; t < 60_000; t += 250) {
    c.now = t;
    live.heard();
    assertEquals(live.tick(), "alive");
  }
  assertEquals(c.pings, 0);
});

Deno.test("liveness: quiet, it pings once and is lost when no answer comes", () => {
  const { c, live } = clock();
  c.now = DIRECT_KEEPALIVE_MS - 1;
  assertEquals([live.tick(), c.pings], ["alive", 0]);
  c.now = DIRECT_KEEPALIVE_MS;
  assertEquals([live.tick(), c.pings], ["alive", 1]);
  c.now += DIRECT_SILENCE_MS - 1;
  assertEquals([live.tick(), c.pings], ["alive", 1], "one ping outstanding at a time");
  c.now += 1;
  assertEquals(live.tick(), "lost");
});

Deno.test("liveness: an answer clears the ping", () => {
  const { c, live } = clock();
  c.now = DIRECT_KEEPALIVE_MS;
  live.tick();
  c.now += 10;
  live.heard();
  c.now += DIRECT_SILENCE_MS * 2;
  assertEquals([live.tick(), c.pings], ["alive", 2], "quiet again: a new ping, not lost");
});

Deno.test("liveness: a tick a minute late (a throttled tab) pings, and does not call it lost", () => {
  const { c, live } = clock();
  c.now = 60_000;
  assertEquals([live.tick(), c.pings], ["alive", 1]);
  c.now += 5;
  live.heard(); // the pong
  c.now += 60_000;
  assertEquals([live.tick(), c.pings], ["alive", 2]);
});
