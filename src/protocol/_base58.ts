/**
 * A private helper of the frame codecs: checks ASCII id bytes against the base58btc alphabet
 * with a lookup table, so a header is checked without decoding the id. Not exported from the
 * package.
 *
 * @module
 */

const BASE58 = new Uint8Array(128);
for (const c of "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") {
  BASE58[c.charCodeAt(0)] = 1;
}

/**
 * Whether every byte is a base58btc character.
 *
 * @param id ASCII bytes.
 * @returns Whether they are all base58btc.
 */
export function isBase58(id: Uint8Array): boolean {
  for (let i = 0; i < id.length; i++) {
    const c = id[i];
    if (c >= 128 || BASE58[c] === 0) return false;
  }
  return true;
}
