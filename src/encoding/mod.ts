/**
 * Text encodings of bytes: base64url (unpadded, strict), hexadecimal and base58btc. Our own, so
 * that the client's core carries a few hundred bytes for them instead of a library's codecs.
 *
 * @example
 * ```ts
 * import { base58, base64urlnopad, hex } from "./mod.ts";
 * const b = new Uint8Array([1, 2, 3]);
 * console.assert(base64urlnopad.encode(b) === "AQID" && hex.encode(b) === "010203");
 * console.assert(base58.decode(base58.encode(b)).join() === "1,2,3");
 * ```
 *
 * @module
 */
export { base58, isBase58 } from "./base58.ts";
export { base64urlnopad } from "./base64url.ts";
export { hex } from "./hex.ts";
