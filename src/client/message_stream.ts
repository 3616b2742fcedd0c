/**
 * A bounded buffer read as an async iterator: what arrives while nobody is reading waits,
 * up to a cap, and what arrives past the cap is counted and dropped.
 *
 * @module
 */

/**
 * A bounded async stream.
 *
 * @example Usage
 * ```ts
 * import { MessageStream } from "./message_stream.ts";
 * const s = new MessageStream<number>(10);
 * s.push(1);
 * s.end();
 * const seen: number[] = [];
 * for await (const n of s) seen.push(n);
 * console.assert(seen[0] === 1);
 * ```
 */
export class MessageStream<T> implements AsyncIterableIterator<T> {
  readonly #cap: number;
  readonly #buffer: T[] = [];
  readonly #waiters: ((result: IteratorResult<T>) => void)[] = [];
  #ended = false;
  /** Items dropped because the buffer was full. */
  dropped = 0;

  /**
   * Makes an empty stream.
   *
   * @param cap The most items buffered while nobody reads.
   */
  constructor(cap: number) {
    this.#cap = cap;
  }

  /**
   * Adds an item, handing it straight to a waiting reader if there is one.
   *
   * @param item The item.
   * @returns `false` if the stream has ended or the buffer is full (the item is dropped).
   */
  push(item: T): boolean {
    if (this.#ended) return false;
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter({ value: item, done: false });
      return true;
    }
    if (this.#buffer.length >= this.#cap) {
      this.dropped++;
      return false;
    }
    this.#buffer.push(item);
    return true;
  }

  /** Ends the stream; buffered items can still be read. */
  end(): void {
    this.#ended = true;
    for (const waiter of this.#waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  /** Reads the next item. */
  next(): Promise<IteratorResult<T>> {
    if (this.#buffer.length > 0) {
      return Promise.resolve({ value: this.#buffer.shift()!, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Stops reading; ends the stream. */
  return(): Promise<IteratorResult<T>> {
    this.end();
    this.#buffer.length = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The stream itself: it is its own iterator. */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
