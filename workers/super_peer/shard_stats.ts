/**
 * One shard's figures, as `GET /v1/shards/:k/stats`, `/v1/metrics` and the `$stats` topic
 * show them: the counters the rooms keep in memory since the object started, and what its
 * storage holds now (its latest block, receipts owed, mail waiting, subscriptions, backlog),
 * each read with one small query on a bounded table.
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import type { RelayStats, StatsAnswer } from "../../src/protocol/mod.ts";

/** What storage holds, read for the figures. */
type Stored = Pick<
  StatsAnswer,
  "head" | "receiptsPending" | "mailWaiting" | "subscriptions" | "topicBacklog"
>;

// A table a room has not made yet (the room was never used here) counts as empty; any other
// failure is a fault to see, not a zero.
function count(sql: SqlStorage, table: string): number {
  try {
    return Number(sql.exec(`SELECT count(*) AS n FROM ${table}`).one().n);
  } catch (error) {
    if (String(error).includes("no such table")) return 0;
    throw error;
  }
}

function head(sql: SqlStorage): StatsAnswer["head"] {
  try {
    const row = sql.exec(
      `SELECT height, json_extract(block, '$.header.entries') AS entries,
        json_extract(block, '$.header.timestamp') AS timestamp
       FROM ledger_block ORDER BY height DESC LIMIT 1`,
    ).toArray()[0];
    return row
      ? {
        height: Number(row.height),
        entries: Number(row.entries),
        timestamp: Number(row.timestamp),
      }
      : null;
  } catch {
    return null;
  }
}

/**
 * What one shard's storage holds now, for its figures.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { storedFigures } from "./shard_stats.ts";
 * export const mail = (sql: SqlStorage) => storedFigures(sql).mailWaiting;
 * ```
 *
 * @param sql The shard's SQLite.
 * @returns Its latest block, receipts owed, mail, subscriptions and topic backlog.
 */
export function storedFigures(sql: SqlStorage): Stored {
  return {
    head: head(sql),
    receiptsPending: count(sql, "ledger_outbox"),
    mailWaiting: count(sql, "mailbox"),
    subscriptions: count(sql, "topic_sub"),
    topicBacklog: count(sql, "topic_backlog"),
  };
}

/**
 * One shard's figures: its counters, its peers and what its storage holds.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { shardFigures } from "./shard_stats.ts";
 * import { emptyStats } from "./relay.ts";
 * export const figures = (sql: SqlStorage) => shardFigures(sql, emptyStats(), 0, false);
 * ```
 *
 * @param sql The shard's SQLite.
 * @param counters The counters the rooms keep.
 * @param peers Peers connected now.
 * @param occupied Whether the shard is listed as having peers online.
 * @returns The figures, but the shard's number and its pairs' routes (`route_reports.ts`).
 */
export function shardFigures(
  sql: SqlStorage,
  counters: RelayStats,
  peers: number,
  occupied: boolean,
): Omit<StatsAnswer, "shard" | "routes" | "turnPeers" | "turnPeerMaxBytes"> {
  return {
    ...counters,
    refusals: { ...counters.refusals },
    peers,
    occupied,
    ...storedFigures(sql),
  };
}
