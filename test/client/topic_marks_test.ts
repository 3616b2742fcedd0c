import fc from "fast-check";
import { TopicMarks } from "../../src/client/topic_marks.ts";
import { TOPIC_MARKS, TOPIC_REORDER_WINDOW } from "../../src/seal/seal_bounds.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("TopicMarks: each number once; a late one within the window too, an older one never", () => {
  const marks = new TopicMarks();
  assertEquals(
    [1, 1, 3, 2, 2, 4].map((n) => marks.take("t", "a", n)),
    [true, false, true, true, false, true],
  );
  const high = 4 + TOPIC_REORDER_WINDOW + 10;
  assert(marks.take("t", "a", high));
  assert(marks.take("t", "a", high - TOPIC_REORDER_WINDOW), "the oldest the window holds");
  assert(!marks.take("t", "a", high - TOPIC_REORDER_WINDOW - 1), "past the window");
  // Another publisher, or the same on another topic, has its own numbers.
  assert(marks.take("t", "b", 1) && marks.take("u", "a", 1));
});

Deno.test("TopicMarks: any order of numbers within the window is taken exactly once each", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 300 }),
      (ns) => {
        const marks = new TopicMarks();
        const seen = new Set<number>();
        let high = 0;
        for (const n of ns) {
          const expected = !seen.has(n) && n > high - 1 - TOPIC_REORDER_WINDOW;
          assertEquals(marks.take("t", "a", n), expected, `${n} after ${[...seen]}`);
          if (expected) seen.add(n);
          high = Math.max(high, n);
        }
      },
    ),
  );
});

Deno.test("TopicMarks: bounded, the least recently moved forgotten first", () => {
  const marks = new TopicMarks(2);
  marks.take("t", "a", 5);
  marks.take("t", "b", 5);
  marks.take("t", "a", 6); // a moved last: b goes first
  marks.take("t", "c", 1);
  assertEquals(marks.entries().map(([k]) => k), ["t\na", "t\nc"]);
  assert(marks.take("t", "b", 5), "b was forgotten");
  assertEquals(TOPIC_MARKS, 65_536);
});

Deno.test("TopicMarks: restored marks count everything below as taken; changes are said", () => {
  const marks = new TopicMarks();
  let changes = 0;
  marks.changed = () => changes++;
  marks.take("t", "a", 9);
  marks.restore([["t\na", 4], ["t\nb", 7]]);
  assertEquals(changes, 1, "a restore is no change to save");
  assert(!marks.take("t", "b", 7) && !marks.take("t", "b", 6), "kept before the restart");
  assert(marks.take("t", "b", 8) && marks.take("t", "a", 8), "a late one of a live mark");
  assertEquals(changes, 3);
});
