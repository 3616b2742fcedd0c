import { TopicMarks } from "../../src/client/topic_marks.ts";
import { TOPIC_MARKS } from "../../src/seal/seal_bounds.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("TopicMarks: a number is taken once, and never one below the last", () => {
  const marks = new TopicMarks();
  assertEquals(
    [1, 1, 3, 2, 4].map((n) => marks.take("t", "a", n)),
    [true, false, true, false, true],
  );
  // Another publisher, or the same on another topic, has its own numbers.
  assert(marks.take("t", "b", 1) && marks.take("u", "a", 1));
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

Deno.test("TopicMarks: restored marks hold, a higher one here stays, and changes are said", () => {
  const marks = new TopicMarks();
  let changes = 0;
  marks.changed = () => changes++;
  marks.take("t", "a", 9);
  marks.restore([["t\na", 4], ["t\nb", 7]]);
  assertEquals(changes, 1, "a restore is no change to save");
  assert(!marks.take("t", "a", 8) && !marks.take("t", "b", 7) && marks.take("t", "b", 8));
  assertEquals(changes, 2);
});
