/**
 * Subscribers' part in a slot move: the subscriptions of the peers homed in the moving slots,
 * and the topic messages they have not acknowledged, go to the destination as the slots are
 * released, before those peers are sent there, so that the first thing each hears at its new
 * home is what it missed, in the order it would have heard it at the old one.
 *
 * Topic messages reach a shard by topic, not by subscriber, so no fence holds them: they keep
 * coming to the source while the slots move. The hand-off is two calls. `open`: the
 * destination takes the subscriptions (each starting after everything it has numbered), leaves
 * a gap in its numbering for what the source will send, and joins the topics' homes, so that
 * from then on every message of those topics reaches it too. `rows`: the source sends every
 * message its moving subscribers have not acknowledged, read after `open` was answered; the
 * destination numbers them in the gap, for each one's subscriber alone, and skips one it
 * already holds for that subscriber (the same text, come to both shards after the join). Both
 * calls may be asked again (a release resumed after a restart) and change nothing more.
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import { EXPORT_PAGE_BYTES, type SlotMover } from "../slot_moves.ts";
import type { ServiceHost } from "./service_host.ts";
import type { Subscribers } from "./subscribers.ts";

/** A message one subscriber has not acknowledged: `[peer, topic, text, at]`. */
type SubscriberRow = [peer: string, topic: string, text: string, at: number];

/** A row's JSON beside its text, about: the peer, the topic, the time. */
const ROW_BYTES = 200;

/** What the source sends: the subscriptions, then the messages (in pages). */
export type SubscriberHandOff =
  | { step: "open"; subs: [topic: string, peer: string][] }
  | {
    step: "rows";
    rows: [peer: string, topic: string, text: string, at: number][];
    gap: SubscriberGap;
  };

/** The destination's answer to `open`: where its gap begins and ends. */
export interface SubscriberGap {
  base: number;
  end: number;
}

/**
 * The subscriptions of the peers in the slots.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { subscriptionsIn } from "./subscriber_moves.ts";
 * export const all = (sql: SqlStorage) => subscriptionsIn(sql, () => true);
 * ```
 *
 * @param sql The shard's SQLite.
 * @param inSlots Whether a peer is in the slots.
 * @returns `[topic, peer]` each.
 */
export function subscriptionsIn(
  sql: SqlStorage,
  inSlots: (key: string) => boolean,
): [topic: string, peer: string][] {
  const peers = sql.exec<{ peer: string }>("SELECT DISTINCT peer FROM topic_sub").toArray()
    .map((r) => r.peer).filter(inSlots);
  return sql.exec<{ topic: string; peer: string }>(
    "SELECT topic, peer FROM topic_sub WHERE peer IN (SELECT value FROM json_each(?)) " +
      "ORDER BY peer, topic",
    JSON.stringify(peers),
  ).toArray().map((r) => [r.topic, r.peer]);
}

/**
 * The messages each of `peers` has not acknowledged, in the order it would be sent them.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { unacknowledged } from "./subscriber_moves.ts";
 * export const owed = (sql: SqlStorage, peer: string) => unacknowledged(sql, [peer]).length;
 * ```
 *
 * @param sql The shard's SQLite.
 * @param peers The subscribers.
 * @returns `[peer, topic, text, at]` each.
 */
export function unacknowledged(
  sql: SqlStorage,
  peers: readonly string[],
): [peer: string, topic: string, text: string, at: number][] {
  return sql.exec<{ peer: string; topic: string; text: string; at: number }>(
    `SELECT s.peer AS peer, b.topic AS topic, b.text AS text, b.at AS at
      FROM topic_sub s JOIN topic_backlog b ON b.topic = s.topic AND b.seq > s.since
        AND (b.peer IS NULL OR b.peer = s.peer)
      WHERE s.peer IN (SELECT value FROM json_each(?))
        AND b.seq > coalesce((SELECT acked FROM topic_cursor c WHERE c.peer = s.peer), 0)
      ORDER BY s.peer, b.seq`,
    JSON.stringify(peers),
  ).toArray().map((r) => [r.peer, r.topic, r.text, r.at]);
}

/**
 * At the destination: takes the subscriptions of `open`. Peers that were opened here before
 * (an `open` asked again) keep what they have, and the gap already left is answered again.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { openSubscriptions } from "./subscriber_moves.ts";
 * export const open = (sql: SqlStorage, last: number) =>
 *   openSubscriptions(sql, [["news", "6Mk…"]], last, 16_384);
 * ```
 *
 * @param sql The shard's SQLite.
 * @param subs The subscriptions.
 * @param last The last number this shard gave.
 * @param perPeer The most messages one subscriber may be owed (the source's backlog bound).
 * @returns The gap, and the subscriptions new here.
 */
export function openSubscriptions(
  sql: SqlStorage,
  subs: readonly [topic: string, peer: string][],
  last: number,
  perPeer: number,
): { gap: SubscriberGap; added: [topic: string, peer: string][] } {
  const peers = [...new Set(subs.map(([, peer]) => peer))];
  const opened = sql.exec<{ base: number; stop: number }>(
    "SELECT base, stop FROM topic_gap WHERE peer IN (SELECT value FROM json_each(?)) LIMIT 1",
    JSON.stringify(peers),
  ).toArray()[0];
  if (opened) return { gap: { base: opened.base, end: opened.stop }, added: [] };
  const base = last;
  const end = base + perPeer * peers.length;
  // A row numbered at the gap's end and dropped: the sequence goes on after it.
  sql.exec("INSERT INTO topic_backlog (seq, topic, text, at) VALUES (?, '', '', 0)", end);
  sql.exec("DELETE FROM topic_backlog WHERE seq = ?", end);
  // Kept while the peer subscribes here, so that an `open` asked again finds it.
  sql.exec(
    "INSERT OR REPLACE INTO topic_gap (peer, base, stop) SELECT value, ?, ? FROM json_each(?)",
    base,
    end,
    JSON.stringify(peers),
  );
  sql.exec(
    "INSERT OR IGNORE INTO topic_sub (topic, peer, since) " +
      "SELECT value->>0, value->>1, ? FROM json_each(?)",
    base,
    JSON.stringify(subs),
  );
  // Nothing before the gap is theirs: their acknowledgement starts at its beginning.
  sql.exec(
    "INSERT OR REPLACE INTO topic_cursor (peer, acked) SELECT value, ? FROM json_each(?)",
    base,
    JSON.stringify(peers),
  );
  return { gap: { base, end }, added: [...subs] };
}

/**
 * At the destination: numbers the messages of `rows` in the gap, each for its subscriber
 * alone, skipping one it already holds for that subscriber.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { takeRows } from "./subscriber_moves.ts";
 * export const take = (sql: SqlStorage) => takeRows(sql, [], { base: 10, end: 100 });
 * ```
 *
 * @param sql The shard's SQLite.
 * @param rows `[peer, topic, text, at]` each, in order per peer.
 * @param gap The gap `open` left.
 * @returns How many were numbered.
 */
export function takeRows(
  sql: SqlStorage,
  rows: readonly [peer: string, topic: string, text: string, at: number][],
  gap: SubscriberGap,
): number {
  let next = sql.exec<{ seq: number | null }>(
    "SELECT max(seq) AS seq FROM topic_backlog WHERE seq > ? AND seq < ?",
    gap.base,
    gap.end,
  ).one().seq ?? gap.base;
  let taken = 0;
  for (const [peer, topic, text, at] of rows) {
    const held = sql.exec<{ n: number }>(
      "SELECT count(*) AS n FROM topic_backlog WHERE topic = ? AND text = ? AND seq > ? " +
        "AND (peer IS NULL OR peer = ?)",
      topic,
      text,
      gap.base,
      peer,
    ).one().n;
    if (held > 0 || next + 1 >= gap.end) continue;
    sql.exec(
      "INSERT INTO topic_backlog (seq, topic, text, at, peer) VALUES (?, ?, ?, ?, ?)",
      ++next,
      topic,
      text,
      at,
      peer,
    );
    taken++;
  }
  return taken;
}

/**
 * The subscribers' mover: nothing at the copy; handed off as the slots are released; dropped
 * after, the topics left with no subscriber here told so.
 *
 * @example Usage
 * ```ts
 * import type { ServiceHost } from "./service_host.ts";
 * import { Subscribers } from "./subscribers.ts";
 * import { subscriberMover } from "./subscriber_moves.ts";
 * export const mover = (host: ServiceHost) =>
 *   subscriberMover(host, new Subscribers(host), async () => {});
 * ```
 *
 * @param host The super-peer.
 * @param subs Its subscribers.
 * @param sync Tells a topic's home whether this shard has subscribers of it now.
 * @returns The mover.
 */
export function subscriberMover(
  host: ServiceHost,
  subs: Subscribers,
  sync: (topic: string) => Promise<void>,
): SlotMover {
  const sql = host.ctx.storage.sql;
  const { limits } = host.config;
  return {
    name: "subscribers",
    leaving: () => [],
    arriving: () => {},
    gone: (inSlots) => {
      // Their homes hear that this shard has none of these left, in turn with other calls.
      for (const topic of subs.left(inSlots)) host.ctx.waitUntil(sync(topic).catch(() => {}));
    },
    handOff: async (inSlots, send) => {
      host.writes.flush();
      const moving = subscriptionsIn(sql, inSlots);
      if (moving.length === 0) return;
      const gap = await send({ step: "open", subs: moving }) as SubscriberGap;
      // Read after the destination joined the topics' homes: what comes later reaches it. Peer
      // by peer, sent in pages of about `EXPORT_PAGE_BYTES`: a message waits once for each of
      // its subscribers, so the moving peers' rows can be many times `TOPIC_BACKLOG_BYTES`.
      // Each page goes on numbering where the last ended, and one asked again is skipped.
      let page: SubscriberRow[] = [];
      let bytes = 0;
      for (const peer of new Set(moving.map(([, p]) => p))) {
        for (const row of unacknowledged(sql, [peer])) {
          page.push(row);
          bytes += row[2].length + ROW_BYTES;
          if (bytes < EXPORT_PAGE_BYTES) continue;
          await send({ step: "rows", rows: page, gap });
          [page, bytes] = [[], 0];
        }
      }
      if (page.length > 0) await send({ step: "rows", rows: page, gap });
    },
    adopt: async (data) => {
      const o = data as SubscriberHandOff;
      host.writes.flush();
      if (o.step === "rows") {
        const taken = takeRows(sql, o.rows, o.gap);
        subs.arrived([], subs.last);
        return taken;
      }
      const fresh = o.subs.map(([topic]) => topic).filter((t) => subs.of(t).size === 0);
      const perPeer = limits.TOPIC_BACKLOG_MESSAGES;
      const { gap, added } = openSubscriptions(sql, o.subs, subs.last, perPeer);
      subs.arrived(added, gap.end);
      // This shard joins the homes of the topics it had no subscriber of, before answering.
      await Promise.all([...new Set(fresh)].map((topic) => sync(topic)));
      return gap;
    },
  };
}
