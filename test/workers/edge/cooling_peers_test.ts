import {
  CoolingPeers,
  noteCoolingAnswer,
  refuseCooling,
} from "../../../workers/edge/cooling_peers.ts";
import { assertEquals, assertRejects } from "../../support/assert.ts";

Deno.test("cooling peers: a peer waits until its time, then is forgotten", () => {
  const cooling = new CoolingPeers();
  const now = Date.now();
  cooling.note("a", now + 1_000);
  assertEquals([cooling.wait("a", now), cooling.wait("b", now)], [1_000, 0]);
  assertEquals([cooling.wait("a", now + 1_000), cooling.size], [0, 0]);
});

Deno.test("cooling peers: bounded, expired entries first, then the oldest", () => {
  const cooling = new CoolingPeers(3);
  const now = Date.now();
  cooling.note("old", now - 1);
  cooling.note("a", now + 5_000);
  cooling.note("b", now + 5_000);
  cooling.note("c", now + 5_000); // full: the expired one goes
  assertEquals([cooling.size, cooling.wait("a", now) > 0], [3, true]);
  cooling.note("d", now + 5_000); // full, none expired: the oldest goes
  assertEquals([cooling.size, cooling.wait("a", now), cooling.wait("d", now) > 0], [3, 0, true]);
});

Deno.test("cooling peers: a home's 429 is remembered; one whose body is not JSON passes as it came", async () => {
  const named = new Response(JSON.stringify({ code: "RATE_LIMITED", retryAfter: 60_000 }), {
    status: 429,
  });
  assertEquals((await noteCoolingAnswer("named", named)).status, 429);
  await assertRejects(Promise.resolve().then(() => refuseCooling("named")));
  const garbled = await noteCoolingAnswer("garbled", new Response("<html>", { status: 429 }));
  assertEquals([garbled.status, await garbled.text()], [429, "<html>"]);
  refuseCooling("garbled"); // nothing was remembered: no throw
});
