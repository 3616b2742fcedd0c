/**
 * Assertions with no runtime dependency, for test code that also runs inside workerd (the
 * storage contract on Durable Object SQLite).
 *
 * @module
 */

/** Thrown by a failed assertion. */
export class AssertionFailed extends Error {
  override name = "AssertionFailed";
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
    .sort();
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
    .sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) =>
    deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
  );
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => typeof x === "bigint" ? `${x}n` : x) ?? String(v);
}

/**
 * Asserts that a condition holds.
 *
 * @param condition The condition.
 * @param message What it means if it does not.
 */
export function check(condition: unknown, message = "Assertion failed"): asserts condition {
  if (!condition) throw new AssertionFailed(message);
}

/**
 * Asserts deep equality (undefined properties ignored; bigints compared by value).
 *
 * @param actual The value seen.
 * @param expected The value wanted.
 * @param message What it means if they differ.
 */
export function same<T>(actual: T, expected: T, message = ""): void {
  if (!deepEqual(actual, expected)) {
    throw new AssertionFailed(
      `${message ? message + ": " : ""}${show(actual)} is not ${show(expected)}`,
    );
  }
}
