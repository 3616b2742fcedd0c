/**
 * Shard signing keys, derived from one network secret, so that a shard's key survives
 * restarts and moves without being stored anywhere: HKDF-SHA-256 (salt
 * `superpeer-shard-key-v1`, info `<network>/shard-<k>`) gives a 32-byte Ed25519 seed.
 * A shard's public key is written like a peer id, and served at `GET /v1/network`. The
 * network's map key, which signs its slot maps, is derived the same way (info
 * `<network>/slot-map`).
 *
 * @module
 */
import { base64urlnopad } from "../src/encoding/mod.ts";
import { Identity } from "../src/identity/identity.ts";
import { peerIdFromPublicKey } from "../src/identity/peer_id.ts";

/** The salt of the derivation; changing it changes every shard key. */
export const SHARD_KEY_SALT = "superpeer-shard-key-v1";

/**
 * The local-development network secret. Anyone can sign blocks for a network that uses it:
 * set the Worker secret `NETWORK_SECRET` for any network that matters.
 */
export const DEVELOPMENT_NETWORK_SECRET = "superpeer-development-secret-not-for-production";

// PKCS #8 wrapping of a raw Ed25519 seed (RFC 8410), so WebCrypto can import it.
const PKCS8_ED25519_PREFIX = [
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
];

const utf8 = new TextEncoder();

/**
 * Derives the signing key of one shard.
 *
 * @param secret The network secret.
 * @param network The network id.
 * @param shard The shard index.
 * @returns The shard's identity; its `peerId` is the shard's public key id.
 *
 * @example Usage
 * ```ts
 * import { deriveShardKey } from "./shard_keys.ts";
 * const a = await deriveShardKey("s", "dev", 0);
 * const b = await deriveShardKey("s", "dev", 0);
 * console.assert(a.peerId === b.peerId);
 * ```
 */
export function deriveShardKey(
  secret: string,
  network: string,
  shard: number,
): Promise<Identity> {
  return deriveKey(secret, `${network}/shard-${shard}`);
}

/**
 * Derives the network's map key, which signs its slot maps (info `<network>/slot-map`, the
 * same salt): like a shard key, it is stored nowhere and survives every restart.
 *
 * @param secret The network secret.
 * @param network The network id.
 * @returns The map key; its `peerId` is served as `slotMap.key` at `GET /v1/network`.
 *
 * @example Usage
 * ```ts
 * import { deriveMapKey, deriveShardKey } from "./shard_keys.ts";
 * const map = await deriveMapKey("s", "dev");
 * console.assert(map.peerId !== (await deriveShardKey("s", "dev", 0)).peerId);
 * ```
 */
export function deriveMapKey(secret: string, network: string): Promise<Identity> {
  return deriveKey(secret, `${network}/slot-map`);
}

async function deriveKey(secret: string, info: string): Promise<Identity> {
  const ikm = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, [
    "deriveBits",
  ]);
  const seed = new Uint8Array(
    await crypto.subtle.deriveBits(
      {
        name: "HKDF",
        hash: "SHA-256",
        salt: utf8.encode(SHARD_KEY_SALT),
        info: utf8.encode(info),
      },
      ikm,
      256,
    ),
  );
  const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  pkcs8.set(PKCS8_ED25519_PREFIX);
  pkcs8.set(seed, PKCS8_ED25519_PREFIX.length);
  const key = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  return await Identity.fromJSON({
    version: 1,
    peerId: peerIdFromPublicKey(base64urlnopad.decode(jwk.x!)),
    privateKey: { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d },
  });
}

let keysCache: { key: string; keys: Promise<string[]> } | undefined;

/**
 * The public key ids of every shard's signing key, derived once per isolate (`/v1/network`
 * serves them on every call).
 *
 * @param secret The network secret.
 * @param network The network id.
 * @param shards The shard count.
 * @returns Each shard's key as a peer id, by shard.
 *
 * @example Usage
 * ```ts
 * import { DEVELOPMENT_NETWORK_SECRET, shardKeyIds } from "./shard_keys.ts";
 * const ids = await shardKeyIds(DEVELOPMENT_NETWORK_SECRET, "dev", 2);
 * console.assert(ids.length === 2 && ids[0] !== ids[1]);
 * ```
 */
export function shardKeyIds(secret: string, network: string, shards: number): Promise<string[]> {
  const key = `${network}|${shards}|${secret}`;
  if (keysCache?.key !== key) {
    const keys = Promise.all(
      Array.from({ length: shards }, (_, k) => deriveShardKey(secret, network, k)),
    ).then((ids) => ids.map((id) => id.peerId));
    keysCache = { key, keys };
  }
  return keysCache.keys;
}
