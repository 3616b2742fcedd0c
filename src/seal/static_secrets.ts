/**
 * The static-static X25519 secret of a peer with each remote, `DH(s_local, S_remote)`, kept
 * per remote: it goes into every hello sent to that remote and every hello taken from it, and
 * never changes, so computing it once halves what checking a hello costs (a junk hello from a
 * known remote costs one X25519, the one with its ephemeral key, where it cost two). Bounded:
 * the least recently used is forgotten first (`SEAL_STATIC_SECRETS`). As secret as the
 * identity it comes from, and kept no longer than the peer's sealer.
 *
 * @module
 */
import { usableSealKey, X25519, type X25519Ops } from "./keys.ts";
import { Lru } from "./lru.ts";
import { SEAL_STATIC_SECRETS } from "./seal_bounds.ts";

/** Options of {@linkcode StaticSecrets}. */
export interface StaticSecretsOptions {
  /** The X25519 operations (counted in tests). @default {X25519} */
  x25519?: X25519Ops;
  /** Remotes whose secret is kept. @default {SEAL_STATIC_SECRETS} */
  peers?: number;
}

/**
 * One peer's static-static secrets, by remote.
 *
 * @example Computed once
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { identitySealKey, X25519 } from "./keys.ts";
 * import { StaticSecrets } from "./static_secrets.ts";
 * const [me, other] = [await Identity.generate(), await Identity.generate()];
 * let count = 0;
 * const statics = new StaticSecrets(await identitySealKey(me), {
 *   x25519: { ...X25519, agree: (s, p) => (count++, X25519.agree(s, p)) },
 * });
 * console.assert(statics.of(other.peerId) === statics.of(other.peerId) && count === 1);
 * ```
 */
export class StaticSecrets {
  /** The X25519 operations this peer's handshakes use. */
  readonly x25519: X25519Ops;
  readonly #secret: Uint8Array;
  // `null`: the remote's key is of low order, so no secret (and no use computing it again).
  readonly #kept: Lru<string, Uint8Array | null>;

  /**
   * Keeps nothing yet: each secret is computed on first use.
   *
   * @param secret This peer's X25519 secret key (`identitySealKey(identity)`).
   * @param options The X25519 operations and the cap on remotes kept.
   */
  constructor(secret: Uint8Array, options: StaticSecretsOptions = {}) {
    this.#secret = secret;
    this.x25519 = options.x25519 ?? X25519;
    this.#kept = new Lru(options.peers ?? SEAL_STATIC_SECRETS);
  }

  /** How many remotes' secrets are kept (at most the cap). */
  get size(): number {
    return this.#kept.size;
  }

  /**
   * `DH(s_local, S_remote)`, computed on the first call for a remote.
   *
   * @param remote The remote's peer id.
   * @returns The 32-byte secret, or `undefined` if the remote's key is weak or not a key.
   */
  of(remote: string): Uint8Array | undefined {
    const kept = this.#kept.get(remote);
    if (kept !== undefined) return kept ?? undefined;
    const key = usableSealKey(remote);
    const secret = key && this.x25519.agree(this.#secret, key);
    this.#kept.set(remote, secret ?? null);
    return secret;
  }
}
