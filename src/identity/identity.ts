/**
 * Ed25519 identities through WebCrypto, portable across Deno, browsers, Node and workerd.
 *
 * @module
 */
import { base64urlnopad } from "../encoding/mod.ts";
import { peerIdFromPublicKey, publicKeyFromPeerId } from "./peer_id.ts";

const ED25519 = { name: "Ed25519" } as const;

/** The saved form of an identity: keep it secret, it holds the private key. */
export interface IdentityJson {
  /** Format version, always 1. */
  version: 1;
  /** The peer id, checked against the key on load. */
  peerId: string;
  /** The private key as an Ed25519 JWK (`kty: "OKP"`, `crv: "Ed25519"`, `x`, `d`). */
  privateKey: Ed25519Jwk;
}

/**
 * An Ed25519 private key as a JSON Web Key (RFC 8037). Its own type rather than the DOM's
 * `JsonWebKey`, so that a project without the DOM library (Node, with `@types/node`) types it.
 */
export interface Ed25519Jwk {
  /** `"OKP"`. */
  kty?: string;
  /** `"Ed25519"`. */
  crv?: string;
  /** The public key, base64url. */
  x?: string;
  /** The private key (seed), base64url. */
  d?: string;
  /** Any other JWK member, kept as it is. */
  [member: string]: unknown;
}

/**
 * A peer's key pair and the peer id derived from it. Saving is `JSON.stringify(identity)`
 * (the text holds the private key: keep it secret); loading is
 * `await Identity.fromJSON(text)`.
 *
 * @example Create, sign and verify
 * ```ts
 * import { Identity, verifySignature } from "./identity.ts";
 * const me = await Identity.generate();
 * const data = new TextEncoder().encode("hello");
 * const sig = await me.sign(data);
 * console.assert(await verifySignature(me.peerId, sig, data));
 * ```
 */
export class Identity {
  /** The self-certifying peer id. */
  readonly peerId: string;
  /** The 32 raw bytes of the public key. */
  readonly publicKey: Uint8Array;
  readonly #privateKey: CryptoKey;
  /** The private key's `d`, kept so that saving needs no await (and cannot be forgotten). */
  readonly #d: string;

  private constructor(publicKey: Uint8Array, privateKey: CryptoKey, d: string) {
    this.publicKey = publicKey;
    this.peerId = peerIdFromPublicKey(publicKey);
    this.#privateKey = privateKey;
    this.#d = d;
  }

  /**
   * Makes a new random identity.
   *
   * @returns The identity.
   *
   * @example Usage
   * ```ts
   * import { Identity } from "./identity.ts";
   * const me = await Identity.generate();
   * console.assert(me.peerId.length > 40);
   * ```
   */
  static async generate(): Promise<Identity> {
    const pair = await crypto.subtle.generateKey(ED25519, true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
    const { d } = await crypto.subtle.exportKey("jwk", pair.privateKey);
    return new Identity(raw, pair.privateKey, d!);
  }

  /**
   * Loads a saved identity: the text of `JSON.stringify(identity)`, or its parsed object.
   *
   * @param json The saved form (an object or its JSON text).
   * @returns The identity.
   * @throws {SyntaxError} If the saved form is not JSON, is malformed, or its peer id does not
   *   match its key.
   *
   * @example Save and load
   * ```ts
   * import { Identity } from "./identity.ts";
   * const me = await Identity.generate();
   * const again = await Identity.fromJSON(JSON.stringify(me));
   * console.assert(again.peerId === me.peerId);
   * ```
   */
  static async fromJSON(json: IdentityJson | string): Promise<Identity> {
    let value: IdentityJson;
    try {
      value = typeof json === "string" ? JSON.parse(json) as IdentityJson : json;
    } catch {
      throw new SyntaxError("Cannot load identity: not JSON");
    }
    const jwk = value?.privateKey;
    if (
      value?.version !== 1 || typeof jwk !== "object" || jwk === null || jwk.kty !== "OKP" ||
      jwk.crv !== "Ed25519" || typeof jwk.x !== "string" || typeof jwk.d !== "string"
    ) {
      throw new SyntaxError("Cannot load identity: not a version 1 Ed25519 identity");
    }
    let privateKey: CryptoKey;
    let publicKey: Uint8Array;
    try {
      privateKey = await crypto.subtle.importKey(
        "jwk",
        { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d },
        ED25519,
        true,
        ["sign"],
      );
      publicKey = base64urlnopad.decode(jwk.x);
    } catch (error) {
      throw new SyntaxError(`Cannot load identity: its key is malformed (${error})`);
    }
    const identity = new Identity(publicKey, privateKey, jwk.d);
    if (identity.peerId !== value.peerId) {
      throw new SyntaxError(
        `Cannot load identity: peer id "${value.peerId}" does not match its key ("${identity.peerId}")`,
      );
    }
    // A key whose x does not belong to its d would sign with one key and claim another.
    const probe = new Uint8Array([1, 2, 3]);
    if (!await verifySignature(identity.peerId, await identity.sign(probe), probe)) {
      throw new SyntaxError("Cannot load identity: public and private key do not match");
    }
    return identity;
  }

  /**
   * Signs bytes with the private key.
   *
   * @param data The bytes to sign.
   * @returns The 64-byte Ed25519 signature.
   *
   * @example Usage
   * ```ts
   * import { Identity } from "./identity.ts";
   * const me = await Identity.generate();
   * console.assert((await me.sign(new Uint8Array([1]))).length === 64);
   * ```
   */
  async sign(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(
      await crypto.subtle.sign(ED25519, this.#privateKey, data as Uint8Array<ArrayBuffer>),
    );
  }

  /**
   * The saved form, so that `JSON.stringify(identity)` is how an identity is saved. It holds
   * the private key.
   *
   * @returns The saved form.
   *
   * @example Usage
   * ```ts
   * import { Identity } from "./identity.ts";
   * const me = await Identity.generate();
   * const saved = JSON.parse(JSON.stringify(me));
   * console.assert(saved.version === 1 && saved.peerId === me.peerId);
   * ```
   */
  toJSON(): IdentityJson {
    return {
      version: 1,
      peerId: this.peerId,
      privateKey: {
        kty: "OKP",
        crv: "Ed25519",
        x: base64urlnopad.encode(this.publicKey),
        d: this.#d,
      },
    };
  }
}

/**
 * Checks an Ed25519 signature made by the key a peer id names.
 *
 * @param peerId The signer's peer id.
 * @param signature The 64-byte signature.
 * @param data The signed bytes.
 * @returns `true` if the signature is valid; `false` for a bad signature or a malformed id.
 *
 * @example Usage
 * ```ts
 * import { Identity, verifySignature } from "./identity.ts";
 * const me = await Identity.generate();
 * const data = new Uint8Array([9]);
 * console.assert(!await verifySignature(me.peerId, new Uint8Array(64), data));
 * ```
 */
export async function verifySignature(
  peerId: string,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  let raw: Uint8Array;
  try {
    raw = publicKeyFromPeerId(peerId);
  } catch {
    return false;
  }
  return await verifyEd25519(raw, signature, data);
}

/**
 * Checks an Ed25519 signature by a raw public key.
 *
 * @param publicKey The 32-byte key.
 * @param signature The signature.
 * @param data The signed bytes.
 * @returns Whether it verifies; `false` for a key or signature of the wrong length.
 *
 * @example Usage
 * ```ts
 * import { verifyEd25519 } from "./identity.ts";
 * console.assert(!await verifyEd25519(new Uint8Array(32), new Uint8Array(64), new Uint8Array()));
 * ```
 */
export async function verifyEd25519(
  publicKey: Uint8Array,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      publicKey as Uint8Array<ArrayBuffer>,
      ED25519,
      false,
      ["verify"],
    );
    return await crypto.subtle.verify(
      ED25519,
      key,
      signature as Uint8Array<ArrayBuffer>,
      data as Uint8Array<ArrayBuffer>,
    );
  } catch {
    return false;
  }
}
