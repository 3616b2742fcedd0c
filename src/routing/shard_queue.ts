/**
 * Ordered, batched hand-off of frames to other shards. One call is in flight per destination
 * shard at a time, so frames from one sender reach another shard in the order they were
 * sent; frames that arrive meanwhile wait and leave together as the next batch. A batch
 * leaves one event-loop turn after its first frame (unless it is full already), so that the
 * events waiting in the runtime join it: without the wait, a call to a shard on the same
 * machine returns so fast that batches held two frames, and the calls cost more than the
 * frames.
 *
 * @module
 */
import { nextTurn } from "../runtime/next_turn.ts";

/** How a batch is handed to a shard: resolves with the indices of items not delivered. */
export type DeliverBatch<T> = (shard: number, items: T[]) => Promise<number[]>;

/** Called for each item a shard did not deliver, or all of a batch whose call failed. */
export type OnUndelivered<T> = (
  item: T,
  reason: "not_found" | "unreachable",
  error?: unknown,
) => void;

/** Options of a {@linkcode ShardQueue}. */
export interface ShardQueueOptions<T> {
  /** Hands one batch to a shard. */
  deliver: DeliverBatch<T>;
  /** Told of every item that was not delivered. */
  onUndelivered: OnUndelivered<T>;
  /** Most items queued for one shard; past it `push()` refuses. */
  maxQueued: number;
  /** Most items in one batch. */
  maxBatch: number;
}

/**
 * Per-shard FIFO queues with one batch in flight per shard.
 *
 * @example Usage
 * ```ts
 * import { ShardQueue } from "./shard_queue.ts";
 * const seen: string[] = [];
 * const q = new ShardQueue<string>({
 *   deliver: (_shard, items) => { seen.push(...items); return Promise.resolve([]); },
 *   onUndelivered: () => {},
 *   maxQueued: 10,
 *   maxBatch: 4,
 * });
 * q.push(1, "a");
 * q.push(1, "b");
 * await q.idle();
 * console.assert(seen.join() === "a,b");
 * ```
 */
export class ShardQueue<T> {
  readonly #options: ShardQueueOptions<T>;
  readonly #queues = new Map<number, T[]>();
  readonly #flights = new Map<number, Promise<void>>();

  /**
   * Makes an empty queue.
   *
   * @param options How to deliver, and the bounds.
   */
  constructor(options: ShardQueueOptions<T>) {
    this.#options = options;
  }

  /**
   * Queues an item for a shard and starts a flight if none is running.
   *
   * @param shard The destination shard.
   * @param item The item.
   * @returns `false` if the shard's queue is full and the item was not queued.
   */
  push(shard: number, item: T): boolean {
    let queue = this.#queues.get(shard);
    if (!queue) {
      queue = [];
      this.#queues.set(shard, queue);
    }
    if (queue.length >= this.#options.maxQueued) return false;
    queue.push(item);
    if (!this.#flights.has(shard)) {
      this.#flights.set(shard, this.#drain(shard, queue));
    }
    return true;
  }

  /**
   * Takes back everything waiting for a shard (not the batch in flight): for a caller that
   * must stop after a failed call rather than let later items overtake the failed ones.
   *
   * @param shard The destination shard.
   * @returns The items taken back, in order.
   */
  drop(shard: number): T[] {
    // Emptied in place: a running flight holds this array and stops when it is empty.
    return this.#queues.get(shard)?.splice(0) ?? [];
  }

  /** Items waiting for a shard, not counting the batch in flight. */
  queued(shard: number): number {
    return this.#queues.get(shard)?.length ?? 0;
  }

  /** Resolves once nothing is queued or in flight. */
  async idle(): Promise<void> {
    while (this.#flights.size > 0) {
      await Promise.all(this.#flights.values());
    }
  }

  async #drain(shard: number, queue: T[]): Promise<void> {
    try {
      // A lone item leaves once the code that queued it is done (what it queues in the same
      // turn goes along), not after the events waiting behind it: it must not wait for company
      // that may never come. What arrives while its call is out forms the next batch.
      let first = true;
      while (queue.length > 0) {
        // Before each later batch, let the events already waiting (frames from other sockets,
        // say) run and join it: one call per frame would cost more than the frames.
        if (first) await Promise.resolve();
        else if (queue.length < this.#options.maxBatch) await nextTurn();
        first = false;
        const batch = queue.splice(0, this.#options.maxBatch);
        let missing: number[];
        try {
          missing = await this.#options.deliver(shard, batch);
        } catch (error) {
          for (const item of batch) this.#options.onUndelivered(item, "unreachable", error);
          continue;
        }
        for (const i of missing) {
          if (i >= 0 && i < batch.length) this.#options.onUndelivered(batch[i], "not_found");
        }
      }
    } finally {
      this.#flights.delete(shard);
    }
  }
}
