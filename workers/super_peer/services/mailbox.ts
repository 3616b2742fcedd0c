/**
 * The mailbox of a super-peer: messages for the peers homed here that wait until the
 * recipient connects, are handed over, and are deleted once it acknowledges them. A sender
 * may ask to hear of delivery; it always hears of a message that expired unread. (Topic
 * messages a subscriber missed wait in `subscribers.ts`, not here.)
 *
 * Ids are free, so the bounds do not trust them alone: mail is also counted per client
 * address; mail to an id never seen online here lives `MAIL_UNSEEN_TTL_MS` and has its own,
 * smaller cap; a peer seen here can always receive `MAIL_RESERVED_PER_RECIPIENT` messages,
 * however full the shard; and the notices kept for a sender are capped, oldest out.
 *
 * @module
 */
import { base64urlnopad } from "../../../src/encoding/mod.ts";
import { type MailMessage, type MailNotice, overUtf8Bytes } from "../../../src/protocol/mod.ts";
import type { MailPut, PutOutcome, SenderNotice } from "../../rpc.ts";
import { mailboxCount, mailboxFull, openMailboxCounts } from "./mailbox_counts.ts";
import { noticeCalls, type Told } from "./notice_calls.ts";
import { mailboxMover } from "./mailbox_moves.ts";
import type { SlotMover } from "../slot_moves.ts";
import type { ServiceHost } from "./service_host.ts";

export type { PutOutcome };

// `address`: the sender's client address ('' when relayed from another shard, and for a
// notice). `seen`: whether the recipient had been seen online here when it was stored.
const TABLE = `
CREATE TABLE IF NOT EXISTS mailbox (
  mid TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  sender TEXT NOT NULL,
  notify INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0,
  address TEXT NOT NULL DEFAULT '',
  seen INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS mail_seen (peer TEXT PRIMARY KEY, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS mail_seen_at ON mail_seen (at);
`;

// A table stored before the columns above gets them; what it holds counts as seen.
const COLUMNS: Record<string, string> = {
  address: "ALTER TABLE mailbox ADD COLUMN address TEXT NOT NULL DEFAULT ''",
  seen: "ALTER TABLE mailbox ADD COLUMN seen INTEGER NOT NULL DEFAULT 1",
};

const INDEXES = `
CREATE INDEX IF NOT EXISTS mailbox_recipient ON mailbox (recipient);
CREATE INDEX IF NOT EXISTS mailbox_expires ON mailbox (expires);
CREATE INDEX IF NOT EXISTS mailbox_sender ON mailbox (sender, recipient);
CREATE INDEX IF NOT EXISTS mailbox_address ON mailbox (address);
CREATE INDEX IF NOT EXISTS mailbox_kind ON mailbox (kind, seen);
DELETE FROM mailbox WHERE kind = 'topic';
`;

// Ids deleted by one statement of `acknowledge`: with the recipient, 100 bound parameters,
// the most one statement of a Durable Object's SQLite takes.
const ACK_CHUNK = 99;

function newMid(): string {
  return base64urlnopad.encode(crypto.getRandomValues(new Uint8Array(12)));
}

/**
 * One shard's mailboxes.
 *
 * @example Usage
 * ```ts
 * import type { ServiceHost } from "./service_host.ts";
 * import { Mailbox } from "./mailbox.ts";
 * export async function leave(host: ServiceHost, to: string, from: string) {
 *   const mailbox = new Mailbox(host);
 *   return await mailbox.put({ to, from, data: "hello", notify: true }); // its mid, or MAILBOX_FULL
 * }
 * ```
 */
export class Mailbox {
  readonly #host: ServiceHost;
  /** Mail and notices handed to each peer here since it last acknowledged (memory only). */
  readonly #owed = new Map<string, number>();

  /** @param host The super-peer. */
  constructor(host: ServiceHost) {
    this.#host = host;
    const sql = host.ctx.storage.sql;
    sql.exec(TABLE);
    const have = new Set(
      sql.exec<{ name: string }>("PRAGMA table_info(mailbox)").toArray().map((c) => c.name),
    );
    for (const [name, add] of Object.entries(COLUMNS)) if (!have.has(name)) sql.exec(add);
    sql.exec(INDEXES);
    openMailboxCounts(sql);
  }

  /**
   * Stores a message for a peer homed here, and hands it over at once if it is connected.
   *
   * @param m The message.
   * @returns Its id and whether it was handed over, or `MAILBOX_FULL`.
   */
  async put(
    m: MailPut,
  ): Promise<PutOutcome> {
    const { limits } = this.#host.config;
    // Checked here, at the recipient's home, for a `mail` and a relayed frame alike.
    if (overUtf8Bytes(m.data, limits.MAX_MAIL_BYTES)) {
      return {
        ok: false,
        code: "FRAME_TOO_LARGE",
        message: `A mailbox message carries at most ${limits.MAX_MAIL_BYTES} bytes`,
      };
    }
    // A recipient whose slot moved is served where it went (once, by a shard that knew).
    const holder = m.moved ? this.#host.shard() : await this.#host.holder(m.to);
    if (holder !== this.#host.shard()) {
      return await this.#host.call(holder, (s) => s.mailPut({ ...m, moved: true }));
    }
    // Checked and stored with the object's other writes (`WRITE_GROUP_MS`): a flood of mail
    // is one commit per moment, not one per message, and the bounds see every message queued
    // before this one. The answer leaves once the row is durable.
    const stored = await this.#host.track(this.#host.writes.write(() => this.#store(m)));
    if (!stored.ok) return stored;
    await this.#host.wakeBy(stored.expires);
    return { ok: true, mid: stored.mid, status: stored.status };
  }

  #store(
    m: MailPut,
  ): (Extract<PutOutcome, { ok: true }> & { expires: number }) | Exclude<PutOutcome, { ok: true }> {
    const { limits } = this.#host.config;
    const seen = this.#seen(m.to);
    const full = mailboxFull(this.#host.ctx.storage.sql, this.#host.config.limits, m, seen);
    if (full) return { ok: false, code: "MAILBOX_FULL", message: full };
    const now = Date.now();
    const expires = now + (seen ? limits.MAILBOX_TTL_MS : this.#unseenTtl());
    const mail: MailMessage = {
      t: "mail",
      mid: newMid(),
      from: m.from,
      ts: now,
      data: m.data,
      ...(m.bin ? { bin: true } : {}),
      ...(m.sealed ? { sealed: true } : {}),
    };
    const body = JSON.stringify(mail);
    this.#host.ctx.storage.sql.exec(
      "INSERT INTO mailbox (mid, recipient, kind, body, sender, notify, expires, address, seen) VALUES (?, ?, 'mail', ?, ?, ?, ?, ?, ?)",
      mail.mid,
      m.to,
      body,
      m.from,
      m.notify ? 1 : 0,
      expires,
      m.address ?? "",
      seen ? 1 : 0,
    );
    const delivered = this.#handed(m.to, body);
    return { ok: true, mid: mail.mid, status: delivered ? "delivered" : "stored", expires };
  }

  // Mail to an id never seen never outlives mail to a real peer.
  #unseenTtl(): number {
    const { limits } = this.#host.config;
    return Math.min(limits.MAIL_UNSEEN_TTL_MS, limits.MAILBOX_TTL_MS);
  }

  // Whether a peer was seen online here (connected now, or within `MAILBOX_TTL_MS`).
  #seen(peer: string): boolean {
    if (this.#host.isOnline(peer)) return true;
    return this.#host.ctx.storage.sql.exec<{ n: number }>(
      "SELECT count(*) AS n FROM mail_seen WHERE peer = ?",
      peer,
    ).one().n > 0;
  }

  // A peer connected: it is seen, and what waits for it gets the life of mail to a real peer.
  // The record is bounded: past `MAIL_MAX_SEEN_PEERS` the peer seen longest ago is forgotten
  // (its mail stays; new mail to it is mail to an unseen id until it connects again).
  #sawOnline(peer: string): void {
    const { limits } = this.#host.config;
    const sql = this.#host.ctx.storage.sql;
    sql.exec("INSERT OR REPLACE INTO mail_seen VALUES (?, ?)", peer, Date.now());
    sql.exec(
      "DELETE FROM mail_seen WHERE peer IN (SELECT peer FROM mail_seen ORDER BY at DESC LIMIT -1 OFFSET ?)",
      limits.MAIL_MAX_SEEN_PEERS,
    );
    sql.exec(
      "UPDATE mailbox SET seen = 1, expires = expires - ? + ? WHERE recipient = ? AND kind = 'mail' AND seen = 0",
      this.#unseenTtl(),
      limits.MAILBOX_TTL_MS,
      peer,
    );
  }

  /**
   * Stores notices for senders homed here, in one write.
   *
   * @param notices The notices (each one's `mid` is set here).
   */
  async notices(notices: SenderNotice[], moved = false): Promise<void> {
    // Those of a sender whose slot moved go where it went (once, by a shard that knew).
    const here = this.#host.shard();
    const holders = await Promise.all(
      notices.map((n) => moved ? here : this.#host.holder(n.sender)),
    );
    const at = (k: number) => notices.filter((_, i) => holders[i] === k);
    await Promise.all(
      [...new Set(holders)].filter((k) => k !== here).map((k) =>
        this.#host.call(k, (s) => s.mailNotices(at(k), true))
      ),
    );
    notices = at(here);
    if (notices.length === 0) return;
    const expires = Date.now() + this.#host.config.limits.MAILBOX_TTL_MS;
    await this.#host.track(this.#host.writes.write(() => {
      for (const n of notices) this.#storeNotice(n.notice, n.sender, expires);
    }));
    await this.#host.wakeBy(expires);
  }

  #storeNotice(notice: Omit<MailNotice, "t" | "mid">, sender: string, expires: number): void {
    const { limits } = this.#host.config;
    const sql = this.#host.ctx.storage.sql;
    const full: MailNotice = { t: "mail.notice", mid: newMid(), ...notice };
    const body = JSON.stringify(full);
    sql.exec(
      "INSERT INTO mailbox (mid, recipient, kind, body, sender, notify, expires) VALUES (?, ?, 'notice', ?, '', 0, ?)",
      full.mid,
      sender,
      body,
      expires,
    );
    // A notice is news, not a message: past its caps the oldest goes, so that the notices
    // kept stay bounded (`MAIL_MAX_NOTICES_PER_SENDER` each, `MAIL_MAX_PER_SHARD` in all) and
    // none is refused.
    sql.exec(
      "DELETE FROM mailbox WHERE rowid IN (SELECT rowid FROM mailbox WHERE kind = 'notice' AND recipient = ? ORDER BY rowid DESC LIMIT -1 OFFSET ?)",
      sender,
      limits.MAIL_MAX_NOTICES_PER_SENDER,
    );
    const over = mailboxCount(sql, "notice") - limits.MAIL_MAX_PER_SHARD;
    if (over > 0) {
      sql.exec(
        "DELETE FROM mailbox WHERE rowid IN (SELECT rowid FROM mailbox WHERE kind = 'notice' ORDER BY rowid LIMIT ?)",
        over,
      );
    }
    this.#handed(sender, body);
  }

  /** The mailbox's part in a slot move (`mailbox_moves.ts`). @returns The mover. */
  slotMover(): SlotMover {
    const { ctx } = this.#host;
    return mailboxMover(ctx.storage.sql, (at) => ctx.waitUntil(this.#host.wakeBy(at)));
  }

  /**
   * Hands everything waiting to a peer that just connected, in the order it arrived; it
   * waits for `mail.ack`. The peer is recorded as seen online here.
   *
   * @param peer The peer.
   */
  handOver(peer: string): void {
    // Its acknowledgements from before may still wait to run: what they took is not sent again.
    this.#host.writes.flush();
    this.#owed.delete(peer); // all it holds is handed again
    this.#sawOnline(peer);
    const sql = this.#host.ctx.storage.sql;
    const rows = sql.exec<{ body: string }>(
      "SELECT body FROM mailbox WHERE recipient = ? ORDER BY rowid",
      peer,
    ).toArray();
    for (const { body } of rows) {
      if (!this.#handed(peer, body)) return;
    }
  }

  /**
   * Deletes what a peer acknowledged, and tells the senders who asked.
   *
   * @param peer The recipient.
   * @param mids The ids acknowledged.
   */
  async acknowledge(peer: string, mids: string[]): Promise<void> {
    // A peer whose slot moved meanwhile has its mail where it went.
    const holder = await this.#host.holder(peer);
    if (holder !== this.#host.shard()) {
      return await this.#host.call(holder, (s) => s.mailAck(peer, mids));
    }
    // With the object's other writes: a stream of acknowledgements is one commit a moment.
    const told = await this.#host.track(this.#host.writes.write(() => this.#delete(peer, mids)));
    await this.#tell(told.map((t) => ({ ...t, to: peer, status: "delivered" })));
  }

  /**
   * How many of the ids a peer acknowledges answer what this mailbox handed it (mail, notices)
   * since it last acknowledged: those are its automatic answer, which their senders paid for
   * (`COST_MAIL`). Each handed message makes one id free, once, whatever the id.
   *
   * @param peer The peer.
   * @param ids The ids it acknowledges.
   * @returns How many of them are free.
   */
  answered(peer: string, ids: number): number {
    const owed = this.#owed.get(peer) ?? 0;
    const free = Math.min(owed, ids);
    if (owed - free > 0) this.#owed.set(peer, owed - free);
    else this.#owed.delete(peer);
    return free;
  }

  /** The peer left: what it was handed and did not acknowledge is handed again next time. */
  left(peer: string): void {
    this.#owed.delete(peer);
  }

  // Sends a mail or notice to a peer connected here, and counts it as handed.
  #handed(peer: string, body: string): boolean {
    if (!this.#host.sendText(peer, body)) return false;
    this.#owed.set(peer, (this.#owed.get(peer) ?? 0) + 1);
    return true;
  }

  #delete(peer: string, mids: string[]): { sender: string; ref: string }[] {
    const sql = this.#host.ctx.storage.sql;
    const told: { sender: string; ref: string }[] = [];
    // One statement per chunk of ids, not one per id: 11 statements for a full ack, not 1,024.
    for (let i = 0; i < mids.length; i += ACK_CHUNK) {
      const chunk = mids.slice(i, i + ACK_CHUNK);
      const rows = sql.exec<{ mid: string; sender: string; notify: number; kind: string }>(
        `DELETE FROM mailbox WHERE recipient = ? AND mid IN (${
          chunk.map(() => "?").join(", ")
        }) RETURNING mid, sender, notify, kind`,
        peer,
        ...chunk,
      ).toArray();
      for (const row of rows) {
        if (row.kind === "mail" && row.notify) told.push({ sender: row.sender, ref: row.mid });
      }
    }
    return told;
  }

  /**
   * Deletes what is past its time: mail (its sender is told), notices.
   *
   * @returns When the next message expires, if any.
   */
  async expire(): Promise<number | undefined> {
    const sql = this.#host.ctx.storage.sql;
    const now = Date.now();
    // A peer not seen for as long as mail waits is no longer kept room for.
    sql.exec("DELETE FROM mail_seen WHERE at <= ?", now - this.#host.config.limits.MAILBOX_TTL_MS);
    const gone = sql.exec<{ mid: string; recipient: string; sender: string; kind: string }>(
      "DELETE FROM mailbox WHERE expires <= ? RETURNING mid, recipient, sender, kind",
      now,
    ).toArray();
    const told = gone.filter((g) => g.kind === "mail").map((g) => ({
      sender: g.sender,
      ref: g.mid,
      to: g.recipient,
      status: "expired" as const,
    }));
    await this.#tell(told).catch((e) => console.warn("expiry notices not sent", String(e)));
    return sql.exec<{ at: number | null }>("SELECT min(expires) AS at FROM mailbox").one().at ??
      undefined;
  }

  /**
   * Tells senders what became of their mail: one call per senders' home, whatever the count,
   * so that a full `mail.ack` costs at most a call per shard, not one per id.
   */
  async #tell(told: Told[]): Promise<void> {
    const calls = noticeCalls(told, (sender) => this.#host.config.placement.home(sender));
    await Promise.all([...calls].map(async ([home, batches]) => {
      for (const notices of batches) {
        if (home === this.#host.shard()) await this.notices(notices);
        else await this.#host.call(home, (s) => s.mailNotices(notices));
      }
    }));
  }
}
