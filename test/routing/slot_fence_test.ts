import { SlotFence } from "../../src/routing/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

function throwsRange(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    assert(e instanceof RangeError, String(e));
    return;
  }
  throw new Error("did not throw");
}

Deno.test("SlotFence: work keyed in a frozen slot waits, and learns whether the slot left or stayed", async () => {
  const fence = new SlotFence();
  assertEquals([fence.anyFrozen, fence.standing(5)], [false, "held"]);
  assertEquals(await fence.settled(5), "held"); // not frozen: at once
  assertEquals(fence.freeze([5, 6, 7], 12), [5, 6, 7]);
  assertEquals(fence.freeze([5], 13), []); // frozen already, for 12
  assertEquals([fence.standing(6), fence.destination(6)], ["frozen", 12]);
  const order: string[] = [];
  const a = fence.settled(5).then((s) => order.push(`5:${s}`));
  const b = fence.settled(6).then((s) => order.push(`6:${s}`));
  const c = fence.settled(6).then((s) => order.push(`6:${s}`));
  await Promise.resolve();
  assertEquals([order.length, fence.waiting], [0, 3]);
  fence.release([6]);
  fence.thaw([5, 6]); // 6 is gone: thawing leaves it gone
  await Promise.all([a, b, c]);
  assertEquals(order.sort(), ["5:held", "6:gone", "6:gone"]);
  assertEquals([fence.standing(5), fence.standing(6), fence.standing(7)], [
    "held",
    "gone",
    "frozen",
  ]);
  assertEquals([fence.waiting, fence.anyFrozen], [0, true]); // 7 still frozen
  fence.release([7]);
  assertEquals(fence.anyFrozen, false); // gone slots need no gate
});

Deno.test("SlotFence: its rows bring it back after a restart; a slot given back is held again", () => {
  const fence = new SlotFence();
  fence.freeze([1, 2], 9);
  fence.release([2]);
  fence.release([3], 11); // given away without a freeze (a map that moved it meanwhile)
  const again = new SlotFence(fence.rows());
  assertEquals(again.rows().sort((x, y) => x.slot - y.slot), [
    { slot: 1, state: "frozen", to: 9 },
    { slot: 2, state: "gone", to: 9 },
    { slot: 3, state: "gone", to: 11 },
  ]);
  again.reclaim([2]);
  assertEquals(again.standing(2), "held");
  throwsRange(() => again.freeze([4096], 1));
  throwsRange(() => again.release([9])); // no home to send work to
});
