/**
 * Running counts of a shard's mailbox, for its bounds: all its mail, its mail to peers never
 * seen here, its notices, and the mail of each recipient, sender, sender and recipient, and
 * client address. Every mail and notice checks its bounds; counting rows for them would cost
 * each one a scan that grows with the mailbox (up to `MAIL_MAX_PER_SHARD` rows), so a full
 * mailbox would make mail many times dearer than its price. SQLite triggers keep the counts,
 * so every statement that adds, drops or marks mail (a put, an ack, the sweep, a peer seen)
 * keeps them exact without knowing of them; a count that reaches zero is dropped, so the
 * counts are never more rows than the mailbox.
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import type { Limits } from "../../../src/protocol/mod.ts";
import type { MailPut } from "../../rpc.ts";

/** What may be counted: the shard's totals, or the mail of one party (see `mailCountKey`). */
export type MailboxCount = "mail" | "unseen" | "notice" | string;

// Keys: 'mail', 'unseen', 'notice'; 'r <recipient>', 's <sender>', 'sr <sender> <recipient>',
// 'a <address>' for mail only. Peer ids and addresses hold no space.
const BUMP = (key: string, when: string) =>
  `INSERT INTO mailbox_counts SELECT ${key}, 1 WHERE ${when}
    ON CONFLICT (key) DO UPDATE SET n = n + 1;`;
const PARTIES = (row: string) =>
  `'r ' || ${row}.recipient, 's ' || ${row}.sender, 'sr ' || ${row}.sender || ' ' || ${row}.recipient, 'a ' || ${row}.address`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mailbox_counts (key TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS mailbox_count_in AFTER INSERT ON mailbox BEGIN
  ${BUMP("NEW.kind", "true")}
  ${BUMP("'unseen'", "NEW.kind = 'mail' AND NEW.seen = 0")}
  ${BUMP("'r ' || NEW.recipient", "NEW.kind = 'mail'")}
  ${BUMP("'s ' || NEW.sender", "NEW.kind = 'mail'")}
  ${BUMP("'sr ' || NEW.sender || ' ' || NEW.recipient", "NEW.kind = 'mail'")}
  ${BUMP("'a ' || NEW.address", "NEW.kind = 'mail' AND NEW.address != ''")}
END;
CREATE TRIGGER IF NOT EXISTS mailbox_count_out AFTER DELETE ON mailbox BEGIN
  UPDATE mailbox_counts SET n = n - 1 WHERE key = OLD.kind;
  UPDATE mailbox_counts SET n = n - 1
    WHERE key = 'unseen' AND OLD.kind = 'mail' AND OLD.seen = 0;
  UPDATE mailbox_counts SET n = n - 1 WHERE OLD.kind = 'mail' AND key IN (${PARTIES("OLD")});
  DELETE FROM mailbox_counts WHERE n <= 0 AND key IN (${PARTIES("OLD")});
END;
CREATE TRIGGER IF NOT EXISTS mailbox_count_seen AFTER UPDATE OF seen ON mailbox
  WHEN OLD.kind = 'mail' AND OLD.seen != NEW.seen BEGIN
  UPDATE mailbox_counts SET n = n + (NEW.seen = 0) - (OLD.seen = 0) WHERE key = 'unseen';
END;
`;

// Counted once, from what the mailbox holds, when the counts are new (a mailbox stored
// before they existed).
const RECOUNT = `
DELETE FROM mailbox_counts;
INSERT INTO mailbox_counts VALUES
  ('mail', (SELECT count(*) FROM mailbox WHERE kind = 'mail')),
  ('unseen', (SELECT count(*) FROM mailbox WHERE kind = 'mail' AND seen = 0)),
  ('notice', (SELECT count(*) FROM mailbox WHERE kind = 'notice'));
INSERT INTO mailbox_counts SELECT 'r ' || recipient, count(*) FROM mailbox
  WHERE kind = 'mail' GROUP BY recipient;
INSERT INTO mailbox_counts SELECT 's ' || sender, count(*) FROM mailbox
  WHERE kind = 'mail' GROUP BY sender;
INSERT INTO mailbox_counts SELECT 'sr ' || sender || ' ' || recipient, count(*) FROM mailbox
  WHERE kind = 'mail' GROUP BY sender, recipient;
INSERT INTO mailbox_counts SELECT 'a ' || address, count(*) FROM mailbox
  WHERE kind = 'mail' AND address != '' GROUP BY address;
`;

/**
 * Creates the counts and their triggers beside a `mailbox` table, counting what it already
 * holds if they are new.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { mailboxCount, openMailboxCounts } from "./mailbox_counts.ts";
 * export function unseen(sql: SqlStorage): number {
 *   openMailboxCounts(sql);
 *   return mailboxCount(sql, "unseen");
 * }
 * ```
 *
 * @param sql The shard's SQLite, with its `mailbox` table.
 */
export function openMailboxCounts(sql: SqlStorage): void {
  sql.exec(SCHEMA);
  const totals = sql.exec<{ n: number }>(
    "SELECT count(*) AS n FROM mailbox_counts WHERE key IN ('mail', 'unseen', 'notice')",
  ).one().n;
  // Nothing is written between the triggers' making and this count: each row counts once.
  if (totals < 3) sql.exec(RECOUNT);
}

/**
 * The key of one party's mail count.
 *
 * @example Usage
 * ```ts
 * import { mailCountKey } from "./mailbox_counts.ts";
 * mailCountKey("sender", "6Mk…"); // "s 6Mk…"
 * ```
 *
 * @param party Whose mail: a recipient's, a sender's, a sender's to one recipient, an
 *   address's.
 * @param ids The party's id (a sender and a recipient for `pair`).
 * @returns The key.
 */
export function mailCountKey(
  party: "recipient" | "sender" | "pair" | "address",
  ...ids: string[]
): string {
  const prefix = { recipient: "r", sender: "s", pair: "sr", address: "a" }[party];
  return [prefix, ...ids].join(" ");
}

/**
 * One count: a total, or a party's mail (0 when it has none).
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { mailboxCount } from "./mailbox_counts.ts";
 * export const isFull = (sql: SqlStorage, most: number) => mailboxCount(sql, "mail") >= most;
 * ```
 *
 * @param sql The shard's SQLite.
 * @param key `mail`, `unseen`, `notice`, or a key from `mailCountKey`.
 * @returns The count.
 */
export function mailboxCount(sql: SqlStorage, key: MailboxCount): number {
  return sql.exec<{ n: number }>("SELECT n FROM mailbox_counts WHERE key = ?", key)
    .toArray()[0]?.n ?? 0;
}

/**
 * Why one more message to `m.to` would be refused `MAILBOX_FULL`, or `undefined` if it fits.
 * Each bound counts the mail already waiting; a new one is refused, nothing stored is dropped
 * for it, and one sender's mail never takes another's place. The bounds of one sender (per
 * recipient, per shard, per client address) always hold; those of the whole shard give way to
 * a seen recipient's first few messages, so that free ids from many addresses cannot shut a
 * real peer out. That room is bounded too: the seen peers are.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { DEFAULT_LIMITS } from "../../../src/protocol/limits.ts";
 * import { mailboxFull } from "./mailbox_counts.ts";
 * export const fits = (sql: SqlStorage, to: string, from: string) =>
 *   mailboxFull(sql, DEFAULT_LIMITS, { to, from }, true) === undefined;
 * ```
 *
 * @param sql The shard's SQLite, with the counts.
 * @param limits The network's limits.
 * @param m The message: its recipient, sender and client address.
 * @param seen Whether its recipient was seen online here.
 * @returns The refusal's message, or `undefined`.
 */
export function mailboxFull(
  sql: SqlStorage,
  limits: Limits,
  m: Pick<MailPut, "to" | "from" | "address">,
  seen: boolean,
): string | undefined {
  const count = (key: string) => mailboxCount(sql, key);
  const waiting = count(mailCountKey("recipient", m.to));
  if (waiting >= limits.MAILBOX_MAX_MESSAGES) {
    return `Mailbox of "${m.to}" holds ${limits.MAILBOX_MAX_MESSAGES} messages`;
  }
  if (count(mailCountKey("pair", m.from, m.to)) >= limits.MAILBOX_MAX_FROM_SENDER) {
    return `Mailbox of "${m.to}" holds ${limits.MAILBOX_MAX_FROM_SENDER} messages from this sender`;
  }
  if (count(mailCountKey("sender", m.from)) >= limits.MAIL_MAX_PER_SENDER) {
    return `This shard holds ${limits.MAIL_MAX_PER_SENDER} messages from this sender`;
  }
  if (m.address && count(mailCountKey("address", m.address)) >= limits.MAIL_MAX_PER_ADDRESS) {
    return `This shard holds ${limits.MAIL_MAX_PER_ADDRESS} messages from this client address`;
  }
  if (seen && waiting < limits.MAIL_RESERVED_PER_RECIPIENT) return undefined;
  if (!seen && count("unseen") >= limits.MAIL_MAX_UNSEEN_PER_SHARD) {
    return `This shard holds ${limits.MAIL_MAX_UNSEEN_PER_SHARD} messages for peers never seen here, its most`;
  }
  if (count("mail") >= limits.MAIL_MAX_PER_SHARD) {
    return `This shard holds ${limits.MAIL_MAX_PER_SHARD} messages, its most`;
  }
  return undefined;
}
