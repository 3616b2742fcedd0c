/**
 * The mailbox of a super-peer: messages for the peers homed here that wait until the
 * recipient connects, are handed over, and are deleted once it acknowledges them. A sender
 * may ask to hear of delivery; it always hears of a message that expired unread. (Topic
 * messages a subscriber missed wait in `subscribers.ts`, not here.)
 *
 * @module
 */
import { base64urlnopad } from "@scure/base";
import { type MailMessage, type MailNotice, overUtf8Bytes } from "../../../src/protocol/mod.ts";
import { shardOf } from "../../../src/routing/mod.ts";
import type { MailPut, PutOutcome } from "../../rpc.ts";
import type { ServiceHost } from "./service_host.ts";

export type { PutOutcome };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS mailbox (
  mid TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  sender TEXT NOT NULL,
  notify INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  sent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS mailbox_recipient ON mailbox (recipient);
CREATE INDEX IF NOT EXISTS mailbox_expires ON mailbox (expires);
CREATE INDEX IF NOT EXISTS mailbox_sender ON mailbox (sender, recipient);
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

  /** @param host The super-peer. */
  constructor(host: ServiceHost) {
    this.#host = host;
    host.ctx.storage.sql.exec(SCHEMA);
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
    const full = this.#full(m.from, m.to);
    if (full) return { ok: false, code: "MAILBOX_FULL", message: full };
    const sql = this.#host.ctx.storage.sql;
    const now = Date.now();
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
    sql.exec(
      "INSERT INTO mailbox (mid, recipient, kind, body, sender, notify, expires) VALUES (?, ?, 'mail', ?, ?, ?, ?)",
      mail.mid,
      m.to,
      body,
      m.from,
      m.notify ? 1 : 0,
      now + limits.MAILBOX_TTL_MS,
    );
    await this.#host.wakeBy(now + limits.MAILBOX_TTL_MS);
    const delivered = this.#host.sendText(m.to, body);
    return { ok: true, mid: mail.mid, status: delivered ? "delivered" : "stored" };
  }

  // Each bound counts the mail already waiting; a new one is refused, nothing stored is
  // dropped for it, and one sender's mail never takes another's place.
  #full(from: string, to: string): string | undefined {
    const { limits } = this.#host.config;
    const sql = this.#host.ctx.storage.sql;
    const count = (where: string, ...args: string[]) =>
      sql.exec<{ n: number }>(
        `SELECT count(*) AS n FROM mailbox WHERE kind = 'mail'${where}`,
        ...args,
      )
        .one().n;
    if (count(" AND recipient = ?", to) >= limits.MAILBOX_MAX_MESSAGES) {
      return `Mailbox of "${to}" holds ${limits.MAILBOX_MAX_MESSAGES} messages`;
    }
    if (count(" AND sender = ? AND recipient = ?", from, to) >= limits.MAILBOX_MAX_FROM_SENDER) {
      return `Mailbox of "${to}" holds ${limits.MAILBOX_MAX_FROM_SENDER} messages from this sender`;
    }
    if (count(" AND sender = ?", from) >= limits.MAIL_MAX_PER_SENDER) {
      return `This shard holds ${limits.MAIL_MAX_PER_SENDER} messages from this sender`;
    }
    if (count("") >= limits.MAIL_MAX_PER_SHARD) {
      return `This shard holds ${limits.MAIL_MAX_PER_SHARD} messages, its most`;
    }
    return undefined;
  }

  /**
   * Stores a notice for a sender homed here.
   *
   * @param notice The notice (its `mid` is set here).
   */
  async notice(notice: Omit<MailNotice, "t" | "mid">, sender: string): Promise<void> {
    const { limits } = this.#host.config;
    const full: MailNotice = { t: "mail.notice", mid: newMid(), ...notice };
    const body = JSON.stringify(full);
    const expires = Date.now() + limits.MAILBOX_TTL_MS;
    this.#host.ctx.storage.sql.exec(
      "INSERT INTO mailbox (mid, recipient, kind, body, sender, notify, expires) VALUES (?, ?, 'notice', ?, '', 0, ?)",
      full.mid,
      sender,
      body,
      expires,
    );
    await this.#host.wakeBy(expires);
    this.#host.sendText(sender, body);
  }

  /**
   * Hands everything waiting to a peer that just connected, in the order it arrived; it
   * waits for `mail.ack`.
   *
   * @param peer The peer.
   */
  handOver(peer: string): void {
    const sql = this.#host.ctx.storage.sql;
    const rows = sql.exec<{ body: string }>(
      "SELECT body FROM mailbox WHERE recipient = ? ORDER BY rowid",
      peer,
    ).toArray();
    for (const { body } of rows) {
      if (!this.#host.sendText(peer, body)) return;
    }
  }

  /**
   * Deletes what a peer acknowledged, and tells the senders who asked.
   *
   * @param peer The recipient.
   * @param mids The ids acknowledged.
   */
  async acknowledge(peer: string, mids: string[]): Promise<void> {
    const sql = this.#host.ctx.storage.sql;
    const notices: { sender: string; mid: string }[] = [];
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
        if (row.kind === "mail" && row.notify) notices.push({ sender: row.sender, mid: row.mid });
      }
    }
    for (const n of notices) await this.#tell(n.sender, n.mid, peer, "delivered");
  }

  /**
   * Deletes what is past its time: mail (its sender is told), notices.
   *
   * @returns When the next message expires, if any.
   */
  async expire(): Promise<number | undefined> {
    const sql = this.#host.ctx.storage.sql;
    const now = Date.now();
    const gone = sql.exec<{ mid: string; recipient: string; sender: string; kind: string }>(
      "DELETE FROM mailbox WHERE expires <= ? RETURNING mid, recipient, sender, kind",
      now,
    ).toArray();
    for (const g of gone) {
      if (g.kind === "mail") {
        await this.#tell(g.sender, g.mid, g.recipient, "expired").catch((e) =>
          console.warn("expiry notice not sent", String(e))
        );
      }
    }
    return sql.exec<{ at: number | null }>("SELECT min(expires) AS at FROM mailbox").one().at ??
      undefined;
  }

  async #tell(
    sender: string,
    ref: string,
    to: string,
    status: MailNotice["status"],
  ): Promise<void> {
    const notice = { ref, to, status, ts: Date.now() };
    const home = shardOf(sender, this.#host.config.shards);
    if (home === this.#host.shard()) await this.notice(notice, sender);
    else await this.#host.call(home, (s) => s.mailNotice(sender, notice));
  }
}
