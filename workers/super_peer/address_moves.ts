/**
 * The address gate's part in a slot move (`address_gate.ts`): an address's connections and
 * its buckets (hellos, HTTP work, faucet payments) move with the slot of the address's key,
 * so that its limits hold across the move.
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import type { SlotMover } from "./slot_moves.ts";
import { inPieces } from "./table_movers.ts";
import { deleteRows, insertRows } from "./moved_rows.ts";

/**
 * The key an address's home is found by (`addressHome`).
 *
 * @example Usage
 * ```ts
 * import { addressKey } from "./address_moves.ts";
 * console.assert(addressKey("203.0.113.9") === "address:203.0.113.9");
 * ```
 *
 * @param address The client address.
 * @returns Its key.
 */
export function addressKey(address: string): string {
  return `address:${address}`;
}

// A bucket's key is `<kind>/<address>`.
const bucketAddress = (key: string) => key.slice(key.indexOf("/") + 1);

interface Leaving {
  peers: [string, string][];
  buckets: [string, string][];
}

/**
 * The address gate's mover.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { addressMover } from "./address_moves.ts";
 * export const mover = (sql: SqlStorage) => addressMover(sql);
 * ```
 *
 * @param sql The shard's SQLite, with the gate's tables.
 * @returns The mover.
 */
export function addressMover(sql: SqlStorage): SlotMover {
  const rowsIn = (inSlots: (key: string) => boolean): Leaving => ({
    peers: sql.exec<{ address: string; peer: string }>("SELECT address, peer FROM address_peer")
      .toArray().filter((r) => inSlots(addressKey(r.address))).map((r) => [r.address, r.peer]),
    buckets: sql.exec<{ key: string; state: string }>("SELECT key, state FROM address_budget")
      .toArray().filter((r) => inSlots(addressKey(bucketAddress(r.key))))
      .map((r) => [r.key, r.state]),
  });
  return {
    name: "addresses",
    leaving: (inSlots) => inPieces(rowsIn(inSlots)),
    arriving: (rows) => {
      for (const l of rows as Leaving[]) {
        insertRows(sql, "address_peer", ["address", "peer"], l.peers, "IGNORE");
        insertRows(sql, "address_budget", ["key", "state"], l.buckets);
      }
    },
    gone: (inSlots) => {
      const l = rowsIn(inSlots);
      deleteRows(sql, "address_peer", ["address", "peer"], l.peers);
      deleteRows(sql, "address_budget", ["key"], l.buckets);
    },
  };
}
