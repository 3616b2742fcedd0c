/**
 * The X25519 keys of sealing, derived from the Ed25519 identities peers already have: a
 * peer id is an Ed25519 public key, which maps to one X25519 public key (the birational map
 * between the two forms of Curve25519), and the identity's seed maps to the matching X25519
 * secret. So a sender holds the recipient's sealing key as soon as it holds its peer id, with
 * no directory to ask and nothing for the relay to swap.
 *
 * @module
 */
import { base64urlnopad } from "../encoding/mod.ts";
import { edwardsToMontgomery, x25519, x25519PublicKey } from "./curve25519.ts";
import { publicKeyFromPeerId } from "../identity/peer_id.ts";
import { sha512 } from "./primitives.ts";

// Converted keys, kept because the same peers recur (a conversion is a field inversion).
// Bounded: cleared when full.
const converted = new Map<string, Uint8Array>();
const CONVERTED_MAX = 4_096;

/**
 * The X25519 public key of a peer id.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { sealPublicKey } from "./keys.ts";
 * const me = await Identity.generate();
 * console.assert(sealPublicKey(me.peerId).length === 32);
 * ```
 *
 * @param peerId The peer id.
 * @returns The 32-byte key. Do not modify it.
 * @throws {SyntaxError} If `peerId` is not a peer id.
 */
export function sealPublicKey(peerId: string): Uint8Array {
  let key = converted.get(peerId);
  if (!key) {
    key = edwardsToMontgomery(publicKeyFromPeerId(peerId));
    if (converted.size >= CONVERTED_MAX) converted.clear();
    converted.set(peerId, key);
  }
  return key;
}

/**
 * The X25519 public key of a peer id, or `undefined` for one that is no peer id (a weak key
 * among them: small order, or not canonical), for the paths that read what others sent.
 *
 * @example Usage
 * ```ts
 * import { usableSealKey } from "./keys.ts";
 * console.assert(usableSealKey("not a peer id") === undefined);
 * ```
 *
 * @param peerId The peer id.
 * @returns The 32-byte key, or `undefined`.
 */
export function usableSealKey(peerId: string): Uint8Array | undefined {
  try {
    return sealPublicKey(peerId);
  } catch {
    return undefined;
  }
}

/**
 * The X25519 secret key of an Ed25519 seed (the 32 bytes an identity keeps as `d`).
 *
 * @example Usage
 * ```ts
 * import { sealSecretKey } from "./keys.ts";
 * const seed = crypto.getRandomValues(new Uint8Array(32));
 * console.assert((await sealSecretKey(seed)).length === 32);
 * ```
 *
 * @param seed The Ed25519 seed.
 * @returns The 32-byte X25519 secret key.
 */
export async function sealSecretKey(seed: Uint8Array): Promise<Uint8Array> {
  // The first half of SHA-512 of the seed, clamped: the scalar Ed25519 signs with (RFC 8032,
  // section 5.1.5), so that its X25519 public key is the map of the peer's Ed25519 one.
  const k = (await sha512(seed.subarray(0, 32))).slice(0, 32);
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
  return k;
}

// Derived secrets, per identity: a conversion is a SHA-512 and a clamp, not worth repeating.
const secrets = new WeakMap<object, Promise<Uint8Array>>();

/**
 * The X25519 secret key that matches an identity: what opens messages sealed to its peer
 * id. Kept here, not on the identity, so that code that only checks signatures (the edge)
 * carries no curve arithmetic. Keep it as secret as the identity.
 *
 * @example Usage
 * ```ts
 * import { x25519PublicKey } from "./curve25519.ts";
 * import { Identity } from "../identity/mod.ts";
 * import { identitySealKey, sealPublicKey } from "./keys.ts";
 * const me = await Identity.generate();
 * const secret = await identitySealKey(me);
 * console.assert(x25519PublicKey(secret).join() === sealPublicKey(me.peerId).join());
 * ```
 *
 * @param identity The identity (anything that saves as a version 1 identity).
 * @returns The 32-byte key.
 */
export function identitySealKey(
  identity: { toJSON(): { privateKey: { d?: string } } },
): Promise<Uint8Array> {
  let secret = secrets.get(identity);
  if (!secret) {
    secret = sealSecretKey(base64urlnopad.decode(identity.toJSON().privateKey.d!));
    secrets.set(identity, secret);
  }
  return secret;
}

/**
 * One X25519 agreement, or `undefined` when the other key is of low order (its result would
 * be all zeros: a key a relay could make both sides agree on).
 *
 * @example Usage
 * ```ts
 * import { agree, ephemeralKeys } from "./keys.ts";
 * const a = ephemeralKeys();
 * const b = ephemeralKeys();
 * const ab = agree(a.secret, b.publicKey)!;
 * console.assert(ab.join() === agree(b.secret, a.publicKey)!.join());
 * console.assert(agree(a.secret, new Uint8Array(32)) === undefined);
 * ```
 *
 * @param secret This side's secret key.
 * @param publicKey The other side's public key.
 * @returns The shared secret.
 */
export function agree(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined {
  if (secret.length !== 32 || publicKey.length !== 32) return undefined;
  const shared = x25519(secret, publicKey);
  // All zeros: a public key of small order, which would fix the secret whatever ours is.
  return shared.some((b) => b !== 0) ? shared : undefined;
}

/**
 * A fresh ephemeral key pair.
 *
 * @example Usage
 * ```ts
 * import { ephemeralKeys } from "./keys.ts";
 * const { secret, publicKey } = ephemeralKeys();
 * console.assert(secret.length === 32 && publicKey.length === 32);
 * ```
 *
 * @returns The secret and public keys.
 */
export function ephemeralKeys(): { secret: Uint8Array; publicKey: Uint8Array } {
  const secret = crypto.getRandomValues(new Uint8Array(32));
  return { secret, publicKey: x25519PublicKey(secret) };
}

/**
 * The X25519 operations of a handshake: given to a sealer (and to the handshake's functions)
 * so that a test can count them, each being the costly part of taking a hello.
 */
export interface X25519Ops {
  /** One agreement ({@linkcode agree}): one X25519. */
  agree(secret: Uint8Array, publicKey: Uint8Array): Uint8Array | undefined;
  /** A fresh ephemeral key pair ({@linkcode ephemeralKeys}): one X25519, for its public key. */
  ephemeralKeys(): { secret: Uint8Array; publicKey: Uint8Array };
}

/**
 * The X25519 operations themselves: {@linkcode agree} and {@linkcode ephemeralKeys}.
 *
 * @example Counting them
 * ```ts
 * import { X25519, type X25519Ops } from "./keys.ts";
 * let count = 0;
 * const counted: X25519Ops = {
 *   agree: (s, p) => (count++, X25519.agree(s, p)),
 *   ephemeralKeys: () => (count++, X25519.ephemeralKeys()),
 * };
 * counted.ephemeralKeys();
 * console.assert(count === 1);
 * ```
 */
export const X25519: X25519Ops = { agree, ephemeralKeys };
