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

/** Rows of the mailbox scanned at a time for a slot move's page (ids and sizes only). */
const MAIL_SCAN_ROWS = 1_024;

/** A mail row's JSON beside its body, about: ids, sender, times, address. */
const MAIL_ROW_BYTES = 300;

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
  // The slots' mail from the row after `after`, in the order it came, until about `bytes` of
  // it (at least one): the rows are scanned by id without their bodies (`octet_length` reads a
  // text's size from its row's header; a probe on workerd scanned 2,000 rows of 30 KB in the
  // time of their ids, against 2-4 times that for `length(CAST(body AS BLOB))`), a window at a
  // time, and only those in the slots are read whole. A shard's mail can be gigabytes
  // (`MAIL_MAX_PER_SHARD` of `MAX_MAIL_BYTES`), all of it in a few slots.
  const mailPage = (inSlots: (key: string) => boolean, after: number, bytes: number) => {
    const mail: unknown[][] = [];
    let used = 0;
    let cursor = after;
    for (;;) {
      const scan = sql.exec<{ id: number; r: string; size: number }>(
        "SELECT rowid AS id, recipient AS r, octet_length(body) AS size FROM mailbox " +
          `WHERE rowid > ? ORDER BY rowid LIMIT ${MAIL_SCAN_ROWS}`,
        cursor,
      ).toArray();
      const take: number[] = [];
      let full = false;
      for (const row of scan) {
        if (inSlots(row.r)) {
          const size = row.size + MAIL_ROW_BYTES;
          if (mail.length + take.length > 0 && used + size > bytes) {
            full = true;
            break;
          }
          take.push(row.id);
          used += size;
        }
        cursor = row.id;
      }
      if (take.length > 0) {
        mail.push(
          ...sql.exec(
            `SELECT ${COLUMNS} FROM mailbox ` +
              "WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY rowid",
            JSON.stringify(take),
          ).toArray().map((row) => NAMES.map((n) => row[n])),
        );
      }
      if (full) return { mail, used, next: cursor };
      if (scan.length < MAIL_SCAN_ROWS) return { mail, used };
    }
  };
  return {
    name: "mailbox",
    leaving: (inSlots) => {
      const { mail } = mailPage(inSlots, 0, Infinity);
      const out: Leaving = { mail, seen: seenIn(inSlots).map((r) => [r.peer, r.at]) };
      return [out];
    },
    // Who was seen online goes with the first page.
    leavingPage: (inSlots, after, bytes) => {
      const seen = after === 0 ? seenIn(inSlots).map((r) => [r.peer, r.at]) : [];
      const { mail, used, next } = mailPage(inSlots, after, bytes);
      const out: Leaving = { mail, seen };
      return { rows: [out], bytes: used + 70 * seen.length, ...(next ? { next } : {}) };
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
