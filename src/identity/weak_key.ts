/**
 * Ed25519 public keys no one should be able to be: the encodings of the eight points of small
 * order (for which anyone can make a signature that verifies, and whose X25519 form gives a
 * shared secret anyone knows), and encodings that are not canonical (a y coordinate at or past
 * the field's prime, which some verifiers accept and others refuse). A peer id of such a key is
 * not a peer id: refused at the hello, in the ledger and by the sealer alike.
 *
 * @module
 */

/**
 * The y coordinates of the small-order points, little-endian, sign bit clear: 0 (order 4),
 * 1 (order 1), p − 1 (order 2), and the two of order 8. The test derives the eight points
 * from the curve itself and checks this list against them.
 */
const SMALL_ORDER_Y: readonly string[] = [
  "0000000000000000000000000000000000000000000000000000000000000000",
  "0100000000000000000000000000000000000000000000000000000000000000",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
];

/**
 * Whether a 32-byte Ed25519 public key is weak: small order, or not canonically encoded.
 * A few byte comparisons: no point is decoded.
 *
 * @param key The public key's 32 bytes.
 * @returns `true` if it must be refused.
 *
 * @example Usage
 * ```ts
 * import { isWeakPublicKey } from "./weak_key.ts";
 * const identity = new Uint8Array(32);
 * identity[0] = 1; // the neutral point: any signature verifies for it
 * console.assert(isWeakPublicKey(identity));
 * ```
 */
export function isWeakPublicKey(key: Uint8Array): boolean {
  if (key.length !== 32) return true;
  // y ≥ p = 2^255 − 19: the top byte (sign bit clear) 0x7f, then 30 bytes of 0xff, then the
  // lowest byte 0xed or more.
  if ((key[31] & 0x7f) === 0x7f && key[0] >= 0xed && key.subarray(1, 31).every((b) => b === 0xff)) {
    return true;
  }
  const y = hexWithoutSign(key);
  return SMALL_ORDER_Y.includes(y);
}

function hexWithoutSign(key: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < 32; i++) {
    const b = i === 31 ? key[i] & 0x7f : key[i];
    hex += b.toString(16).padStart(2, "0");
  }
  return hex;
}
