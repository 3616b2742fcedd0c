import { assertEquals } from "../support/assert.ts";
import { pacedSteps, runSteps, type Steps } from "../../src/runtime/steps.ts";

function* three(log: string[]): Steps<number> {
  log.push("a");
  yield;
  log.push("b");
  yield;
  log.push("c");
  return 3;
}

Deno.test("runSteps runs every step at once", () => {
  const log: string[] = [];
  assertEquals(runSteps(three(log)), 3);
  assertEquals(log, ["a", "b", "c"]);
});

Deno.test("pacedSteps runs the first step in the caller's turn, and gives the loop back between", async () => {
  const log: string[] = [];
  setTimeout(() => log.push("timer"), 0);
  const done = pacedSteps(three(log));
  log.push("called");
  assertEquals(await done, 3);
  // The first step ran before the call returned; the timer ran between two later steps.
  assertEquals(log.slice(0, 2), ["a", "called"]);
  assertEquals(log.indexOf("timer") > 1 && log.indexOf("timer") < log.indexOf("c"), true);
});
