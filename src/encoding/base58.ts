/**
 * base58btc (the Bitcoin alphabet), as peer ids are written: each leading zero byte is a `1`,
 * the rest a big number in base 58. Quadratic in the length, which is fine for ids (34 bytes)
 * and is all it is used for.
 *
 * Our own, not a library's: the client loads it with its core, and a page pays for every byte.
 *
 * @module
 */

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
/** Each ASCII code's value, or 255 if it is not in the alphabet. */
const VALUES = new Uint8Array(128).fill(255);
for (let i = 0; i < 58; i++) VALUES[ALPHABET.charCodeAt(i)] = i;

/**
 * base58btc.
 *
 * @example Round trip
 * ```ts
 * import { base58 } from "./base58.ts";
 * console.assert(base58.encode(new Uint8Array([0, 0, 1, 0])) === "115R");
 * console.assert(base58.decode("115R").join() === "0,0,1,0");
 * ```
 */
export const base58 = {
  /**
   * Encodes bytes.
   *
   * @param bytes The bytes.
   * @returns Their encoding.
   */
  encode(bytes: Uint8Array): string {
    let zeros = 0;
    while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
    // Base-58 digits, least significant first: each byte multiplies the number by 256.
    const digits: number[] = [];
    for (let i = zeros; i < bytes.length; i++) {
      let carry = bytes[i];
      for (let j = 0; j < digits.length; j++) {
        carry += digits[j] << 8;
        digits[j] = carry % 58;
        carry = (carry / 58) | 0;
      }
      while (carry > 0) {
        digits.push(carry % 58);
        carry = (carry / 58) | 0;
      }
    }
    let s = "1".repeat(zeros);
    for (let j = digits.length - 1; j >= 0; j--) s += ALPHABET[digits[j]];
    return s;
  },

  /**
   * Decodes a string.
   *
   * @param s The encoding.
   * @returns Its bytes.
   * @throws {SyntaxError} If a character is not in the alphabet.
   */
  decode(s: string): Uint8Array {
    let zeros = 0;
    while (zeros < s.length && s[zeros] === "1") zeros++;
    // Bytes, least significant first: each digit multiplies the number by 58.
    const bytes: number[] = [];
    for (let i = zeros; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let carry = c < 128 ? VALUES[c] : 255;
      if (carry === 255) throw new SyntaxError(`Not base58: character ${i} is not in the alphabet`);
      for (let j = 0; j < bytes.length; j++) {
        carry += bytes[j] * 58;
        bytes[j] = carry & 255;
        carry >>= 8;
      }
      while (carry > 0) {
        bytes.push(carry & 255);
        carry >>= 8;
      }
    }
    const out = new Uint8Array(zeros + bytes.length);
    for (let j = 0; j < bytes.length; j++) out[out.length - 1 - j] = bytes[j];
    return out;
  },
};

/**
 * Whether every byte is a base58btc character (ASCII), read with the decoder's table: a frame's
 * header checks a peer id so without decoding it.
 *
 * @example Usage
 * ```ts
 * import { isBase58 } from "./base58.ts";
 * console.assert(isBase58(new TextEncoder().encode("6Mk")) && !isBase58(new Uint8Array([48])));
 * ```
 *
 * @param bytes ASCII bytes.
 * @returns Whether they are all base58btc.
 */
export function isBase58(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c >= 128 || VALUES[c] === 255) return false;
  }
  return true;
}
