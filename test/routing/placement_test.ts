import fc from "fast-check";
import { assert, assertEquals } from "../support/assert.ts";
import { HomeCache, Placement, shardOf, SlotMap, slotOf } from "../../src/routing/mod.ts";

Deno.test("placement: a network's first map keeps every key where shardOf put it", () => {
  fc.assert(
    fc.property(fc.string(), fc.constantFrom(1, 2, 3, 8, 12, 16, 1024), (key, shards) => {
      assertEquals(new Placement(shards).home(key), shardOf(key, shards));
    }),
  );
});

/** A map of 8 shards grown by one: the slots of shard 0 with `s mod 16 = 8` go to shard 8. */
function grownByOne(): { before: SlotMap; after: SlotMap; moved: Set<number> } {
  const before = SlotMap.initial(8);
  const moved = new Set(before.slotsOf(0).filter((s) => s % 16 === 8));
  return { before, after: before.assign(new Map([...moved].map((s) => [s, 8]))), moved };
}

Deno.test("placement: a newer map moves the keys of its moved slots, and only those", () => {
  const { after, moved } = grownByOne();
  const placement = new Placement(8);
  assert(placement.adopt(after));
  assertEquals([placement.version, placement.shards], [2, 9]);
  let seen = 0;
  for (let i = 0; i < 4_000; i++) {
    const key = `key-${i}`;
    const slot = slotOf(key);
    assertEquals(placement.home(key), moved.has(slot) ? 8 : shardOf(key, 8), key);
    if (moved.has(slot)) seen++;
  }
  assert(seen > 0, "some keys were in a moved slot");
});

Deno.test("placement: an older or equal map is left, and a network without slots adopts none", () => {
  const { before, after } = grownByOne();
  const placement = new Placement(8);
  assertEquals(placement.adopt(before), false, "the same version");
  placement.adopt(after);
  assertEquals(placement.adopt(before), false, "an older version");
  assertEquals(placement.version, 2);
  const modulo = new Placement(12); // 12 does not divide the 4,096 slots
  assertEquals([modulo.map, modulo.adopt(after), modulo.version], [undefined, false, 1]);
});

Deno.test("placement: a home cache that follows it forgets what it remembered when it moves", () => {
  const { after, moved } = grownByOne();
  const key = Array.from({ length: 4_000 }, (_, i) => `key-${i}`)
    .find((k) => moved.has(slotOf(k)))!;
  const placement = new Placement(8);
  const homes = new HomeCache(placement);
  assertEquals(homes.of(key), 0);
  placement.adopt(after);
  assertEquals(homes.known(key), undefined);
  assertEquals(homes.of(key), 8);
});
