/**
 * The one shape of every HTTP refusal: a {@linkcode Refusal} body
 * (`{"ok":false,"code","message"}`) with its HTTP status. A handler throws an
 * {@linkcode HttpError}; the edge's one `onError` turns it into the response.
 *
 * @module
 */
import type { ErrorCode, Refusal } from "../src/protocol/mod.ts";

/**
 * Builds a refusal's response.
 *
 * @param status The HTTP status.
 * @param code The stable code.
 * @param message What happened.
 * @param retryAfter For a refusal over a limit: the wait, in ms (also `Retry-After`, in s).
 * @returns The response.
 *
 * @example Usage
 * ```ts
 * import { jsonError } from "./http_error.ts";
 * console.assert(jsonError(404, "NOT_FOUND", "No route").status === 404);
 * ```
 */
export function jsonError(
  status: number,
  code: ErrorCode,
  message: string,
  retryAfter?: number,
): Response {
  const body: Refusal = { ok: false, code, message, retryAfter };
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
  // The standard header is in whole seconds; the body keeps the milliseconds.
  if (retryAfter !== undefined) headers["retry-after"] = String(Math.ceil(retryAfter / 1000));
  return new Response(JSON.stringify(body), { status, headers });
}

/**
 * A refusal thrown by an HTTP handler, with the status it is answered with.
 *
 * @example Usage
 * ```ts
 * import { HttpError } from "./http_error.ts";
 * const e = new HttpError(400, "BAD_REQUEST", "Body is not JSON");
 * console.assert(e.response().status === 400);
 * ```
 */
export class HttpError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The stable code. */
  readonly code: ErrorCode;
  /** For a refusal over a limit: the wait, in ms. */
  readonly retryAfter: number | undefined;

  /**
   * @param status The HTTP status.
   * @param code The stable code.
   * @param message What happened.
   * @param retryAfter For a refusal over a limit: the wait, in ms.
   */
  constructor(status: number, code: ErrorCode, message: string, retryAfter?: number) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  /**
   * The response that answers it.
   *
   * @returns The refusal's response.
   */
  response(): Response {
    return jsonError(this.status, this.code, this.message, this.retryAfter);
  }
}
