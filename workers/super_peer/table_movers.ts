/**
 * How a room's rows are shaped to travel with a slot: a table of two columns moved whole
 * ({@linkcode pairTableMover}), and a room's rows of several tables cut into pieces that a page
 * of an export can end between ({@linkcode inPieces}).
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import type { SlotMover } from "./slot_moves.ts";
import { deleteRows, insertRows } from "./moved_rows.ts";

/**
 * A mover for a table of two columns keyed by the first (a peer, a hash): its rows in the
 * slots leave as `[key, value]` pairs, arrive replacing what the destination had, and are
 * deleted at the source.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import { pairTableMover } from "./table_movers.ts";
 * export function presence(ctx: DurableObjectState) {
 *   return pairTableMover(ctx.storage.sql, "presence", "peer_seen", ["peer", "last_seen"]);
 * }
 * ```
 *
 * @param sql The object's SQLite storage.
 * @param name The room's name.
 * @param table The table.
 * @param columns Its key column and its value column.
 * @param alsoLeaving Pairs that leave without a row of their own (made from other state).
 * @returns The mover.
 */
export function pairTableMover(
  sql: DurableObjectState["storage"]["sql"],
  name: string,
  table: string,
  columns: readonly [key: string, value: string],
  alsoLeaving: (inSlots: (key: string) => boolean) => unknown[][] = () => [],
): SlotMover {
  const [key, value] = columns;
  // In the table's order, so that a page of an export asked again after a restart starts
  // where it did.
  const keysIn = (inSlots: (key: string) => boolean) =>
    sql.exec<Record<string, string | number>>(
      `SELECT ${key} AS k, ${value} AS v FROM ${table} ORDER BY ${key}`,
    ).toArray().filter((r) => inSlots(String(r.k)));
  return {
    name,
    leaving: (inSlots) => [...keysIn(inSlots).map((r) => [r.k, r.v]), ...alsoLeaving(inSlots)],
    arriving: (rows) => insertRows(sql, table, columns, rows as unknown[][]),
    gone: (inSlots) => deleteRows(sql, table, [key], keysIn(inSlots).map((r) => [r.k])),
  };
}

/** Rows of one table in a piece of {@linkcode inPieces}. */
const PIECE_ROWS = 1_000;

/**
 * A room's rows of several tables, as pieces of at most 1,000 rows of one table each, for a
 * room whose `arriving` takes each piece in turn: a page of an export ends between pieces, so
 * that no room goes in one piece whatever it holds (a shard's provider records, up to
 * `MAX_PROVIDER_RECORDS_PER_SHARD`, could all be in one step's slots).
 *
 * @example Usage
 * ```ts
 * import { inPieces } from "./table_movers.ts";
 * const pieces = inPieces({ peers: [["a", "1"]], buckets: [] as [string, string][] });
 * console.assert(pieces.length === 1 && pieces[0].peers.length === 1);
 * ```
 *
 * @param tables The rows, by table.
 * @returns The pieces, each with every table (all but one empty); one for no rows.
 */
export function inPieces<T extends { [K in keyof T]: unknown[] }>(tables: T): T[] {
  const none = Object.fromEntries(Object.keys(tables).map((k) => [k, []])) as unknown as T;
  const out: T[] = [];
  for (const [name, rows] of Object.entries(tables) as [string, unknown[]][]) {
    for (let i = 0; i < rows.length; i += PIECE_ROWS) {
      out.push({ ...none, [name]: rows.slice(i, i + PIECE_ROWS) });
    }
  }
  return out.length > 0 ? out : [none];
}
