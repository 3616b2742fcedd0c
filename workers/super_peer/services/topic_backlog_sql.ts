/**
 * The tables of a shard's subscribers (`subscribers.ts`): the subscriptions (`topic_sub`, each
 * starting after the number it was made at), the backlog of topic messages, the subscribers'
 * acknowledgements, and the gaps left for the backlogs of subscribers that arrived from
 * another shard (`subscriber_moves.ts`).
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS topic_sub (topic TEXT NOT NULL, peer TEXT NOT NULL,
  since INTEGER NOT NULL, PRIMARY KEY (topic, peer));
CREATE INDEX IF NOT EXISTS topic_sub_peer ON topic_sub (peer);
CREATE TABLE IF NOT EXISTS subscription (topic TEXT NOT NULL, peer TEXT NOT NULL);
INSERT OR IGNORE INTO topic_sub SELECT topic, peer, 0 FROM subscription;
DROP TABLE subscription;
CREATE TABLE IF NOT EXISTS topic_backlog (seq INTEGER PRIMARY KEY AUTOINCREMENT,
  topic TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS topic_backlog_topic ON topic_backlog (topic, seq);
CREATE TABLE IF NOT EXISTS topic_cursor (peer TEXT PRIMARY KEY, acked INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS topic_gap (peer TEXT PRIMARY KEY, base INTEGER NOT NULL,
  stop INTEGER NOT NULL);
`;

/**
 * Deletes the backlog's rows every subscriber of their topic acknowledged (or subscribed after),
 * and those older than the one bound value, the cutoff.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { TRIM } from "./topic_backlog_sql.ts";
 * export const trim = (sql: SqlStorage) => sql.exec(TRIM, Date.now() - 60_000);
 * ```
 */
export const TRIM = `
WITH floor AS MATERIALIZED (
  SELECT s.topic AS topic, min(max(s.since, coalesce(c.acked, 0))) AS f
  FROM topic_sub s LEFT JOIN topic_cursor c ON c.peer = s.peer GROUP BY s.topic)
DELETE FROM topic_backlog WHERE at < ? OR seq <= coalesce(
  (SELECT f FROM floor WHERE floor.topic = topic_backlog.topic), 9007199254740991)
`;

/**
 * Creates the tables if missing, and the column a backlog stored before moves lacks.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { openTopicBacklog } from "./topic_backlog_sql.ts";
 * export const open = (sql: SqlStorage) => openTopicBacklog(sql);
 * ```
 *
 * @param sql The shard's SQLite.
 */
export function openTopicBacklog(sql: SqlStorage): void {
  sql.exec(SCHEMA);
  // A message kept for one subscriber alone (handed over by the shard it moved from) names it;
  // the others are for every subscriber of their topic.
  const columns = sql.exec<{ name: string }>("PRAGMA table_info(topic_backlog)").toArray();
  if (!columns.some((c) => c.name === "peer")) {
    sql.exec("ALTER TABLE topic_backlog ADD COLUMN peer TEXT");
  }
}
