/**
 * A topic home's part in a slot move: for the topics in the moving slots, which shards have
 * subscribers (`topic_shard`, and the same rows of other keys kept that way, such as the
 * occupied shards) and each publisher's last number (`topic_seen`, so that a repeat sent to
 * the new home is still dropped). Publishes and joins of those topics wait behind the fence
 * while this is copied, and go to the new home after.
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import type { SlotMover } from "../slot_moves.ts";
import { inPieces } from "../table_movers.ts";
import { deleteRows, insertRows } from "../moved_rows.ts";
import { jsonRuns } from "../../../src/ledger/sql_database.ts";

/** What leaves: `[topic, shard]` and `[topic, publisher, n, at]` rows. */
interface Leaving {
  shards: [string, number][];
  seen: [string, string, number, number][];
}

/**
 * The topic home's mover.
 *
 * @example Usage
 * ```ts
 * import type { SqlStorage } from "cloudflare:workers";
 * import { topicHomeMover } from "./topic_moves.ts";
 * export const mover = (sql: SqlStorage) => topicHomeMover(sql, () => {});
 * ```
 *
 * @param sql The shard's SQLite, with the pub/sub tables.
 * @param changed Told the topics whose rows arrived or left (what memory holds of them is stale).
 * @returns The mover.
 */
export function topicHomeMover(
  sql: SqlStorage,
  changed: (topics: readonly string[]) => void,
): SlotMover {
  const rowsIn = (inSlots: (key: string) => boolean): Leaving => ({
    shards: sql.exec<{ topic: string; shard: number }>("SELECT topic, shard FROM topic_shard")
      .toArray().filter((r) => inSlots(r.topic)).map((r) => [r.topic, r.shard]),
    seen: sql.exec<{ topic: string; publisher: string; n: number; at: number }>(
      "SELECT topic, publisher, n, at FROM topic_seen",
    ).toArray().filter((r) => inSlots(r.topic)).map((r) => [r.topic, r.publisher, r.n, r.at]),
  });
  const topicsOf = (l: Leaving) => [...new Set([...l.shards, ...l.seen].map((r) => r[0]))];
  return {
    name: "topics",
    leaving: (inSlots) => inPieces(rowsIn(inSlots)),
    arriving: (rows) => {
      for (const l of rows as Leaving[]) {
        insertRows(sql, "topic_shard", ["topic", "shard"], l.shards, "IGNORE");
        // A number only rises: one asked to arrive twice, or already higher here, stays.
        for (const run of jsonRuns(l.seen)) {
          sql.exec(
            "INSERT INTO topic_seen (topic, publisher, n, at) " +
              "SELECT value->>0, value->>1, value->>2, value->>3 FROM json_each(?) WHERE true " +
              "ON CONFLICT (topic, publisher) DO UPDATE SET n = max(n, excluded.n), " +
              "at = max(at, excluded.at)",
            run,
          );
        }
        changed(topicsOf(l));
      }
    },
    gone: (inSlots) => {
      const l = rowsIn(inSlots);
      const topics = topicsOf(l).map((t) => [t]);
      deleteRows(sql, "topic_shard", ["topic"], topics);
      deleteRows(sql, "topic_seen", ["topic"], topics);
      changed(topicsOf(l));
    },
  };
}
