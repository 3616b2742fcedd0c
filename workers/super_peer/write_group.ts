/**
 * Group commit: writes gathered for a moment and run together in one event, so that the
 * runtime commits them at once. Each durable write of a Durable Object is committed at the end
 * of the event that made it, and every message the object sends meanwhile (a bystander's
 * answer too) waits until that commit is durable: a flood of writes one per event holds every
 * other peer's answers behind a stream of commits (`docs/BENCHMARKS.md`, "Writes and the
 * output gate": 3.4x a bystander's p99 one per event, 1.03x gathered). Each write's promise
 * settles in the event that ran it, so an answer sent once it resolved leaves after the
 * commit: an answer still means the write is durable.
 *
 * A write may read too (a bound checked against the rows before it): the writes run in the
 * order they were queued, each seeing those before it. Reads outside the group need not wait
 * for it as long as what they must see was acknowledged, since an acknowledged write has run.
 *
 * @module
 */

/**
 * Writes of one object, gathered and run together.
 *
 * @example Usage
 * ```ts
 * import { WriteGroup } from "./write_group.ts";
 * const rows: string[] = [];
 * const group = new WriteGroup(20);
 * const stored = group.write(() => rows.push("a"));
 * group.flush(); // a read that needs the row runs what waits first
 * await stored;
 * console.assert(rows.length === 1);
 * ```
 */
export class WriteGroup {
  readonly #delayMs: number;
  #queued: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param delayMs How long a write may wait for others, in ms. */
  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  /**
   * Queues a write; it runs with the others of the next `delayMs`.
   *
   * @param write The write (synchronous SQL, and whatever it decides from its reads).
   * @returns Settles once it ran: with what it returned, or rejected with what it threw.
   */
  write<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queued.push(() => {
        try {
          resolve(write());
        } catch (error) {
          reject(error);
        }
      });
      this.#timer ??= setTimeout(() => this.flush(), this.#delayMs);
    });
  }

  /** Runs every write waiting, now (before a read that must see them). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const queued = this.#queued;
    this.#queued = [];
    for (const run of queued) run();
  }

  /** How many writes wait. */
  get waiting(): number {
    return this.#queued.length;
  }
}
