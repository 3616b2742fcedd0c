import { planGrowth, type SlotMove } from "../../src/routing/growth_plan.ts";
import { nextGrowthStep } from "../../src/routing/growth_step.ts";
import { SLOT_COUNT } from "../../src/routing/slot.ts";
import { SlotMap } from "../../src/routing/slot_map.ts";
import { assert, assertEquals } from "../support/assert.ts";

function moves(plan: ReturnType<typeof planGrowth>): SlotMove[] {
  assert(Array.isArray(plan), JSON.stringify(plan));
  return plan;
}

Deno.test("growth plan: 8 → 16 splits each shard in two, one slot from each in turn", () => {
  const eight = SlotMap.initial(8);
  const plan = moves(planGrowth(eight, 16));
  assertEquals(plan.length, SLOT_COUNT / 2);
  for (const m of plan) {
    assertEquals([m.from, m.to], [eight.shardOfSlot(m.slot), m.from + 8], `slot ${m.slot}`);
  }
  // Spread over the giving shards: the first eight moves come from eight different shards.
  assertEquals(plan.slice(0, 8).map((m) => m.from), [0, 1, 2, 3, 4, 5, 6, 7]);
  assertEquals(new Set(plan.map((m) => m.slot)).size, plan.length, "no slot twice");
  // Applied, the plan gives the first map of 16 shards.
  const done = eight.assign(new Map(plan.map((m) => [m.slot, m.to])));
  for (let s = 0; s < SLOT_COUNT; s++) assertEquals(done.shardOfSlot(s), s % 16);
  assertEquals(moves(planGrowth(done, 16)), [], "nothing left");
});

Deno.test("growth plan: 8 → 32 moves three slots of four, none between old shards", () => {
  const plan = moves(planGrowth(SlotMap.initial(8), 32));
  assertEquals(plan.length, SLOT_COUNT * 3 / 4);
  for (const m of plan) assert(m.to >= 8 && m.to % 8 === m.from, JSON.stringify(m));
});

Deno.test("growth plan: made again part-way, it lists only what is left, in any phase", () => {
  const eight = SlotMap.initial(8);
  const plan = moves(planGrowth(eight, 16));
  for (const done of [1, 1000, 1500, plan.length - 1]) {
    // Past half-way the map is written against the new modulo: the plan still finds its way.
    const part = eight.assign(new Map(plan.slice(0, done).map((m) => [m.slot, m.to])));
    const rest = moves(planGrowth(part, 16));
    assertEquals(rest.length, plan.length - done, `after ${done}`);
    assertEquals(new Set(rest.map((m) => m.slot)), new Set(plan.slice(done).map((m) => m.slot)));
  }
});

Deno.test("growth plan: a count that is not a multiple, or a map mid-way elsewhere, is refused", () => {
  const eight = SlotMap.initial(8);
  for (const to of [12, 24, 4, 0, 2048, 1.5]) {
    const plan = planGrowth(eight, to);
    assert(!Array.isArray(plan), `to ${to}`);
    assertEquals(plan.code, "BAD_GROWTH", `to ${to}`);
  }
  // A slot moved between two old shards fits no growth to 16.
  const part = eight.assign(new Map([[8, 8], [9, 3]]));
  const other = planGrowth(part, 16);
  assert(!Array.isArray(other), "slot 9 moved between two old shards");
  assertEquals(other.code, "BAD_GROWTH");
});

Deno.test("growth plan: a map already there needs no move, one shard included", () => {
  assertEquals(moves(planGrowth(SlotMap.initial(1), 1)), []);
  assertEquals(moves(planGrowth(SlotMap.initial(16), 16)), []);
  assertEquals(moves(planGrowth(SlotMap.initial(1), 2)).length, SLOT_COUNT / 2);
});

Deno.test("nextGrowthStep: slots between one pair of shards, the rest left for the next steps", () => {
  let map = SlotMap.initial(8);
  const seen = new Set<number>();
  for (let steps = 0;; steps++) {
    const step = nextGrowthStep(map, 16, 100);
    if (step === null) {
      assertEquals([steps, seen.size], [Math.ceil(256 / 100) * 8, 2048]);
      break;
    }
    assert("slots" in step);
    assert(step.slots.length <= 100 && step.to === step.from + 8);
    for (const s of step.slots) {
      assertEquals([map.shardOfSlot(s), s % 16], [step.from, step.to]);
      assert(!seen.has(s));
      seen.add(s);
    }
    map = map.assign(new Map(step.slots.map((s) => [s, step.to])));
  }
  const bad = nextGrowthStep(SlotMap.initial(8), 12, 10);
  assert(bad !== null && "code" in bad && bad.code === "BAD_GROWTH");
});
