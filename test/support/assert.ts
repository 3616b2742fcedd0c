/**
 * Assertions for tests, on top of `node:assert/strict` (the standard library's assert
 * module lives on JSR, which the build machines cannot reach).
 *
 * @module
 */
import assert from "node:assert/strict";

export { assert };

/**
 * Asserts deep, strict equality.
 *
 * @param actual The value seen.
 * @param expected The value wanted.
 * @param message What it means if they differ.
 */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  assert.deepEqual(actual, expected, message);
}

/**
 * Asserts that a promise rejects, and returns the error.
 *
 * @param promise The promise.
 * @returns The error it rejected with.
 */
export async function assertRejects(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new assert.AssertionError({ message: "Expected the promise to reject" });
}

/**
 * Whether a call throws a `RangeError` (a size or index a tree does not have).
 *
 * @param f The call.
 * @returns Whether it threw one.
 */
export function throwsRange(f: () => unknown): boolean {
  try {
    f();
  } catch (e) {
    return e instanceof RangeError;
  }
  return false;
}
