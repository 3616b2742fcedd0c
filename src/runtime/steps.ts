/**
 * Work in steps: a long computation written as a generator that yields between slices of its
 * work, so that its host can choose to run it in one go (`runSteps`) or give the event loop back
 * between slices (`pacedSteps`). A Durable Object shares its thread with every message it
 * handles, and workerd's clock stands still while code runs, so a long computation cannot time
 * itself: it counts its work and yields after a fixed amount.
 *
 * @module
 */
import { nextTurn } from "./next_turn.ts";

/** A computation in steps: it yields between slices of its work and returns its result. */
export type Steps<T> = Generator<void, T, void>;

/**
 * Runs a computation in steps to its end, at once.
 *
 * @param steps The computation.
 * @returns Its result.
 *
 * @example Usage
 * ```ts
 * import { runSteps } from "./steps.ts";
 * function* count() { yield; yield; return 2; }
 * console.assert(runSteps(count()) === 2);
 * ```
 */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * Runs a computation in steps, giving the event loop back between them. The first slice runs
 * before this returns its promise, in the caller's turn: what it reads is read in that turn.
 *
 * @param steps The computation.
 * @param pause What to wait for between steps (a later turn of the event loop by default).
 * @returns Its result.
 *
 * @example Usage
 * ```ts
 * import { pacedSteps } from "./steps.ts";
 * let turns = 0;
 * function* count() { yield; yield; return 2; }
 * const two = await pacedSteps(count(), async () => void turns++);
 * console.assert(two === 2 && turns === 2);
 * ```
 */
export async function pacedSteps<T>(
  steps: Steps<T>,
  pause: () => Promise<void> = nextTurn,
): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await pause();
  }
}
