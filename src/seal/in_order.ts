/**
 * Work that finishes out of order, acted on in order and a turn at a time: the AEAD of sealed
 * data runs asynchronously (WebCrypto), so many messages may be sealing or opening at once,
 * but each is handed on only after every one given before it, and all that were given in one
 * turn of the event loop are handed on together, in one later turn. That keeps what the
 * connection batches by turn batched: in a browser each WebCrypto result comes back in a
 * task of its own, and handed on one by one, 140 sealed frames went out as 140 WebSocket
 * messages instead of a few.
 *
 * @module
 */

interface Group {
  works: unknown[];
  thens: ((value: never) => void)[];
}

/**
 * Results handed on in the order their work was added, a turn's worth at a time.
 *
 * @example Usage
 * ```ts
 * import { InOrder } from "./in_order.ts";
 * const order = new InOrder();
 * const seen: number[] = [];
 * const later = new Promise<number>((done) => setTimeout(() => done(1), 5));
 * order.add(later, (n) => seen.push(n));
 * order.add(2, (n) => seen.push(n)); // ready first, yet waits for 1
 * await order.idle();
 * console.assert(seen.join() === "1,2");
 * ```
 */
export class InOrder {
  #tail: Promise<void> | undefined;
  #group: Group | undefined;
  #pending = 0;
  #idle: (() => void)[] = [];

  /**
   * Hands `work`'s result to `then` once it and all added before it are done, with the rest of
   * its turn. Work that is not a promise, with nothing waiting before it, is handed on at once
   * (a handshake message keeps its synchronous path).
   *
   * @param work The result, or the promise of it.
   * @param then What to do with it.
   */
  add<T>(work: T | Promise<T>, then: (value: T) => void): void {
    if (!this.#tail && !this.#group && !(work instanceof Promise)) return then(work);
    if (work instanceof Promise) work.catch(() => {}); // reported when its turn comes
    if (!this.#group) {
      const group: Group = this.#group = { works: [], thens: [] };
      this.#pending++;
      queueMicrotask(() => this.#close(group));
    }
    this.#group.works.push(work);
    this.#group.thens.push(then as (value: never) => void);
  }

  /** Whether anything is still waiting. */
  get busy(): boolean {
    return this.#pending > 0;
  }

  /**
   * Settles once nothing waits.
   *
   * @returns A promise.
   */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((done) => this.#idle.push(done));
  }

  // The turn is over: its group waits for the groups before it and for its own work.
  #close(group: Group): void {
    this.#group = undefined;
    const next: Promise<void> = (this.#tail ?? Promise.resolve())
      .then(() => Promise.allSettled(group.works))
      .then((results) => {
        results.forEach((r, i) => {
          try {
            if (r.status === "rejected") throw r.reason;
            group.thens[i](r.value as never);
          } catch (e) {
            // The host's own failure is its to report; the others are handed on.
            queueMicrotask(() => {
              throw e;
            });
          }
        });
      })
      .finally(() => {
        if (this.#tail === next) this.#tail = undefined;
        if (--this.#pending === 0) { for (const done of this.#idle.splice(0)) done(); }
      });
    this.#tail = next;
  }
}
