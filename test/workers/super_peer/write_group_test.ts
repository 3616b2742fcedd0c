import { WriteGroup } from "../../../workers/super_peer/write_group.ts";
import { assert, assertEquals } from "../../support/assert.ts";

Deno.test("WriteGroup runs the writes of one moment together, in order, and settles each", async () => {
  const ran: string[] = [];
  const group = new WriteGroup(20);
  const settled: string[] = [];
  const a = group.write(() => ran.push("a")).then(() => settled.push("a"));
  const b = group.write(() => {
    throw new Error("disk full");
  }).then(() => settled.push("b"), (e) => settled.push(`b: ${e.message}`));
  const c = group.write(() => ran.push("c")).then(() => settled.push("c"));
  // Nothing runs before the moment is over.
  await new Promise((r) => setTimeout(r, 5));
  assertEquals([ran, group.waiting], [[], 3]);
  await Promise.all([a, b, c]);
  assertEquals(ran, ["a", "c"]);
  assertEquals(settled, ["a", "b: disk full", "c"]);
  assertEquals(group.waiting, 0);
});

Deno.test("WriteGroup.flush() runs what waits at once, for a read that needs it", async () => {
  const ran: number[] = [];
  const group = new WriteGroup(60_000);
  const stored = group.write(() => ran.push(1));
  group.flush();
  assertEquals(ran, [1]);
  await stored;
  // A later write starts a new moment of its own.
  const again = group.write(() => ran.push(2));
  assert(group.waiting === 1);
  group.flush();
  await again;
  assertEquals(ran, [1, 2]);
});

Deno.test("WriteGroup: a write that reads sees those before it, and returns what it decided", async () => {
  const rows: string[] = [];
  const group = new WriteGroup(20);
  // A bound of two rows, checked inside each write: the third is refused, whichever event
  // queued it.
  const put = (row: string) =>
    group.write(() => {
      if (rows.length >= 2) return "FULL";
      rows.push(row);
      return "stored";
    });
  const outcomes = await Promise.all([put("a"), put("b"), put("c")]);
  assertEquals(outcomes, ["stored", "stored", "FULL"]);
  assertEquals(rows, ["a", "b"]);
});
