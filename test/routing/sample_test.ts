import { sampleOf } from "../../src/routing/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import fc from "fast-check";

Deno.test("sampleOf() draws distinct items from the input, as many as asked or all", () => {
  fc.assert(fc.property(fc.uniqueArray(fc.integer()), fc.integer({ min: -3, max: 50 }), (xs, n) => {
    const input = [...xs];
    const got = sampleOf(input, n);
    assertEquals(got.length, Math.max(0, Math.min(n, xs.length)));
    assertEquals(new Set(got).size, got.length);
    assert(got.every((x) => xs.includes(x)));
    assertEquals([...input].sort(), [...xs].sort(), "the input is only reordered");
  }));
});

Deno.test("sampleOf() reaches every item: each of 10 is drawn in 1 of 10 single draws", () => {
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 10_000; i++) counts[sampleOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1)[0]]++;
  // Expected 1,000 each; 800 is more than 6 standard deviations away.
  assert(counts.every((c) => c > 800 && c < 1_200), JSON.stringify(counts));
});
