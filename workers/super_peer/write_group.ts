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
 * @module
 */

interface Queued {
  write: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

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
  #queued: Queued[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param delayMs How long a write may wait for others, in ms. */
  constructor(delayMs: number) {
    this.#delayMs = delayMs;
  }

  /**
   * Queues a write; it runs with the others of the next `delayMs`.
   *
   * @param write The write (synchronous SQL).
   * @returns Settles once it ran: resolved, or rejected with what it threw.
   */
  write(write: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ write, resolve, reject });
      this.#timer ??= setTimeout(() => this.flush(), this.#delayMs);
    });
  }

  /** Runs every write waiting, now (before a read that must see them). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const queued = this.#queued;
    this.#queued = [];
    for (const q of queued) {
      try {
        q.write();
        q.resolve();
      } catch (error) {
        q.reject(error);
      }
    }
  }

  /** How many writes wait. */
  get waiting(): number {
    return this.#queued.length;
  }
}
