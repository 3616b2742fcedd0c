import fc from "fast-check";
import { JSON_BIND_CHARS, jsonRuns } from "../../src/ledger/sql_database.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("jsonRuns: the whole array as one run when it fits, none for none", () => {
  assertEquals(jsonRuns([]), []);
  const rows = [["a", "1", 0], ["b", "2", 1]];
  assertEquals(jsonRuns(rows), [JSON.stringify(rows)]);
});

Deno.test("jsonRuns: runs within the bound, in order, every item once", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.string({ unit: "binary" }), fc.array(fc.string(), { maxLength: 3 }))),
      fc.integer({ min: 2, max: 64 }),
      (items, max) => {
        const runs = jsonRuns(items, max);
        assertEquals(runs.flatMap((r) => JSON.parse(r)), JSON.parse(JSON.stringify(items)));
        for (const run of runs) {
          // A run over the bound holds one item, too long for any run.
          assert(run.length <= max || JSON.parse(run).length === 1, `${run.length} > ${max}`);
        }
      },
    ),
  );
});

Deno.test("jsonRuns: a slot's mail past SQLite's bound on a bound string goes in runs under it", () => {
  // 3 bytes of UTF-8 a character: the bound keeps each run under 2 MB of UTF-8.
  const mail = Array.from({ length: 200 }, (_, k) => [`mid-${k}`, "€".repeat(10_000)]);
  const runs = jsonRuns(mail);
  assert(runs.length >= 4, `${runs.length} runs`);
  for (const run of runs) assert(new TextEncoder().encode(run).length < 2_000_000);
  assert(JSON_BIND_CHARS * 3 < 2_000_000);
});
