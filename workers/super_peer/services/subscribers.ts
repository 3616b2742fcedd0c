/**
 * The subscriber side of pub/sub in a super-peer: which of its peers subscribe to which
 * topics, and the messages handed to them, kept until each subscriber acknowledges them.
 *
 * Every topic message (and `$presence`, `$blocks/<k>`) that reaches a shard with
 * subscribers is written once to a backlog under the next number of the shard's sequence,
 * then sent to each subscriber connected here with that number as `seq`. A subscriber
 * acknowledges the highest `seq` it took (`topic.ack`, cumulative: a socket keeps order);
 * when it connects again, everything after its acknowledgement on its topics is sent again
 * first, so a socket that a restart or a drop killed loses nothing. A subscription starts
 * after the sequence's number at the time (`since`): nothing older is ever sent for it.
 * Bounded per shard by count and bytes (oldest first) and by age (`PRESENCE_TIMEOUT_MS`,
 * past which a gone subscriber is forgotten anyway); rows every subscriber acknowledged go
 * at the next sweep.
 *
 * @module
 */
import { STATS_TOPIC } from "../../../src/protocol/mod.ts";
import type { ServiceHost } from "./service_host.ts";
import { openTopicBacklog, TRIM } from "./topic_backlog_sql.ts";

/**
 * Adds the shard's sequence number to a message's JSON text.
 *
 * @param text A JSON object's text.
 * @param seq The number.
 * @returns The text with `seq`.
 */
function stamped(text: string, seq: number): string {
  return `${text.slice(0, -1)},"seq":${seq}}`;
}

/**
 * The subscribers of one shard and what they were sent.
 *
 * @example Usage
 * ```ts
 * import type { ServiceHost } from "./service_host.ts";
 * import { Subscribers } from "./subscribers.ts";
 * export function deliver(host: ServiceHost, peer: string) {
 *   const subscribers = new Subscribers(host);
 *   subscribers.add("news", peer);
 *   subscribers.deliver(["news"], ['{"t":"topic","topic":"news","from":"…","n":1,"data":"hi"}']);
 *   subscribers.acknowledge(peer, 1); // what the peer sends as {"t":"topic.ack","seq":1}
 * }
 * ```
 */
export class Subscribers {
  readonly #host: ServiceHost;
  /** Subscribers by topic, as stored (or about to be: `host.writes`). */
  readonly #byTopic = new Map<string, Set<string>>();
  /** Topics by subscriber, the same subscriptions. */
  readonly #byPeer = new Map<string, Set<string>>();
  /** The backlog's size (undefined: count again). */
  #size: { rows: number; bytes: number } | undefined;
  /** The last number given, as far as this object knows (0: none since it started). */
  #last = 0;
  /** Messages handed to each subscriber and not yet answered by an acknowledgement (memory). */
  readonly #owed = new Map<string, number>();

  /** @param host The super-peer. */
  constructor(host: ServiceHost) {
    this.#host = host;
    const sql = host.ctx.storage.sql;
    openTopicBacklog(sql);
    for (
      const { topic, peer } of sql.exec<{ topic: string; peer: string }>(
        "SELECT topic, peer FROM topic_sub",
      )
    ) {
      this.#of(topic).add(peer);
      setIn(this.#byPeer, peer).add(topic);
    }
    this.#last = sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM topic_backlog")
      .one().seq ?? 0;
  }

  /**
   * Whether a peer subscribes to a topic here.
   *
   * @param topic The topic.
   * @param peer The peer.
   * @returns Whether it does.
   */
  has(topic: string, peer: string): boolean {
    return this.#byTopic.get(topic)?.has(peer) ?? false;
  }

  /**
   * The topics a peer subscribes to here.
   *
   * @param peer The peer.
   * @returns The topics.
   */
  topicsOf(peer: string): string[] {
    return [...this.#byPeer.get(peer) ?? []];
  }

  /**
   * The subscribers of a topic here, online or not.
   *
   * @param topic The topic.
   * @returns Their ids.
   */
  of(topic: string): ReadonlySet<string> {
    return this.#byTopic.get(topic) ?? new Set();
  }

  /**
   * Adds a subscription, starting after everything sent so far.
   *
   * @param topic The topic.
   * @param peer The peer.
   * @returns Whether it is the topic's first subscriber here, and its row's write, which
   *   settles once committed (with the others of `WRITE_GROUP_MS`).
   */
  add(topic: string, peer: string): { first: boolean; stored: Promise<void> } {
    const subs = this.#of(topic);
    const since = this.#last;
    subs.add(peer);
    setIn(this.#byPeer, peer).add(topic);
    const stored = this.#host.writes.write(() => {
      this.#host.ctx.storage.sql.exec(
        "INSERT OR IGNORE INTO topic_sub VALUES (?, ?, ?)",
        topic,
        peer,
        since,
      );
    });
    return { first: subs.size === 1, stored };
  }

  /**
   * Ends a subscription.
   *
   * @param topic The topic.
   * @param peer The peer.
   * @returns Whether it was the topic's last subscriber here, and its row's deletion, which
   *   settles once committed.
   */
  remove(topic: string, peer: string): { last: boolean; stored: Promise<void> } {
    const subs = this.#byTopic.get(topic);
    if (!subs?.delete(peer)) return { last: false, stored: Promise.resolve() };
    const topics = this.#byPeer.get(peer);
    topics?.delete(topic);
    if (topics?.size === 0) this.#byPeer.delete(peer);
    const stored = this.#host.writes.write(() => {
      this.#host.ctx.storage.sql.exec(
        "DELETE FROM topic_sub WHERE topic = ? AND peer = ?",
        topic,
        peer,
      );
    });
    if (subs.size > 0) return { last: false, stored };
    this.#byTopic.delete(topic);
    return { last: true, stored };
  }

  /**
   * Keeps topic messages and hands them to the subscribers connected here.
   *
   * @param topics The topic of each message.
   * @param texts The messages' JSON text.
   * @returns The indices of messages whose topic has no subscriber here.
   */
  deliver(topics: string[], texts: string[]): number[] {
    const none: number[] = [];
    const sql = this.#host.ctx.storage.sql;
    const now = Date.now();
    for (let i = 0; i < texts.length; i++) {
      const subs = this.#byTopic.get(topics[i]);
      if (!subs || subs.size === 0) {
        none.push(i);
        continue;
      }
      // The network's figures are a latest value: the next replaces a missed one, so they go
      // to the sockets here and nowhere else, with no backlog to keep or acknowledge.
      if (topics[i] === STATS_TOPIC) {
        for (const peer of subs) this.#host.sendText(peer, texts[i]);
        continue;
      }
      const seq = sql.exec<{ seq: number }>(
        "INSERT INTO topic_backlog (topic, text, at) VALUES (?, ?, ?) RETURNING seq",
        topics[i],
        texts[i],
        now,
      ).one().seq;
      this.#last = seq;
      this.#grew(texts[i].length);
      const text = stamped(texts[i], seq);
      // One that is not connected gets it when it comes back.
      for (const peer of subs) if (this.#host.sendText(peer, text)) this.#owe(peer, 1);
    }
    return none;
  }

  /**
   * Sends a peer that just connected everything after its acknowledgement on its topics, in
   * order, before anything new.
   *
   * @param peer The peer.
   * @returns How many were sent.
   */
  resend(peer: string): number {
    this.#host.writes.flush();
    const rows = this.#host.ctx.storage.sql.exec<{ seq: number; text: string }>(
      `SELECT b.seq AS seq, b.text AS text FROM topic_sub s
        JOIN topic_backlog b ON b.topic = s.topic AND b.seq > s.since
          AND (b.peer IS NULL OR b.peer = s.peer)
        WHERE s.peer = ? AND b.seq > coalesce(
          (SELECT acked FROM topic_cursor WHERE peer = ?), 0)
        ORDER BY b.seq`,
      peer,
      peer,
    ).toArray();
    this.#owed.delete(peer);
    for (const { seq, text } of rows) {
      if (!this.#host.sendText(peer, stamped(text, seq))) return 0;
    }
    this.#owe(peer, rows.length);
    return rows.length;
  }

  /**
   * A subscriber took everything up to `seq`.
   *
   * @param peer The subscriber.
   * @param seq The highest number it took.
   */
  acknowledge(peer: string, seq: number): void {
    // Never past what was given: an acknowledgement from the future would skip messages.
    if (seq > this.#last) return;
    // Gathered with the object's other writes: a stream of acknowledgements is one commit per
    // `WRITE_GROUP_MS`, not one per frame. Nothing answers it; a resend reads it after a flush.
    this.#host.writes.write(() =>
      this.#host.ctx.storage.sql.exec(
        `INSERT INTO topic_cursor VALUES (?, ?)
          ON CONFLICT (peer) DO UPDATE SET acked = max(acked, excluded.acked)`,
        peer,
        seq,
      )
    ).catch((e) => console.warn("topic.ack not stored", String(e)));
  }

  /**
   * Whether a subscriber's acknowledgement answers messages handed to it: then it is its
   * automatic answer, which their publishers paid for (`COST_PUBLISH`). Each message handed
   * makes one acknowledgement free, whatever its number.
   *
   * @param peer The subscriber.
   * @returns Whether it is free.
   */
  answered(peer: string): boolean {
    const owed = this.#owed.get(peer) ?? 0;
    if (owed > 1) this.#owed.set(peer, owed - 1);
    else this.#owed.delete(peer);
    return owed > 0;
  }

  #owe(peer: string, count: number): void {
    if (count > 0) this.#owed.set(peer, (this.#owed.get(peer) ?? 0) + count);
  }

  /**
   * Forgets a peer gone past the presence timeout: its acknowledgement (its subscriptions
   * are ended by the caller, which tells the topics' homes).
   *
   * @param peer The peer.
   */
  forget(peer: string): void {
    this.#owed.delete(peer);
    this.#host.writes.flush(); // an acknowledgement waiting would bring the row back
    this.#host.ctx.storage.sql.exec("DELETE FROM topic_cursor WHERE peer = ?", peer);
  }

  /** Deletes what every subscriber took, and what is older than the presence timeout. */
  trim(): void {
    const cutoff = Date.now() - this.#host.config.limits.PRESENCE_TIMEOUT_MS;
    this.#host.writes.flush();
    this.#host.ctx.storage.sql.exec(TRIM, cutoff);
    this.#host.ctx.storage.sql.exec(
      "DELETE FROM topic_gap WHERE peer NOT IN (SELECT peer FROM topic_sub)",
    );
    this.#size = undefined;
  }

  /**
   * Subscriptions that arrived with their peers from another shard (`subscriber_moves.ts`),
   * already stored: kept in memory too, numbered after `last` from now on.
   *
   * @param subs `[topic, peer]` each.
   * @param last The last number given, the gap left for them included.
   */
  arrived(subs: readonly [string, string][], last: number): void {
    for (const [topic, peer] of subs) {
      this.#of(topic).add(peer);
      setIn(this.#byPeer, peer).add(topic);
    }
    this.#last = Math.max(this.#last, last);
    this.#size = undefined;
  }

  /**
   * Drops every subscription of the peers `inSlots` accepts, and their acknowledgements: their
   * slots left this shard.
   *
   * @param inSlots Whether a peer is in the slots.
   * @returns The topics left with no subscriber here.
   */
  left(inSlots: (peer: string) => boolean): string[] {
    this.#host.writes.flush();
    const emptied: string[] = [];
    const peers = [...this.#byPeer.keys()].filter(inSlots);
    for (const peer of peers) {
      for (const topic of this.#byPeer.get(peer)!) {
        const subs = this.#byTopic.get(topic);
        subs?.delete(peer);
        if (subs?.size === 0) {
          this.#byTopic.delete(topic);
          emptied.push(topic);
        }
      }
      this.#byPeer.delete(peer);
      this.#owed.delete(peer);
    }
    const list = JSON.stringify(peers);
    const sql = this.#host.ctx.storage.sql;
    for (const table of ["topic_sub", "topic_cursor", "topic_gap"]) {
      sql.exec(`DELETE FROM ${table} WHERE peer IN (SELECT value FROM json_each(?))`, list);
    }
    return emptied;
  }

  /** The last number given. */
  get last(): number {
    return this.#last;
  }

  /** The backlog's size now. */
  get size(): { rows: number; bytes: number } {
    this.#size ??= this.#host.ctx.storage.sql.exec<{ rows: number; bytes: number | null }>(
      "SELECT count(*) AS rows, sum(length(text)) AS bytes FROM topic_backlog",
    ).toArray().map((r) => ({ rows: r.rows, bytes: r.bytes ?? 0 }))[0];
    return { ...this.#size };
  }

  #grew(bytes: number): void {
    const size = this.size;
    size.rows++;
    size.bytes += bytes;
    this.#size = size;
    const { TOPIC_BACKLOG_MESSAGES: maxRows, TOPIC_BACKLOG_BYTES: maxBytes } =
      this.#host.config.limits;
    if (size.rows <= maxRows && size.bytes <= maxBytes) return;
    // Over a bound: first what was taken by all, then the oldest, down to seven eighths.
    this.trim();
    const sql = this.#host.ctx.storage.sql;
    while (this.size.rows > (maxRows * 7) / 8 || this.size.bytes > (maxBytes * 7) / 8) {
      const drop = Math.max(1, Math.ceil(this.size.rows / 8));
      sql.exec(
        "DELETE FROM topic_backlog WHERE seq IN (SELECT seq FROM topic_backlog ORDER BY seq LIMIT ?)",
        drop,
      );
      this.#size = undefined;
    }
  }

  #of(topic: string): Set<string> {
    return setIn(this.#byTopic, topic);
  }
}

/** The set under a key of a map of sets, made empty if there is none. */
function setIn(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (!set) map.set(key, set = new Set());
  return set;
}
