/**
 * Reads a request's JSON body with a bound: a body declared or found to be over the bound is
 * refused as soon as that is known, before the rest of it is read.
 *
 * @module
 */
import { HttpError } from "../http_error.ts";

/**
 * Reads and parses a JSON body of at most `maxBytes` bytes.
 *
 * @param request The request.
 * @param maxBytes The most bytes the body may hold.
 * @returns The parsed body.
 * @throws {HttpError} `413 FRAME_TOO_LARGE` over the bound; `400 BAD_REQUEST` if not JSON.
 *
 * @example Usage
 * ```ts
 * import { readJson } from "./read_json.ts";
 * const body = await readJson(new Request("http://x/", { method: "POST", body: "[1]" }), 64);
 * console.assert(Array.isArray(body));
 * ```
 */
export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const tooLarge = () => new HttpError(413, "FRAME_TOO_LARGE", `Body is over ${maxBytes} bytes`);
  // A declared length over the bound is refused unread; a false or missing one is caught
  // while reading, so no body costs more than the bound to refuse.
  if (Number(request.headers.get("content-length")) > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  let bytes = chunks[0] ?? new Uint8Array(0);
  if (chunks.length > 1) {
    bytes = new Uint8Array(total);
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new HttpError(400, "BAD_REQUEST", "Body is not JSON");
  }
}
