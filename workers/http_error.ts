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
 * @returns The response.
 *
 * @example Usage
 * ```ts
 * import { jsonError } from "./http_error.ts";
 * console.assert(jsonError(404, "NOT_FOUND", "No route").status === 404);
 * ```
 */
export function jsonError(status: number, code: ErrorCode, message: string): Response {
  const body: Refusal = { ok: false, code, message };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
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

  /**
   * @param status The HTTP status.
   * @param code The stable code.
   * @param message What happened.
   */
  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code;
  }

  /**
   * The response that answers it.
   *
   * @returns The refusal's response.
   */
  response(): Response {
    return jsonError(this.status, this.code, this.message);
  }
}
