/**
 * The hashes, key derivation and AEAD of sealing, from WebCrypto: SHA-256 and SHA-512,
 * HKDF-SHA-256, and AES-256-GCM under a key used once. Nothing here is written out by hand
 * and nothing is a library's, so a page's client carries no cipher or hash code of its own;
 * the price is that each is asynchronous, which the sealer's state machine orders.
 *
 * X25519 is the one primitive not taken from WebCrypto (`curve25519.ts`): not every runtime a
 * page runs in has it there, and key conversion needs the field arithmetic anyway.
 *
 * @module
 */

const subtle = crypto.subtle;
const ZERO_IV = new Uint8Array(12);
const encoder = new TextEncoder();

/**
 * SHA-256 of some bytes.
 *
 * @example Usage
 * ```ts
 * import { sha256 } from "./primitives.ts";
 * console.assert((await sha256(new TextEncoder().encode("abc")))[0] === 0xba);
 * ```
 *
 * @param bytes The bytes.
 * @returns The 32-byte digest.
 */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle.digest("SHA-256", bytes as BufferSource));
}

/**
 * SHA-512 of some bytes.
 *
 * @example Usage
 * ```ts
 * import { sha512 } from "./primitives.ts";
 * console.assert((await sha512(new TextEncoder().encode("abc")))[0] === 0xdd);
 * ```
 *
 * @param bytes The bytes.
 * @returns The 64-byte digest.
 */
export async function sha512(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle.digest("SHA-512", bytes as BufferSource));
}

/**
 * HKDF-SHA-256 (RFC 5869).
 *
 * @example Usage
 * ```ts
 * import { hkdf } from "./primitives.ts";
 * const okm = await hkdf(new Uint8Array(32), new Uint8Array(0), "keys", 96);
 * console.assert(okm.length === 96);
 * ```
 *
 * @param ikm The input key material.
 * @param salt The salt.
 * @param info What the key is for.
 * @param length How many bytes to derive.
 * @returns The output key material.
 */
export async function hkdf(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: string | Uint8Array,
  length: number,
): Promise<Uint8Array> {
  const key = await subtle.importKey("raw", ikm as BufferSource, "HKDF", false, ["deriveBits"]);
  const params = {
    name: "HKDF",
    hash: "SHA-256",
    salt: salt as BufferSource,
    info: (typeof info === "string" ? encoder.encode(info) : info) as BufferSource,
  };
  return new Uint8Array(await subtle.deriveBits(params, key, length * 8));
}

function aesKey(raw: Uint8Array, use: "encrypt" | "decrypt"): Promise<CryptoKey> {
  return subtle.importKey("raw", raw as BufferSource, "AES-GCM", false, [use]);
}

function params(aad: Uint8Array): AesGcmParams {
  return { name: "AES-GCM", iv: ZERO_IV, additionalData: aad as BufferSource, tagLength: 128 };
}

/**
 * Seals with AES-256-GCM under a key that seals nothing else (each is derived from fresh
 * ephemeral secrets or a fresh random salt), so the nonce is fixed at zero.
 *
 * @example Usage
 * ```ts
 * import { openOnce, sealOnce } from "./primitives.ts";
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const aad = new Uint8Array([1]);
 * const sealed = await sealOnce(key, aad, new TextEncoder().encode("hi"));
 * console.assert(new TextDecoder().decode(await openOnce(key, aad, sealed)) === "hi");
 * ```
 *
 * @param key 32 bytes, used for this message alone.
 * @param aad What is bound to it without being sealed.
 * @param plain What is sealed (empty: a 16-byte tag over `aad` alone).
 * @returns The ciphertext and its 16-byte tag.
 */
export async function sealOnce(
  key: Uint8Array,
  aad: Uint8Array,
  plain: Uint8Array,
): Promise<Uint8Array> {
  const k = await aesKey(key, "encrypt");
  return new Uint8Array(await subtle.encrypt(params(aad), k, plain as BufferSource));
}

/**
 * Opens what {@linkcode sealOnce} sealed.
 *
 * @example See {@linkcode sealOnce}.
 * ```ts
 * import { openOnce } from "./primitives.ts";
 * console.assert(await openOnce(new Uint8Array(32), new Uint8Array(0), new Uint8Array(16)) === undefined);
 * ```
 *
 * @param key The key it was sealed under.
 * @param aad What was bound to it.
 * @param sealed The ciphertext and tag.
 * @returns The plaintext, or `undefined` if the tag does not verify (altered, or another key).
 */
export async function openOnce(
  key: Uint8Array,
  aad: Uint8Array,
  sealed: Uint8Array,
): Promise<Uint8Array | undefined> {
  if (sealed.length < 16) return undefined;
  const k = await aesKey(key, "decrypt");
  try {
    return new Uint8Array(await subtle.decrypt(params(aad), k, sealed as BufferSource));
  } catch {
    return undefined;
  }
}
