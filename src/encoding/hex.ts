/**
 * Hexadecimal: lowercase out; either case in, as long as every pair is two hex digits.
 *
 * Our own, not a library's: the client loads it with its core, and a page pays for every byte.
 *
 * @module
 */

const DIGITS = "0123456789abcdef";
/** Each byte's two digits. */
const PAIRS = Array.from({ length: 256 }, (_, i) => DIGITS[i >> 4] + DIGITS[i & 15]);

function digit(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32; // either case
  if (l >= 97 && l <= 102) return l - 87;
  throw new SyntaxError(`Not hex: character ${i} is not a hex digit`);
}

/**
 * Hexadecimal.
 *
 * @example Round trip
 * ```ts
 * import { hex } from "./hex.ts";
 * console.assert(hex.encode(new Uint8Array([0, 171])) === "00ab");
 * console.assert(hex.decode("00AB").join() === "0,171");
 * ```
 */
export const hex = {
  /**
   * Encodes bytes, lowercase.
   *
   * @param bytes The bytes.
   * @returns Two digits per byte.
   */
  encode(bytes: Uint8Array): string {
    let s = "";
    for (let i = 0; i < bytes.length; i++) s += PAIRS[bytes[i]];
    return s;
  },

  /**
   * Decodes two digits per byte.
   *
   * @param s The digits.
   * @returns The bytes.
   * @throws {SyntaxError} If `s` has an odd length or a character that is not a digit.
   */
  decode(s: string): Uint8Array {
    if (s.length % 2) throw new SyntaxError(`Not hex: ${s.length} characters`);
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = (digit(s, 2 * i) << 4) | digit(s, 2 * i + 1);
    return out;
  },
};
