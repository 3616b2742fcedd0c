/**
 * Which slots move when a network grows: the plan the move engine follows, slot by slot.
 *
 * A network grows from one power of two to a larger one (8 → 16, 8 → 32): slot `s` ends on
 * shard `s mod to`, so each old shard keeps the slots it still owns and gives the others to new
 * shards only; no slot moves between two old shards. The plan takes one slot from each giving
 * shard in turn, so that the copying is spread over every old shard rather than draining one
 * first. A plan made again from a map part-way through the same growth lists only the slots
 * still to move: a restart resumes where the published map says it is.
 *
 * @module
 */
import { MAX_SHARDS } from "./shard.ts";
import { placesBySlot, SLOT_COUNT } from "./slot.ts";
import type { SlotMap } from "./slot_map.ts";

/** One slot to move. */
export interface SlotMove {
  /** The slot. */
  slot: number;
  /** The shard that holds it now. */
  from: number;
  /** The shard that will. */
  to: number;
}

/** Why a growth cannot be planned. */
export interface GrowthRefusal {
  /** Always `false`. */
  ok: false;
  /** Always `BAD_GROWTH`. */
  code: "BAD_GROWTH";
  /** What is wrong. */
  message: string;
}

/**
 * The slots to move, in order, to grow a network to `to` shards.
 *
 * @example Usage
 * ```ts
 * import { planGrowth } from "./growth_plan.ts";
 * import { SlotMap } from "./slot_map.ts";
 * const plan = planGrowth(SlotMap.initial(8), 16);
 * console.assert(Array.isArray(plan) && plan.length === 2048 && plan[0].to === plan[0].from + 8);
 * ```
 *
 * @param map The map in force.
 * @param to The shard count to grow to: a power of two, larger than the map's.
 * @returns The moves (none when the map is there already), or `BAD_GROWTH`.
 */
export function planGrowth(map: SlotMap, to: number): SlotMove[] | GrowthRefusal {
  const bad = (message: string): GrowthRefusal => ({ ok: false, code: "BAD_GROWTH", message });
  if (!placesBySlot(to) || to > MAX_SHARDS) {
    return bad(`A network grows to a power of two up to ${MAX_SHARDS} shards, not ${to}`);
  }
  // Whether every slot sits where `to` puts it or where `n` did.
  const between = (n: number) => {
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const now = map.shardOfSlot(slot);
      if (now !== slot % to && now !== slot % n) return false;
    }
    return true;
  };
  if (between(to)) return [];
  // The layout the growth starts from: a smaller power of two on whose modulo every slot not
  // yet moved still sits (the map's own modulo when nothing has moved).
  let from = to / 2;
  while (from >= 1 && !between(from)) from /= 2;
  if (from < 1) {
    return bad(
      `The map is not on its way from a smaller power of two to ${to}: another change is under way, or ${to} is fewer shards than it has`,
    );
  }
  const bySource = new Map<number, SlotMove[]>();
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const now = map.shardOfSlot(slot);
    if (now === slot % to) continue;
    const moves = bySource.get(now) ?? [];
    moves.push({ slot, from: now, to: slot % to });
    bySource.set(now, moves);
  }
  // One slot from each giving shard in turn.
  const queues = [...bySource.entries()].sort(([a], [b]) => a - b).map(([, q]) => q);
  const plan: SlotMove[] = [];
  for (let i = 0; plan.length < queues.reduce((n, q) => n + q.length, 0); i++) {
    for (const q of queues) if (i < q.length) plan.push(q[i]);
  }
  return plan;
}
