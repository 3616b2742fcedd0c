/**
 * The fan-out of a topic's home: each message it took goes once to every shard with
 * subscribers, durably. The message is written to an outbox before the publish is answered,
 * leaves in per-shard batches (one call in flight per shard), and its row is deleted once
 * that shard has it. Order per shard is kept through everything: a client takes a message
 * whose number is below one it already delivered only within a small window
 * (`TOPIC_REORDER_WINDOW`), so a message overtaken by more is a message lost.
 * So once a shard has rows that could not be queued (its queue was full, a call to it
 * failed, this object restarted), new rows for it wait in the outbox behind them, and the
 * queue is topped up from the outbox in order: as batches settle, or after a failed call at
 * the next alarm. A shard may get a message twice; subscribers drop repeats by the
 * publisher's number. Bounded: past `MAX_FANOUT_PENDING` rows a publish is refused.
 *
 * @module
 */
import { ShardQueue } from "../../../src/routing/mod.ts";
import { logEvent } from "../../log.ts";
import type { ServiceHost } from "./service_host.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS fanout_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,
  shard INTEGER NOT NULL, topic TEXT NOT NULL, text TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fanout_outbox_shard ON fanout_outbox (shard, seq);
`;

/** Tries of one call; then the row waits for the alarm. */
const RETRIES = 4;

interface Item {
  shard: number;
  seq: number;
  topic: string;
  text: string;
}

/**
 * The durable fan-out of one super-peer.
 *
 * @example Usage
 * ```ts
 * import type { ServiceHost } from "./service_host.ts";
 * import { Fanout } from "./fanout.ts";
 * // At a topic's home: a message for shard 3, which has subscribers of "news".
 * export function send(host: ServiceHost, text: string): boolean {
 *   const fanout = new Fanout(host);
 *   if (fanout.full()) return false; // the publish is refused with OVERLOADED
 *   fanout.send(3, "news", text);
 *   return true;
 * }
 * ```
 */
export class Fanout {
  readonly #host: ServiceHost;
  readonly #queue: ShardQueue<Item>;
  /** Per shard, the last row handed to the queue: rows after it are read from the outbox. */
  readonly #queuedUpTo = new Map<number, number>();
  /** Shards with rows in the outbox not yet queued: new rows for them wait behind those. */
  readonly #behind = new Set<number>();
  /** Shards whose last call failed: they wait for the alarm before trying again. */
  readonly #failed = new Set<number>();
  #rows: number | undefined;

  /** @param host The super-peer. */
  constructor(host: ServiceHost) {
    this.#host = host;
    const sql = host.ctx.storage.sql;
    sql.exec(SCHEMA);
    // What a restart left behind goes first, whatever comes for those shards meanwhile.
    for (
      const { shard } of sql.exec<{ shard: number }>("SELECT DISTINCT shard FROM fanout_outbox")
    ) {
      this.#behind.add(shard);
    }
    const { limits } = host.config;
    this.#queue = new ShardQueue<Item>({
      deliver: async (shard, items) => {
        // A topic with no subscriber there any more is the shard's to tell (`PubSub.sync`):
        // only it knows whether a join is on its way.
        await host.call(
          shard,
          (s) => s.topicDeliver(items.map((i) => i.topic), items.map((i) => i.text)),
          RETRIES,
        );
        this.#settle(shard, items);
        return [];
      },
      // Unreachable: nothing after it may go first, so what waits is taken back; the rows
      // stay, and go again from the oldest at the next alarm.
      onUndelivered: ({ shard }, _reason, error) => {
        if (!this.#failed.has(shard)) {
          logEvent("fanout.retry", {
            shard: host.shard(),
            dest: shard,
            waiting: host.ctx.storage.sql.exec<{ n: number }>(
              "SELECT count(*) AS n FROM fanout_outbox WHERE shard = ?",
              shard,
            ).one().n,
            error: String(error),
          }, "warn");
        }
        this.#queue.drop(shard);
        this.#queuedUpTo.delete(shard);
        this.#behind.add(shard);
        this.#failed.add(shard);
      },
      maxQueued: limits.MAX_SHARD_QUEUE_FRAMES,
      maxBatch: limits.MAX_RELAY_BATCH_FRAMES,
    });
  }

  /** Whether the outbox holds `MAX_FANOUT_PENDING` rows already. */
  full(): boolean {
    this.#rows ??= this.#host.ctx.storage.sql.exec<{ n: number }>(
      "SELECT count(*) AS n FROM fanout_outbox",
    ).one().n;
    return this.#rows >= this.#host.config.limits.MAX_FANOUT_PENDING;
  }

  /**
   * Sends a message to a shard with subscribers: written down first, then queued behind
   * everything written before it for that shard.
   *
   * @param shard The subscribing shard.
   * @param topic The topic.
   * @param text The message, ready to hand over.
   */
  send(shard: number, topic: string, text: string): void {
    const sql = this.#host.ctx.storage.sql;
    const seq = sql.exec<{ seq: number }>(
      "INSERT INTO fanout_outbox (shard, topic, text) VALUES (?, ?, ?) RETURNING seq",
      shard,
      topic,
      text,
    ).one().seq;
    if (this.#rows !== undefined) this.#rows++;
    if (this.#behind.has(shard)) {
      if (!this.#failed.has(shard)) this.#topUp(shard);
    } else if (this.#queue.push(shard, { shard, seq, topic, text })) {
      this.#queuedUpTo.set(shard, seq);
    } else {
      this.#behind.add(shard);
    }
    // Should the call fail or this object restart, the alarm sends it again.
    this.#host.ctx.waitUntil(
      this.#host.wakeBy(Date.now() + this.#host.config.limits.RECEIPT_RETRY_MS),
    );
  }

  /**
   * Tries again the shards whose call failed, and fills the queues of those behind (the
   * alarm calls it).
   *
   * @returns Whether anything is still waiting (the alarm then comes back).
   */
  retry(): boolean {
    this.#failed.clear();
    for (const shard of [...this.#behind]) this.#topUp(shard);
    return this.#host.ctx.storage.sql.exec("SELECT 1 FROM fanout_outbox LIMIT 1").toArray()
      .length > 0;
  }

  /** Queues a shard's oldest rows not queued yet, as many as its queue has room for. */
  #topUp(shard: number): void {
    const room = this.#host.config.limits.MAX_SHARD_QUEUE_FRAMES - this.#queue.queued(shard);
    if (room <= 0) return;
    const rows = this.#host.ctx.storage.sql.exec<Omit<Item, "shard">>(
      "SELECT seq, topic, text FROM fanout_outbox WHERE shard = ? AND seq > ? ORDER BY seq LIMIT ?",
      shard,
      this.#queuedUpTo.get(shard) ?? 0,
      room,
    ).toArray();
    for (const row of rows) {
      if (!this.#queue.push(shard, { shard, ...row })) return;
      this.#queuedUpTo.set(shard, row.seq);
    }
    if (rows.length < room) this.#behind.delete(shard);
  }

  #settle(shard: number, items: Item[]): void {
    const sql = this.#host.ctx.storage.sql;
    for (const { seq } of items) sql.exec("DELETE FROM fanout_outbox WHERE seq = ?", seq);
    this.#rows = undefined;
    if (this.#behind.has(shard) && !this.#failed.has(shard)) this.#topUp(shard);
  }
}
