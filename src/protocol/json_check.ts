/**
 * Checks of JSON values by shape, written out by hand: what the client needs to trust the
 * messages a network sends it, in a few hundred bytes instead of a schema library. Each check
 * answers yes or no and never throws; an object check lets keys it does not name pass, so that
 * a newer network's extra fields do not break an older client.
 *
 * The rules follow JSON as `JSON.parse` gives it: a number is finite, an integer is a safe
 * integer, an object is neither `null` nor an array.
 *
 * @module
 */

/** A check of a value parsed from JSON. */
export type Check = (value: unknown) => boolean;

/** An object of string keys (not `null`, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A string.
 *
 * @example Usage
 * ```ts
 * import { str } from "./json_check.ts";
 * console.assert(str("a") && !str(1));
 * ```
 */
export const str: Check = (v) => typeof v === "string";

/**
 * A finite number.
 *
 * @example Usage
 * ```ts
 * import { num } from "./json_check.ts";
 * console.assert(num(1.5) && !num("1"));
 * ```
 */
export const num: Check = (v) => typeof v === "number" && Number.isFinite(v);

/**
 * A number of at least zero.
 *
 * @example Usage
 * ```ts
 * import { nonNegative } from "./json_check.ts";
 * console.assert(nonNegative(0.5) && !nonNegative(-1));
 * ```
 */
export const nonNegative: Check = (v) => num(v) && (v as number) >= 0;

/**
 * A safe integer.
 *
 * @example Usage
 * ```ts
 * import { int } from "./json_check.ts";
 * console.assert(int(-3) && !int(1.5) && !int(2 ** 60));
 * ```
 */
export const int: Check = (v) => Number.isSafeInteger(v);

/**
 * A safe integer of at least zero.
 *
 * @example Usage
 * ```ts
 * import { nat } from "./json_check.ts";
 * console.assert(nat(0) && !nat(-1));
 * ```
 */
export const nat: Check = (v) => int(v) && (v as number) >= 0;

/**
 * A safe integer above zero.
 *
 * @example Usage
 * ```ts
 * import { positive } from "./json_check.ts";
 * console.assert(positive(1) && !positive(0));
 * ```
 */
export const positive: Check = (v) => int(v) && (v as number) > 0;

/**
 * `true` or `false`.
 *
 * @example Usage
 * ```ts
 * import { bool } from "./json_check.ts";
 * console.assert(bool(false) && !bool(0));
 * ```
 */
export const bool: Check = (v) => typeof v === "boolean";

/**
 * One of the values given.
 *
 * @example Usage
 * ```ts
 * import { oneOf } from "./json_check.ts";
 * console.assert(oneOf("join", "leave")("join") && !oneOf("join")("left"));
 * ```
 *
 * @param values The values allowed.
 * @returns The check.
 */
export function oneOf(...values: readonly (string | number | boolean)[]): Check {
  return (v) => values.includes(v as string);
}

/**
 * Absent, or passing a check.
 *
 * @example Usage
 * ```ts
 * import { opt, str } from "./json_check.ts";
 * console.assert(opt(str)(undefined) && opt(str)("a") && !opt(str)(null));
 * ```
 *
 * @param check The check of a present value.
 * @returns The check.
 */
export function opt(check: Check): Check {
  return (v) => v === undefined || check(v);
}

/**
 * `null`, or passing a check.
 *
 * @example Usage
 * ```ts
 * import { nullable, num } from "./json_check.ts";
 * console.assert(nullable(num)(null) && nullable(num)(1) && !nullable(num)(undefined));
 * ```
 *
 * @param check The check of a value that is not `null`.
 * @returns The check.
 */
export function nullable(check: Check): Check {
  return (v) => v === null || check(v);
}

/**
 * An array whose every item passes a check.
 *
 * @example Usage
 * ```ts
 * import { arrayOf, nat } from "./json_check.ts";
 * console.assert(arrayOf(nat)([0, 1]) && !arrayOf(nat)([0, -1]) && !arrayOf(nat)({}));
 * ```
 *
 * @param check The check of each item.
 * @returns The check.
 */
export function arrayOf(check: Check): Check {
  return (v) => Array.isArray(v) && v.every(check);
}

/**
 * An object whose every value passes a check.
 *
 * @example Usage
 * ```ts
 * import { num, recordOf } from "./json_check.ts";
 * console.assert(recordOf(num)({ a: 1 }) && !recordOf(num)({ a: "1" }));
 * ```
 *
 * @param check The check of each value.
 * @returns The check.
 */
export function recordOf(check: Check): Check {
  return (v) => isRecord(v) && Object.values(v).every(check);
}

/**
 * An object with the keys given, each passing its check (other keys pass unchecked).
 *
 * @example Usage
 * ```ts
 * import { nat, object, opt, str } from "./json_check.ts";
 * const peer = object({ peer: str, shard: nat, note: opt(str) });
 * console.assert(peer({ peer: "p", shard: 0, extra: 1 }) && !peer({ peer: "p" }));
 * ```
 *
 * @param shape The check of each key.
 * @returns The check.
 */
export function object(shape: Readonly<Record<string, Check>>): Check {
  const keys = Object.keys(shape);
  return (v) => isRecord(v) && keys.every((k) => shape[k](v[k]));
}
