import { assertEquals } from "../support/assert.ts";
import { nextTurn } from "../../src/runtime/next_turn.ts";

Deno.test("nextTurn lets a task already waiting run first", async () => {
  const order: string[] = [];
  setTimeout(() => order.push("waiting"), 0);
  await nextTurn();
  order.push("mine");
  assertEquals(order, ["waiting", "mine"]);
});

Deno.test("nextTurn is not starved by a chain of microtasks after it", async () => {
  const order: string[] = [];
  const turned = nextTurn().then(() => order.push("turn"));
  for (let i = 0; i < 100; i++) await Promise.resolve();
  order.push("chain");
  await turned;
  assertEquals(order, ["chain", "turn"]);
});
