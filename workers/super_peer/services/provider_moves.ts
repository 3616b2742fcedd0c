/**
 * Providers' part in a slot move: at a content's home, its provider records (and which of
 * them are away) are copied with the slot of the content's root; at a peer's home, the list of
 * what the peer provides is handed off as the peer's slot is released (its requests change it
 * until then).
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import type { SlotMover } from "../slot_moves.ts";
import { inPieces } from "../table_movers.ts";
import { deleteRows, insertRows } from "../moved_rows.ts";

/**
 * The key a content's home is found by: its root, in hex (a content id without its size).
 *
 * @example Usage
 * ```ts
 * import { rootKey } from "./provider_moves.ts";
 * console.assert(rootKey(`${"ab".repeat(32)}.1024`) === "ab".repeat(32));
 * ```
 */
export const rootKey = (root: string): string => root.slice(0, 64);

interface Leaving {
  provider: [string, string, number, number][];
  away: [string, string][];
}

/**
 * The providers' mover.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { providerMover } from "./provider_moves.ts";
 * export const mover = (sql: SqlStorage) => providerMover(sql);
 * ```
 *
 * @param sql The shard's SQLite, with the providers' tables.
 * @returns The mover.
 */
export function providerMover(sql: SqlStorage): SlotMover {
  const rowsIn = (inSlots: (key: string) => boolean): Leaving => ({
    provider: sql.exec<{ root: string; peer: string; pieces: number; expires: number }>(
      "SELECT root, peer, pieces, expires FROM provider",
    ).toArray().filter((r) => inSlots(rootKey(r.root)))
      .map((r) => [r.root, r.peer, r.pieces, r.expires]),
    away: sql.exec<{ root: string; peer: string }>("SELECT root, peer FROM provider_away")
      .toArray().filter((r) => inSlots(rootKey(r.root))).map((r) => [r.root, r.peer]),
  });
  const providingIn = (inSlots: (key: string) => boolean): [string, string, number][] =>
    sql.exec<{ peer: string; root: string; expires: number }>(
      "SELECT peer, root, expires FROM providing",
    ).toArray().filter((r) => inSlots(r.peer)).map((r) => [r.peer, r.root, r.expires]);
  return {
    name: "providers",
    leaving: (inSlots) => inPieces(rowsIn(inSlots)),
    arriving: (rows) => {
      for (const l of rows as Leaving[]) {
        insertRows(sql, "provider", ["root", "peer", "pieces", "expires"], l.provider);
        insertRows(sql, "provider_away", ["root", "peer"], l.away);
      }
    },
    // A peer's own list changes with its requests, read until it is sent away: it goes then.
    handOff: async (inSlots, send) => {
      const providing = providingIn(inSlots);
      if (providing.length > 0) await send(providing);
    },
    adopt: (rows) => {
      insertRows(sql, "providing", ["peer", "root", "expires"], rows as unknown[][]);
      return Promise.resolve((rows as unknown[]).length);
    },
    gone: (inSlots) => {
      const l = rowsIn(inSlots);
      deleteRows(sql, "provider", ["root", "peer"], l.provider);
      deleteRows(sql, "provider_away", ["root", "peer"], l.away);
      deleteRows(sql, "providing", ["peer", "root"], providingIn(inSlots));
    },
  };
}
