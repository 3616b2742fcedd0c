import { backoffDelay, MessageStream } from "../../src/client/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("backoffDelay() grows by the factor, is capped, and is jittered by half", () => {
  const o = { minDelayMs: 100, maxDelayMs: 1000, factor: 2 };
  assertEquals([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, o, () => 0)), [
    50,
    100,
    200,
    400,
    500,
    500,
  ]);
  assertEquals([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, o, () => 0.999999)), [
    100,
    200,
    400,
    800,
    1000,
    1000,
  ]);
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(3, o);
    assert(d >= 400 && d <= 800);
  }
});

Deno.test("MessageStream hands items to waiting readers, buffers up to its cap, and ends", async () => {
  const s = new MessageStream<number>(2);
  const waiting = s.next();
  s.push(1);
  assertEquals(await waiting, { value: 1, done: false });
  assert(s.push(2));
  assert(s.push(3));
  assert(!s.push(4));
  assertEquals(s.dropped, 1);
  s.end();
  const rest: number[] = [];
  for await (const n of s) rest.push(n);
  assertEquals(rest, [2, 3]);
  assert(!s.push(5));
});
