// A bounded map: what a sealer keeps per remote peer.
import { assert, assertEquals } from "../support/assert.ts";
import { Lru } from "../../src/seal/lru.ts";

Deno.test("Lru: keeps the most recently used, at most the cap", () => {
  const lru = new Lru<string, number>(3);
  for (const k of ["a", "b", "c"]) lru.set(k, k.charCodeAt(0));
  lru.get("a"); // now the most recently used
  lru.set("d", 0);
  assertEquals([lru.get("a"), lru.get("b"), lru.get("c"), lru.get("d")], [97, undefined, 99, 0]);
  lru.set("c", 1); // a key set again is not counted twice
  assertEquals(lru.size, 3);
  let threw = false;
  try {
    new Lru(0);
  } catch (e) {
    threw = e instanceof RangeError;
  }
  assert(threw, "a cap below 1 is refused");
});
