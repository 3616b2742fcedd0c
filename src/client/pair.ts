/**
 * Exactly-once, ordered delivery between two peers whose messages may travel two paths (the
 * relay and a direct channel) and switch between them. Each message carries a per-pair
 * sequence number; the receiver delivers in order, buffers what arrives early and drops what
 * it has seen; the sender keeps what is not yet acknowledged and replays it on the other path
 * when a path fails. Pure: the Peer decides what travels where.
 *
 * Either side may restart and lose its half. A sender's half has an epoch, a random number
 * chosen when it is made, which travels with each message: a new epoch tells the receiver to
 * start over. Each message also carries the sender's floor, the highest number acknowledged
 * to it: a receiver that restarted (and so knows nothing of the numbers below) starts there,
 * since everything up to the floor was delivered by its earlier life.
 *
 * @module
 */

import { DEFAULT_PAIR_WINDOW } from "./constants.ts";

/** A message stamped with its per-pair sequence number. */
export interface Stamped<T> {
  seq: number;
  data: T;
}

/**
 * The sending half: stamps messages, remembers them until acknowledged.
 *
 * @example Usage
 * ```ts
 * import { OutboundPair } from "./pair.ts";
 * const out = new OutboundPair<string>();
 * out.stamp("a");
 * out.stamp("b");
 * out.acknowledge(1);
 * console.assert(out.unacknowledged().map((m) => m.data).join() === "b");
 * ```
 */
export class OutboundPair<T> {
  /** This sending half's epoch: a random non-zero uint32. */
  readonly epoch: number;
  readonly #window: number;
  #next = 1;
  #acked = 0;
  readonly #unacked = new Map<number, T>();

  /**
   * @param window Most unacknowledged messages kept.
   * @param epoch The epoch; a random one by default.
   */
  constructor(window: number = DEFAULT_PAIR_WINDOW, epoch?: number) {
    this.#window = window;
    this.epoch = epoch ?? (crypto.getRandomValues(new Uint32Array(1))[0] || 1);
  }

  /** Whether the window is full: stamp no more until an acknowledgement. */
  get full(): boolean {
    return this.#unacked.size >= this.#window;
  }

  /** The highest sequence number acknowledged. */
  get acknowledged(): number {
    return this.#acked;
  }

  /**
   * Stamps a message and keeps it until acknowledged.
   *
   * @param data The message.
   * @returns It, with its sequence number.
   * @throws {RangeError} If the window is full.
   */
  stamp(data: T): Stamped<T> {
    if (this.full) {
      throw new RangeError(`Cannot send: ${this.#window} messages await acknowledgement`);
    }
    const seq = this.#next++;
    this.#unacked.set(seq, data);
    return { seq, data };
  }

  /**
   * Records that the receiver has everything up to `upTo`.
   *
   * @param upTo The highest sequence number received in order.
   */
  acknowledge(upTo: number): void {
    if (upTo <= this.#acked) return;
    for (let s = this.#acked + 1; s <= upTo; s++) this.#unacked.delete(s);
    this.#acked = Math.min(upTo, this.#next - 1);
  }

  /**
   * What to send again on another path: every unacknowledged message, in order.
   *
   * @returns The messages.
   */
  unacknowledged(): Stamped<T>[] {
    return [...this.#unacked.entries()].sort((a, b) => a[0] - b[0]).map(([seq, data]) => ({
      seq,
      data,
    }));
  }
}

/**
 * The receiving half: delivers in order, once.
 *
 * @example Usage
 * ```ts
 * import { InboundPair } from "./pair.ts";
 * const inbox = new InboundPair<string>();
 * console.assert(inbox.accept(2, "b").length === 0);
 * console.assert(inbox.accept(1, "a").join() === "a,b");
 * console.assert(inbox.accept(1, "a").length === 0);
 * ```
 */
export class InboundPair<T> {
  readonly #window: number;
  #delivered = 0;
  readonly #early = new Map<number, T>();

  /** @param window Most messages buffered ahead of the next one due. */
  constructor(window: number = DEFAULT_PAIR_WINDOW) {
    this.#window = window;
  }

  /** The highest sequence number delivered: the acknowledgement to send. */
  get delivered(): number {
    return this.#delivered;
  }

  /**
   * Takes a message from either path.
   *
   * @param seq Its sequence number.
   * @param data The message.
   * @param floor The sender's floor: everything up to it was acknowledged, by this half or by
   *   an earlier life of it, and will not come again.
   * @returns The messages now deliverable, in order (none for a repeat, or one that arrived
   *   early and waits; one past the window is dropped, to come again by replay).
   */
  accept(seq: number, data: T, floor = 0): T[] {
    if (Number.isInteger(floor) && floor > this.#delivered) {
      for (const s of this.#early.keys()) if (s <= floor) this.#early.delete(s);
      this.#delivered = floor;
    }
    const out: T[] = [];
    if (Number.isInteger(seq) && seq > this.#delivered && seq <= this.#delivered + this.#window) {
      this.#early.set(seq, data);
    }
    for (let next = this.#delivered + 1; this.#early.has(next); next++) {
      out.push(this.#early.get(next)!);
      this.#early.delete(next);
      this.#delivered = next;
    }
    return out;
  }
}
