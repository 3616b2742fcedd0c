/**
 * One step of a growth, as the map's keeper takes it: a few slots from one shard to another,
 * moved together through the phases of a move. Made again from the map in force at any time,
 * it lists only the slots still to move, so a keeper that restarts takes up where the map says
 * it is, at the step's first phase (each phase may be done again).
 *
 * @module
 */
import { type GrowthRefusal, planGrowth } from "./growth_plan.ts";
import type { SlotMap } from "./slot_map.ts";

/**
 * The phases of a step, in order: the source freezes the slots (work keyed in them waits), their
 * state is copied to the destination, the keeper publishes the map that gives them to it, and
 * the source releases them (what waited is answered `MOVED`; their rows are dropped there).
 */
export const GROWTH_PHASES = ["freeze", "copy", "publish", "release"] as const;

/** A phase of a step. */
export type GrowthPhase = (typeof GROWTH_PHASES)[number];

/** Slots moving together from one shard to another. */
export interface GrowthStep {
  /** The slots, in the plan's order. */
  slots: number[];
  /** The shard that holds them. */
  from: number;
  /** The shard that will. */
  to: number;
}

/**
 * The next step of growing the network to `to` shards: the plan's first slot, and up to `most`
 * slots in all that move between the same two shards.
 *
 * @example Usage
 * ```ts
 * import { nextGrowthStep } from "./growth_step.ts";
 * import { SlotMap } from "./slot_map.ts";
 * const step = nextGrowthStep(SlotMap.initial(8), 16, 32);
 * console.assert(step !== null && "slots" in step && step.slots.length === 32);
 * console.assert(nextGrowthStep(SlotMap.initial(16), 16, 32) === null); // there already
 * ```
 *
 * @param map The map in force.
 * @param to The shard count to grow to.
 * @param most The most slots in one step.
 * @returns The step; `null` when the map is there already; or `BAD_GROWTH`.
 */
export function nextGrowthStep(
  map: SlotMap,
  to: number,
  most: number,
): GrowthStep | null | GrowthRefusal {
  const plan = planGrowth(map, to);
  if (!Array.isArray(plan)) return plan;
  if (plan.length === 0) return null;
  const [first] = plan;
  const slots = plan
    .filter((m) => m.from === first.from && m.to === first.to)
    .slice(0, Math.max(1, most))
    .map((m) => m.slot);
  return { slots, from: first.from, to: first.to };
}
