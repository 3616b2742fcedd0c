/**
 * The last publish number taken from each publisher of each topic: a repeat, or an older
 * publish a relay plays again, is dropped. Kept across restarts with the peer's marks.
 *
 * @module
 */
import { TOPIC_MARKS } from "../seal/seal_bounds.ts";

/**
 * A bounded map of (topic, publisher) to the highest number taken; past its bound the least
 * recently marked goes first.
 *
 * @example Usage
 * ```ts
 * import { TopicMarks } from "./topic_marks.ts";
 * const marks = new TopicMarks();
 * console.assert(marks.take("news", "a", 1) && !marks.take("news", "a", 1));
 * console.assert(marks.take("news", "a", 5) && !marks.take("news", "a", 3));
 * ```
 */
export class TopicMarks {
  readonly #max: number;
  readonly #last = new Map<string, number>();
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
   * Takes a publish number once: it must be above the publisher's last.
   *
   * @param topic The topic.
   * @param from The publisher.
   * @param n The publish's number.
   * @returns Whether it is new (and is now the publisher's last).
   */
  take(topic: string, from: string, n: number): boolean {
    const key = `${topic}\n${from}`;
    const last = this.#last.get(key);
    if (last !== undefined && n <= last) return false;
    this.#set(key, n);
    this.changed?.();
    return true;
  }

  /**
   * The marks, least recently moved first.
   *
   * @returns `[topic + "\n" + publisher, n]` pairs.
   */
  entries(): [string, number][] {
    return [...this.#last];
  }

  /**
   * Puts back marks kept before a restart; a mark already higher here stays.
   *
   * @param entries Pairs as {@linkcode TopicMarks.entries} gave them.
   */
  restore(entries: Iterable<[string, number]>): void {
    for (const [key, n] of entries) {
      if (n > (this.#last.get(key) ?? -1)) this.#set(key, n);
    }
  }

  #set(key: string, n: number): void {
    this.#last.delete(key);
    this.#last.set(key, n);
    if (this.#last.size > this.#max) this.#last.delete(this.#last.keys().next().value!);
  }
}
