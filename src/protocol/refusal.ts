/**
 * The one shape of every refusal, whether it travels over a socket (inside an `error`
 * message), as an HTTP body, or is returned by a function: `{ ok: false, code, message }`,
 * with a code from {@linkcode ERROR_CODES}.
 *
 * @module
 */
import type { ErrorCode } from "./errors.ts";

/** A refusal: a stable code and what happened, for people. */
export interface Refusal {
  /** Always `false`: tells a refusal from an answer. */
  ok: false;
  /** The stable code. */
  code: ErrorCode;
  /** What happened, for people. */
  message: string;
  /** For a refusal over a limit: how long to wait, in ms, before the same would pass. */
  retryAfter?: number;
}

/**
 * Makes a refusal.
 *
 * @param code The stable code.
 * @param message What happened.
 * @returns The refusal.
 *
 * @example Usage
 * ```ts
 * import { refusal } from "./refusal.ts";
 * console.assert(refusal("BAD_REQUEST", "Not a peer id").ok === false);
 * ```
 */
export function refusal(code: ErrorCode, message: string): Refusal {
  return { ok: false, code, message };
}

/**
 * Whether a value is a refusal (as opposed to an answer).
 *
 * @param value Anything.
 * @returns Whether it has `ok: false` and a string `code`.
 *
 * @example Usage
 * ```ts
 * import { isRefusal, refusal } from "./refusal.ts";
 * console.assert(isRefusal(refusal("NOT_FOUND", "no")));
 * console.assert(!isRefusal({ t: "sub.result" }));
 * ```
 */
export function isRefusal(value: unknown): value is Refusal {
  const v = value as Partial<Refusal> | null;
  return typeof v === "object" && v !== null && v.ok === false && typeof v.code === "string";
}
