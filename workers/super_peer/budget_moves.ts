/**
 * The admission budgets' part in a slot move (`admission.ts`): each peer's budget (its bucket
 * and its relay quota) moves with the peer's slot, so that a peer sent to its new home finds
 * what it spent, not a full budget. The peer spends until it is sent away, so its budget is
 * handed off then, written down first; what is left in memory is dropped unwritten with the
 * slots.
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import type { SlotMover } from "./slot_moves.ts";
import { deleteRows, insertRows } from "./moved_rows.ts";

/**
 * The budgets' mover.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { budgetMover } from "./budget_moves.ts";
 * export const mover = (sql: SqlStorage) =>
 *   budgetMover(sql, { flush: () => {}, forget: () => {}, cooldown: () => 0 });
 * ```
 *
 * @param sql The shard's SQLite, with `peer_budget`.
 * @param admission What of the admission step it needs: write budgets down, drop some.
 * @returns The mover.
 */
export function budgetMover(
  sql: SqlStorage,
  admission: {
    flush(): void;
    forget(inSlots: (peer: string) => boolean): void;
    cooldown(peer: string, until?: number): number;
  },
): SlotMover {
  const rowsIn = (inSlots: (key: string) => boolean) =>
    sql.exec<{ peer: string; state: string }>("SELECT peer, state FROM peer_budget").toArray()
      .filter((r) => inSlots(r.peer)).map((r) => [r.peer, r.state]);
  return {
    name: "budgets",
    leaving: () => [],
    arriving: () => {},
    // Spent until the peer is sent away: handed off then, with until when it is refused for
    // flooding, if it is (a peer closed 4003 does not escape its cooldown by a move).
    handOff: async (inSlots, send) => {
      admission.flush();
      const rows = rowsIn(inSlots).map(([peer, state]) => [peer, state, admission.cooldown(peer)]);
      if (rows.length > 0) await send(rows);
    },
    adopt: (data) => {
      const rows = data as [string, string, number][];
      const moved = new Set(rows.map(([peer]) => peer));
      // What this shard made of them before (a peer that came early) is replaced.
      admission.forget((peer) => moved.has(peer));
      insertRows(sql, "peer_budget", ["peer", "state"], rows);
      for (const [peer, , until] of rows) admission.cooldown(peer, until);
      return Promise.resolve(moved.size);
    },
    gone: (inSlots) => {
      admission.forget(inSlots);
      deleteRows(sql, "peer_budget", ["peer"], rowsIn(inSlots));
    },
  };
}
