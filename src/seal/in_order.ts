/**
 * Work that finishes out of order, acted on in order: the AEAD of sealed data runs
 * asynchronously (WebCrypto), so several messages to or from one peer may be sealing or
 * opening at once, but each is handed on only after every one before it (per peer), and as
 * soon as it and they are done. Holding a turn's results until all were sealed, so that they
 * left together, was tried: it kept the first frame back until the last was sealed, bought
 * nothing between two browser pages, and its run between two Deno peers came out lower (104
 * against 142 MB/s, though runs here vary as much), so the simpler order stays.
 *
 * @module
 */

/**
 * Per key, results handed on in the order their work was added.
 *
 * @example Usage
 * ```ts
 * import { InOrder } from "./in_order.ts";
 * const order = new InOrder();
 * const seen: number[] = [];
 * const later = new Promise<number>((done) => setTimeout(() => done(1), 5));
 * order.add("peer", later, (n) => seen.push(n));
 * order.add("peer", 2, (n) => seen.push(n)); // ready first, yet waits for 1
 * await order.idle();
 * console.assert(seen.join() === "1,2");
 * ```
 */
export class InOrder {
  readonly #tails = new Map<string, Promise<void>>();
  #pending = 0;
  #idle: (() => void)[] = [];

  /**
   * Hands `work`'s result to `then` once it is done and all added before it for `key` have
   * been handed on. Work that is not a promise, with nothing waiting before it, is handed on
   * at once (a handshake message keeps its synchronous path).
   *
   * @param key Whose order it keeps (a peer id).
   * @param work The result, or the promise of it.
   * @param then What to do with it.
   */
  add<T>(key: string, work: T | Promise<T>, then: (value: T) => void): void {
    const tail = this.#tails.get(key);
    if (!tail && !(work instanceof Promise)) return then(work);
    this.#pending++;
    const next: Promise<void> = (tail ?? Promise.resolve())
      .then(() => work)
      .then(then)
      // The host's own failure is its to report; the order goes on.
      .catch((e) =>
        queueMicrotask(() => {
          throw e;
        })
      )
      .finally(() => {
        if (this.#tails.get(key) === next) this.#tails.delete(key);
        if (--this.#pending > 0) return;
        for (const done of this.#idle.splice(0)) done();
      });
    this.#tails.set(key, next);
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
}
