/**
 * The fan-out of a topic's home: each message it took goes once to every shard with
 * subscribers, durably. The message is written to an outbox before the publish is answered,
 * leaves in per-shard batches (one call in flight per shard, order kept), and its row is
 * deleted once that shard has it; what a failed call or a restart left behind goes again at
 * the next alarm. A shard may get a message twice; subscribers drop repeats by the
 * publisher's number. Bounded: past `MAX_FANOUT_PENDING` rows a publish is refused.
 *
 * @module
 */
import { ShardQueue } from "../src/routing/_shard_queue.ts";
import type { ServiceHost } from "./service_host.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS fanout_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,
  shard INTEGER NOT NULL, topic TEXT NOT NULL, text TEXT NOT NULL);
`;

/** Tries of one call; then the row waits for the alarm. */
const RETRIES = 4;

interface Item {
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
 *   const fanout = new Fanout(host, (topic, shard) => console.log(`${shard} left ${topic}`));
 *   if (fanout.full()) return false; // the publish is refused with OVERLOADED
 *   fanout.send(3, "news", text);
 *   return true;
 * }
 * ```
 */
export class Fanout {
  readonly #host: ServiceHost;
  readonly #queue: ShardQueue<Item>;
  /** Rows handed to the queue and not yet settled. */
  readonly #inFlight = new Set<number>();
  #rows: number | undefined;

  /**
   * @param host The super-peer.
   * @param unsubscribed Told of a shard that has no subscriber of a topic left.
   */
  constructor(host: ServiceHost, unsubscribed: (topic: string, shard: number) => void) {
    this.#host = host;
    host.ctx.storage.sql.exec(SCHEMA);
    const { limits } = host.config;
    this.#queue = new ShardQueue<Item>({
      deliver: async (shard, items) => {
        const missing = await host.call(
          shard,
          (s) => s.topicDeliver(items.map((i) => i.topic), items.map((i) => i.text)),
          RETRIES,
        );
        for (const i of missing) unsubscribed(items[i].topic, shard);
        this.#settle(items);
        return [];
      },
      // Unreachable: the rows stay, and go again at the next alarm.
      onUndelivered: (item) => this.#inFlight.delete(item.seq),
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
   * Sends a message to a shard with subscribers: written down first, then queued.
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
    this.#push(shard, { seq, topic, text });
    // Should the call fail or this object restart, the alarm sends it again.
    this.#host.ctx.waitUntil(
      this.#host.wakeBy(Date.now() + this.#host.config.limits.RECEIPT_RETRY_MS),
    );
  }

  /**
   * Queues again what is written down and not in flight (the alarm calls it).
   *
   * @returns Whether anything is still waiting (the alarm then comes back).
   */
  retry(): boolean {
    const rows = this.#host.ctx.storage.sql.exec<Item & { shard: number }>(
      "SELECT seq, shard, topic, text FROM fanout_outbox ORDER BY seq LIMIT ?",
      this.#host.config.limits.MAX_SHARD_QUEUE_FRAMES,
    ).toArray();
    for (const { seq, shard, topic, text } of rows) {
      if (!this.#inFlight.has(seq)) this.#push(shard, { seq, topic, text });
    }
    return rows.length > 0;
  }

  #push(shard: number, item: Item): void {
    if (this.#queue.push(shard, item)) this.#inFlight.add(item.seq);
  }

  #settle(items: Item[]): void {
    const sql = this.#host.ctx.storage.sql;
    for (const { seq } of items) {
      sql.exec("DELETE FROM fanout_outbox WHERE seq = ?", seq);
      this.#inFlight.delete(seq);
    }
    this.#rows = undefined;
  }
}
