/**
 * The mailbox's part in a slot move: the mail and notices waiting for the peers homed in the
 * moving slots, and the record of which of them were seen online, leave with them. The
 * counts the mailbox's bounds read follow by themselves (`mailbox_counts.ts`): their triggers
 * count each row in where it arrives and out where it is dropped.
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import type { SlotMover } from "../slot_moves.ts";
import { deleteRows, insertRows } from "../moved_rows.ts";

// Every column, in this order, as the rows travel.
const NAMES = [
  "mid",
  "recipient",
  "kind",
  "body",
  "sender",
  "notify",
  "expires",
  "sent",
  "address",
  "seen",
] as const;
const COLUMNS = NAMES.join(", ");

/** What leaves: the mailbox's rows and the peers seen online, each as an array of columns. */
interface Leaving {
  mail: unknown[][];
  seen: unknown[][];
}

/**
 * The mailbox's mover.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { mailboxMover } from "./mailbox_moves.ts";
 * export function mover(sql: SqlStorage) {
 *   return mailboxMover(sql, () => {});
 * }
 * ```
 *
 * @param sql The shard's SQLite, with the mailbox's tables.
 * @param arrived Told when the earliest expiry of the mail that arrived is (its sweep is due).
 * @returns The mover.
 */
export function mailboxMover(sql: SqlStorage, arrived: (expires: number) => void): SlotMover {
  const recipientsIn = (inSlots: (key: string) => boolean) =>
    sql.exec<{ r: string }>("SELECT DISTINCT recipient AS r FROM mailbox").toArray()
      .map((row) => row.r).filter(inSlots);
  const seenIn = (inSlots: (key: string) => boolean) =>
    sql.exec<{ peer: string; at: number }>("SELECT peer, at FROM mail_seen").toArray()
      .filter((row) => inSlots(row.peer));
  return {
    name: "mailbox",
    leaving: (inSlots) => {
      const mail = sql.exec(
        `SELECT ${COLUMNS} FROM mailbox ` +
          "WHERE recipient IN (SELECT value FROM json_each(?)) ORDER BY rowid",
        JSON.stringify(recipientsIn(inSlots)),
      ).toArray().map((row) => NAMES.map((n) => row[n]));
      const out: Leaving = { mail, seen: seenIn(inSlots).map((r) => [r.peer, r.at]) };
      return [out];
    },
    arriving: (rows) => {
      for (const { mail, seen } of rows as Leaving[]) {
        // Ids are random and unique: mail asked to arrive twice (a move resumed) is kept once,
        // and counted once, since only a row inserted fires the count's trigger.
        insertRows(sql, "mailbox", NAMES, mail, "IGNORE");
        insertRows(sql, "mail_seen", ["peer", "at"], seen);
        const first = Math.min(...mail.map((m) => Number(m[6])));
        if (Number.isFinite(first)) arrived(first);
      }
    },
    gone: (inSlots) => {
      deleteRows(sql, "mailbox", ["recipient"], recipientsIn(inSlots).map((r) => [r]));
      deleteRows(sql, "mail_seen", ["peer"], seenIn(inSlots).map((r) => [r.peer]));
    },
  };
}
