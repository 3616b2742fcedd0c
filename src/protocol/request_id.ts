/**
 * The `id` of a request frame the network refuses before reading it (over the sender's rate,
 * or too large), found without parsing the frame: a refusal must name the request it refuses
 * (section 5 of the protocol), and parsing a frame the sender has not paid for would be work
 * it does not pay for. Only where clients put it is looked at: the frame's first and last
 * `REQUEST_ID_SCAN_CHARS` characters.
 *
 * @module
 */

/** Characters looked at, at each end of a frame, for its `id`. */
export const REQUEST_ID_SCAN_CHARS = 64;

// A key can only follow `{` or `,`; inside a JSON string a quote is escaped, so `,"id":` in the
// raw text is never string content. A nested object's `"id"` could match, but no request has a
// nested numeric `id`, and a wrong frame only mislabels its own sender's refusal.
const ID = /[{,]\s*"id"\s*:\s*(\d{1,16})\s*[,}]/g;

/**
 * Finds the `id` of a request frame without parsing it.
 *
 * @param text The frame, as the peer sent it.
 * @returns The id, if one is at either end of the frame.
 *
 * @example Usage
 * ```ts
 * import { requestIdOf } from "./request_id.ts";
 * console.assert(requestIdOf('{"t":"pub","topic":"a","data":"x","id":27}') === 27);
 * console.assert(requestIdOf('{"id":3,"t":"lookup","peer":"p"}') === 3);
 * console.assert(requestIdOf('{"t":"pub","data":"\\"id\\":5}"}') === undefined);
 * ```
 */
export function requestIdOf(text: string): number | undefined {
  const head = [...text.slice(0, REQUEST_ID_SCAN_CHARS).matchAll(ID)][0];
  const found = head ?? [...text.slice(-REQUEST_ID_SCAN_CHARS).matchAll(ID)].at(-1);
  const id = found ? Number(found[1]) : undefined;
  return id !== undefined && Number.isSafeInteger(id) ? id : undefined;
}
