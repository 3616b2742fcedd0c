/**
 * The publish numbers taken from each publisher of each topic: a repeat, or a publish a relay
 * plays again, is dropped. A publish that comes late (overtaken on its way, by a restart of a
 * shard, say) is still taken once if it is at most `TOPIC_REORDER_WINDOW` numbers behind the
 * publisher's highest: a high-water mark alone would take it for a repeat, and lose it. Kept
 * across restarts with the peer's marks (the highest number per publisher).
 *
 * @module
 */
import { TOPIC_MARKS, TOPIC_REORDER_WINDOW } from "../seal/seal_bounds.ts";

const WINDOW = BigInt(TOPIC_REORDER_WINDOW);
const ALL = (1n << WINDOW) - 1n;

/** One publisher's numbers: the highest taken, and which of the ones below it were. */
interface Taken {
  high: number;
  /** Bit i: number `high - 1 - i` was taken. */
  below: bigint;
}

/**
 * A bounded map of (topic, publisher) to the numbers taken; past its bound the least recently
 * marked goes first.
 *
 * @example Usage
 * ```ts
 * import { TopicMarks } from "./topic_marks.ts";
 * const marks = new TopicMarks();
 * console.assert(marks.take("news", "a", 1) && !marks.take("news", "a", 1));
 * console.assert(marks.take("news", "a", 5) && marks.take("news", "a", 3)); // late, once
 * console.assert(!marks.take("news", "a", 3) && !marks.take("news", "a", 1));
 * ```
 */
export class TopicMarks {
  readonly #max: number;
  readonly #taken = new Map<string, Taken>();
  /** Called when a mark moves (to save the marks). */
  changed?: () => void;

  /**
   * Makes an empty map.
   *
   * @param max How many publishers to remember. @default TOPIC_MARKS
   */
  constructor(max: number = TOPIC_MARKS) {
    this.#max = max;
  }

  /**
   * Takes a publish number once: above the publisher's highest, or late by at most
   * `TOPIC_REORDER_WINDOW` and not taken yet.
   *
   * @param topic The topic.
   * @param from The publisher.
   * @param n The publish's number.
   * @returns Whether it is new.
   */
  take(topic: string, from: string, n: number): boolean {
    const key = `${topic}\n${from}`;
    const t = this.#taken.get(key);
    if (t === undefined || n > t.high) {
      const shift = t === undefined ? WINDOW : BigInt(n - t.high);
      const below = t === undefined || shift > WINDOW
        ? 0n
        : ((t.below << shift) | (1n << (shift - 1n))) & ALL;
      this.#set(key, { high: n, below });
    } else {
      const behind = t.high - 1 - n;
      if (behind < 0 || behind >= TOPIC_REORDER_WINDOW) return false;
      const bit = 1n << BigInt(behind);
      if (t.below & bit) return false;
      t.below |= bit;
    }
    this.changed?.();
    return true;
  }

  /**
   * The highest number taken per publisher, least recently moved first.
   *
   * @returns `[topic + "\n" + publisher, n]` pairs.
   */
  entries(): [string, number][] {
    return [...this.#taken].map(([key, t]) => [key, t.high]);
  }

  /**
   * Puts back marks kept before a restart: everything up to each number counts as taken (which
   * of the last ones came late is not kept); a mark already higher here stays.
   *
   * @param entries Pairs as {@linkcode TopicMarks.entries} gave them.
   */
  restore(entries: Iterable<[string, number]>): void {
    for (const [key, n] of entries) {
      if (n > (this.#taken.get(key)?.high ?? -1)) this.#set(key, { high: n, below: ALL });
    }
  }

  #set(key: string, t: Taken): void {
    this.#taken.delete(key);
    this.#taken.set(key, t);
    if (this.#taken.size > this.#max) this.#taken.delete(this.#taken.keys().next().value!);
  }
}
