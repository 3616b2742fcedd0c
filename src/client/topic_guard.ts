/**
 * A peer's side of signed and sealed topics (`src/seal/topic.ts`): it signs every publish,
 * seals the data of topics it holds a key for, and checks each topic message before anyone
 * sees it: a missing or wrong signature, sealed data that does not open, or data in clear on a
 * topic it holds a key for, is dropped and reported by code.
 *
 * @module
 */
import { base64urlnopad } from "../encoding/mod.ts";
import type { Identity } from "../identity/mod.ts";
import type { TopicMessage } from "../protocol/mod.ts";
import { fromWire, toWire } from "./_util.ts";
import { openTopic, sealTopic, signPublish, topicKey, verifyPublish } from "../seal/topic.ts";
import { TOPIC_KEYS_MAX } from "./constants.ts";

/** The codes a topic message is dropped with. */
export type TopicSealCode =
  | "SEAL_UNSIGNED"
  | "SEAL_BAD_SIGNATURE"
  | "SEAL_NO_KEY"
  | "SEAL_BAD_TAG"
  | "SEAL_REQUIRED";

/** A publish as it goes on the wire. */
export interface PublishWire {
  /** Text, or base64url of bytes. */
  data: string;
  /** Bytes. */
  bin?: boolean;
  /** Sealed with the topic's key. */
  sealed?: boolean;
  /** The publisher's signature. */
  sig?: string;
}

/** What the guard needs of its peer. */
export interface TopicGuardOptions {
  /** The peer's identity, which signs its publishes. */
  identity: Identity;
  /**
   * `"required"`: a topic message without a signature is dropped. `"preferred"`: it is
   * delivered. `false`: signatures are not checked. A wrong signature is dropped unless
   * `false`.
   */
  policy: "required" | "preferred" | false;
  /** A topic message dropped, by code. */
  refused(peer: string, code: TopicSealCode, message: string): void;
}

/**
 * Signs, seals, checks and opens topic messages for one peer.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { TopicGuard } from "./topic_guard.ts";
 * const identity = await Identity.generate();
 * const guard = new TopicGuard({ identity, policy: "required", refused: () => {} });
 * guard.setKey("room", "s3cret");
 * const wire = await guard.prepare("room", 1, "hi");
 * const m = { t: "topic" as const, topic: "room", from: identity.peerId, n: 1, ...wire };
 * console.assert(await guard.open(m) === "hi");
 * ```
 */
export class TopicGuard {
  readonly #o: TopicGuardOptions;
  /** Per topic, its key (derived in the background) and the secret it came from. */
  readonly #keys = new Map<string, { secret: string; key: Promise<Uint8Array> }>();

  /**
   * Makes the guard.
   *
   * @param options The identity, the policy, where refusals go.
   */
  constructor(options: TopicGuardOptions) {
    this.#o = options;
  }

  /**
   * Sets (or, with `null`, forgets) a topic's shared key: publishes on it are sealed, and
   * what comes on it must open with it.
   *
   * A passphrase is stretched by scrypt (about a second) once per topic and passphrase: what is
   * published or taken on the topic meanwhile waits for it, in order.
   *
   * @param topic The topic.
   * @param secret The secret its members share: 32 random bytes, or a passphrase.
   * @throws {RangeError} Past {@linkcode TOPIC_KEYS_MAX} topics with a key; bytes of another
   *   length than 32; an empty passphrase.
   */
  setKey(topic: string, secret: string | Uint8Array | null): void {
    if (secret === null) return void this.#keys.delete(topic);
    const id = typeof secret === "string" ? `p:${secret}` : `b:${base64urlnopad.encode(secret)}`;
    if (this.#keys.get(topic)?.secret === id) return; // the same secret again: the same key
    if (!this.#keys.has(topic) && this.#keys.size >= TOPIC_KEYS_MAX) {
      throw new RangeError(`Cannot hold keys for more than ${TOPIC_KEYS_MAX} topics`);
    }
    this.#keys.set(topic, { secret: id, key: topicKey(secret, topic) });
  }

  /**
   * A publish ready for the wire: sealed if the topic has a key, and signed.
   *
   * @param topic The topic.
   * @param n The publisher's number for it.
   * @param data Text, or bytes.
   * @returns Its wire fields.
   */
  async prepare(topic: string, n: number, data: string | Uint8Array): Promise<PublishWire> {
    const from = this.#o.identity.peerId;
    const key = await this.#keys.get(topic)?.key;
    const wire: PublishWire = key
      ? {
        data: base64urlnopad.encode(await sealTopic(key, topic, from, n, data)),
        bin: true,
        sealed: true,
      }
      : toWire(data);
    return { ...wire, sig: await signPublish(this.#o.identity, { topic, from, n, ...wire }) };
  }

  /**
   * Checks a topic message and opens it.
   *
   * @param m The message, as the network delivered it.
   * @returns Its text or bytes, or `undefined` if it was dropped (and reported).
   */
  async open(m: TopicMessage): Promise<string | Uint8Array | undefined> {
    const policy = this.#o.policy;
    const drop = (code: TopicSealCode, message: string) => {
      this.#o.refused(m.from, code, `${message} (topic "${m.topic}", number ${m.n})`);
      return undefined;
    };
    // `$` topics are the network's own (`$stats`): no peer can publish on them, nor sign.
    if (policy !== false && !m.topic.startsWith("$")) {
      if (m.sig === undefined) {
        if (policy === "required") return drop("SEAL_UNSIGNED", "A publish without a signature");
      } else if (!await verifyPublish({ ...m, sig: m.sig })) {
        return drop("SEAL_BAD_SIGNATURE", "A publish whose signature is not its publisher's");
      }
    }
    let data: string | Uint8Array;
    try {
      data = fromWire(m);
    } catch {
      return drop("SEAL_BAD_TAG", "A publish whose bytes are not base64url");
    }
    const key = await this.#keys.get(m.topic)?.key;
    // On a topic its members seal, a publish in clear is an outsider's (anyone may publish on
    // any topic): never delivered as if a member sent it.
    if (!m.sealed) {
      return key
        ? drop("SEAL_REQUIRED", "A publish in clear on a topic sealed for its members")
        : data;
    }
    if (!key) return drop("SEAL_NO_KEY", "A sealed publish on a topic this peer holds no key for");
    const opened = typeof data === "string"
      ? undefined
      : await openTopic(key, m.topic, m.from, m.n, data);
    return opened ?? drop("SEAL_BAD_TAG", "A sealed publish that does not open with the key");
  }
}
