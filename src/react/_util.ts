/**
 * What the hooks share: a bounded list, and an error said in words.
 *
 * @module
 */

/**
 * A list with one more item at its end, cut to its last `max` items. A new array each time:
 * React sees a change by reference.
 *
 * @param list The list.
 * @param item The item.
 * @param max Most items kept (at least one).
 * @returns The new list.
 */
export function appendBounded<T>(list: readonly T[], item: T, max: number): T[] {
  const keep = Math.max(1, Math.floor(max));
  const out = list.length >= keep ? list.slice(list.length - keep + 1) : list.slice();
  out.push(item);
  return out;
}

/**
 * An error as a person reads it: its message, and its stable code when it has one.
 *
 * @param error What was thrown, or a refusal.
 * @returns The words.
 */
export function inWords(error: unknown): string {
  if (error && typeof error === "object") {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const text = typeof message === "string" && message !== "" ? message : String(error);
    return typeof code === "string" ? `${text} (${code})` : text;
  }
  return String(error);
}
