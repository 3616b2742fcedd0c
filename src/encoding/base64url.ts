/**
 * base64url without padding (RFC 4648 §5), strict: a string decodes only if it is the one
 * encoding of its bytes (no padding, no stray characters, unused trailing bits zero), so no
 * two strings name the same signature, key or payload.
 *
 * Our own, not a library's: the client loads it with its core, and a page pays for every byte.
 *
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const CODES = new Uint8Array(64);
/** Each ASCII code's value, or 255 if it is not in the alphabet. */
const VALUES = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) {
  CODES[i] = ALPHABET.charCodeAt(i);
  VALUES[CODES[i]] = i;
}
const ascii = new TextDecoder();

function value(s: string, i: number): number {
  const c = s.charCodeAt(i);
  const v = c < 128 ? VALUES[c] : 255;
  if (v === 255) throw new SyntaxError(`Not base64url: character ${i} is not in the alphabet`);
  return v;
}

/**
 * base64url without padding.
 *
 * @example Round trip
 * ```ts
 * import { base64urlnopad } from "./base64url.ts";
 * const s = base64urlnopad.encode(new Uint8Array([251, 255]));
 * console.assert(s === "-_8");
 * console.assert(base64urlnopad.decode(s).join() === "251,255");
 * ```
 */
export const base64urlnopad = {
  /**
   * Encodes bytes.
   *
   * @param bytes The bytes.
   * @returns Their encoding.
   */
  encode(bytes: Uint8Array): string {
    const n = bytes.length;
    const out = new Uint8Array(Math.ceil(n * 4 / 3));
    let o = 0;
    let i = 0;
    for (; i + 2 < n; i += 3) {
      const x = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out[o++] = CODES[x >> 18];
      out[o++] = CODES[(x >> 12) & 63];
      out[o++] = CODES[(x >> 6) & 63];
      out[o++] = CODES[x & 63];
    }
    if (n - i === 1) {
      out[o++] = CODES[bytes[i] >> 2];
      out[o++] = CODES[(bytes[i] & 3) << 4];
    } else if (n - i === 2) {
      const x = (bytes[i] << 8) | bytes[i + 1];
      out[o++] = CODES[x >> 10];
      out[o++] = CODES[(x >> 4) & 63];
      out[o++] = CODES[(x & 15) << 2];
    }
    return ascii.decode(out);
  },

  /**
   * Decodes a string.
   *
   * @param s The encoding.
   * @returns Its bytes.
   * @throws {SyntaxError} If `s` is not the one unpadded base64url encoding of any bytes.
   */
  decode(s: string): Uint8Array {
    const n = s.length;
    const rest = n % 4;
    if (rest === 1) throw new SyntaxError(`Not base64url: ${n} characters`);
    const out = new Uint8Array(Math.floor(n * 3 / 4));
    let o = 0;
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const x = (value(s, i) << 18) | (value(s, i + 1) << 12) | (value(s, i + 2) << 6) |
        value(s, i + 3);
      out[o++] = x >> 16;
      out[o++] = (x >> 8) & 255;
      out[o++] = x & 255;
    }
    if (rest === 2) {
      const x = (value(s, i) << 6) | value(s, i + 1);
      if (x & 15) throw new SyntaxError("Not base64url: unused bits are not zero");
      out[o] = x >> 4;
    } else if (rest === 3) {
      const x = (value(s, i) << 12) | (value(s, i + 1) << 6) | value(s, i + 2);
      if (x & 3) throw new SyntaxError("Not base64url: unused bits are not zero");
      out[o++] = x >> 10;
      out[o] = (x >> 2) & 255;
    }
    return out;
  },
};
