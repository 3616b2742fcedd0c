/**
 * A turn of the event loop given back, for work that would otherwise hold it.
 *
 * @module
 */

/**
 * Resolves on a later turn of the event loop: a macrotask, not a microtask. Work that chains
 * calls answered in the same process (a service binding on its caller's thread, a Durable
 * Object calling one beside it) never returns to the loop between them, so the runtime reads
 * no socket until the whole chain is done; awaiting this between steps lets the frames that
 * arrived meanwhile be handled first.
 *
 * @example Usage
 * ```ts
 * import { nextTurn } from "./next_turn.ts";
 * const order: string[] = [];
 * setTimeout(() => order.push("waiting"), 0);
 * await nextTurn();
 * order.push("mine");
 * console.assert(order.join() === "waiting,mine");
 * ```
 *
 * @returns Settles on a later turn.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
