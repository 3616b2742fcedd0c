/**
 * The one shape of every HTTP error: `{"error":{"code","message"}}` with a stable code.
 *
 * @module
 */
import type { ErrorCode } from "../src/protocol/mod.ts";

/**
 * Builds a JSON error response.
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
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
