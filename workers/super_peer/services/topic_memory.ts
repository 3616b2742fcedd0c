/**
 * What a topic's home remembers to drop repeats: each publisher's last number on each topic.
 * Bounded: forgotten after `TOPIC_MEMORY_MS` without a publish, and past
 * `MAX_TOPIC_PUBLISHERS_PER_SHARD` entries the least recently used go first (a repeat of a
 * publish that old is delivered again, and the client drops it by its number).
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import type { NetworkConfig } from "../../config.ts";

const SCHEMA = `
DROP TABLE IF EXISTS topic_last;
CREATE TABLE IF NOT EXISTS topic_seen (topic TEXT NOT NULL, publisher TEXT NOT NULL,
  n INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (topic, publisher));
CREATE INDEX IF NOT EXISTS topic_seen_at ON topic_seen (at);
`;

/**
 * Publishers' last numbers at one shard.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { NetworkConfig } from "../../config.ts";
 * import { TopicMemory } from "./topic_memory.ts";
 * export function isNew(ctx: DurableObjectState, config: NetworkConfig, publisher: string, n: number) {
 *   const memory = new TopicMemory(ctx, config);
 *   return !memory.repeat("news", publisher, n); // then it fans out
 * }
 * ```
 */
export class TopicMemory {
  readonly #ctx: DurableObjectState;
  readonly #config: NetworkConfig;
  /** Rows, counted once, then kept up to date (undefined: count again). */
  #rows: number | undefined;

  /**
   * @param ctx The object's state (its SQLite storage).
   * @param config The network's config.
   */
  constructor(ctx: DurableObjectState, config: NetworkConfig) {
    this.#ctx = ctx;
    this.#config = config;
    ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Whether a publish is a repeat: a publisher's numbers only rise, so one not above its last
   * on the topic was seen. If it is new, its number is remembered.
   *
   * @param topic The topic.
   * @param publisher The publisher.
   * @param n Its number.
   * @returns Whether it was seen.
   */
  repeat(topic: string, publisher: string, n: number): boolean {
    const sql = this.#ctx.storage.sql;
    const seen = sql.exec<{ n: number }>(
      "SELECT n FROM topic_seen WHERE topic = ? AND publisher = ?",
      topic,
      publisher,
    ).toArray()[0];
    if (n <= (seen?.n ?? 0)) return true;
    sql.exec(
      "INSERT OR REPLACE INTO topic_seen VALUES (?, ?, ?, ?)",
      topic,
      publisher,
      n,
      Date.now(),
    );
    if (!seen) this.#bound();
    return false;
  }

  /** Forgets the numbers of publishers idle on a topic for `TOPIC_MEMORY_MS`. */
  forgetIdle(): void {
    const cutoff = Date.now() - this.#config.limits.TOPIC_MEMORY_MS;
    this.#ctx.storage.sql.exec("DELETE FROM topic_seen WHERE at < ?", cutoff);
    this.#rows = undefined;
  }

  /** Rows arrived or left with a slot: counted again when next needed. */
  recount(): void {
    this.#rows = undefined;
  }

  #bound(): void {
    const sql = this.#ctx.storage.sql;
    this.#rows ??= sql.exec<{ n: number }>("SELECT count(*) AS n FROM topic_seen").one().n - 1;
    this.#rows++;
    const over = this.#rows - this.#config.limits.MAX_TOPIC_PUBLISHERS_PER_SHARD;
    if (over <= 0) return;
    sql.exec(
      "DELETE FROM topic_seen WHERE rowid IN (SELECT rowid FROM topic_seen ORDER BY at LIMIT ?)",
      over,
    );
    this.#rows -= over;
  }
}
