/**
 * Publishes a super-peer can neither forge nor alter, and topics only their members read.
 * Every publish carries its publisher's Ed25519 signature over the topic, the publisher,
 * its number and its data as sent; a subscriber checks it against the `from` the network
 * wrote, so a relay that alters a publish or passes one peer's off as another's is caught.
 * A topic with a shared key (an option of each member) has its data sealed with AES-256-GCM
 * under a key of its own: HKDF of the topic's key (from the shared secret and the topic's
 * name) and a random 24-byte nonce, so no key seals twice and no nonce budget runs out. The
 * signature covers the sealed bytes, so members cannot forge one another either.
 *
 * @module
 */
import { base64urlnopad } from "../encoding/mod.ts";
import { verifySignature } from "../identity/identity.ts";
import { PUBLISH_SIGNATURE_CHARS } from "../protocol/control_map.ts";
import type { TopicMessage } from "../protocol/service_messages.ts";
import { concat, writeCounter } from "./envelope.ts";
import { hkdf, openOnce, sealOnce, sha256 } from "./primitives.ts";

const utf8 = new TextEncoder();
const PUBLISH_CONTEXT = utf8.encode("superpeer/publish/v1");
const TOPIC_SALT = utf8.encode("superpeer/topic/v1");

/** Bytes of the random nonce of a sealed publish (the salt of its own key). */
export const TOPIC_NONCE_BYTES = 24;
/** Bytes sealing adds to a publish's data before its base64url: version, nonce, inner kind, tag. */
export const TOPIC_SEAL_OVERHEAD: number = 1 + TOPIC_NONCE_BYTES + 1 + 16;
/** The version byte of a sealed publish (1 was XChaCha20-Poly1305 under the topic's key). */
const TOPIC_SEAL_VERSION = 0x02;
/** What a publish's own key is for (HKDF's info). */
const MESSAGE_KEY_INFO = "superpeer/topic/v2/message";

/** The parts of a publish its signature covers, as they travel (`data` as sent). */
export type SignedParts = Pick<TopicMessage, "topic" | "from" | "n" | "data" | "bin" | "sealed">;

/**
 * The bytes a publish's signature covers: a context, then each part length-prefixed, so no
 * two publishes share them.
 *
 * @example Usage
 * ```ts
 * import { publishBytes } from "./topic.ts";
 * const a = publishBytes({ topic: "t", from: "p", n: 1, data: "x" });
 * const b = publishBytes({ topic: "t", from: "p", n: 1, data: "x", bin: true });
 * console.assert(a.join() !== b.join());
 * ```
 *
 * @param p The publish.
 * @returns The bytes.
 */
export function publishBytes(p: SignedParts): Uint8Array {
  const topic = utf8.encode(p.topic);
  const from = utf8.encode(p.from);
  const head = new Uint8Array(2 + 2 + 8 + 1);
  const view = new DataView(head.buffer);
  view.setUint16(0, topic.length);
  view.setUint16(2, from.length);
  writeCounter(head, 4, p.n);
  head[12] = (p.bin ? 1 : 0) | (p.sealed ? 2 : 0);
  return concat(PUBLISH_CONTEXT, head, topic, from, utf8.encode(p.data));
}

/**
 * Signs a publish.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { signPublish, verifyPublish } from "./topic.ts";
 * const me = await Identity.generate();
 * const p = { topic: "news", from: me.peerId, n: 1, data: "hi" };
 * const sig = await signPublish(me, p);
 * console.assert(await verifyPublish({ ...p, sig }));
 * ```
 *
 * @param signer Anything that signs with the publisher's key.
 * @param p The publish.
 * @returns The signature, base64url.
 */
export async function signPublish(
  signer: { sign(data: Uint8Array): Promise<Uint8Array> },
  p: SignedParts,
): Promise<string> {
  return base64urlnopad.encode(await signer.sign(publishBytes(p)));
}

/**
 * Whether a publish carries its publisher's signature.
 *
 * @example Usage
 * ```ts
 * import { verifyPublish } from "./topic.ts";
 * console.assert(!await verifyPublish({ topic: "t", from: "p", n: 1, data: "x", sig: "AA" }));
 * ```
 *
 * @param p The publish and its signature.
 * @returns `true` if the signature is the publisher's over exactly these parts.
 */
export async function verifyPublish(p: SignedParts & { sig: string }): Promise<boolean> {
  if (p.sig.length !== PUBLISH_SIGNATURE_CHARS) return false;
  let sig: Uint8Array;
  try {
    sig = base64urlnopad.decode(p.sig);
  } catch {
    return false;
  }
  try {
    return await verifySignature(p.from, sig, publishBytes(p));
  } catch {
    return false; // a `from` that is no key
  }
}

/** Bytes of a topic's random key (a secret given as bytes must be exactly this long). */
export const TOPIC_KEY_BYTES = 32;
/**
 * scrypt's cost for a topic passphrase, log2 of N: N = 2^17 with r = 8 takes 128 MiB and about a
 * second in JavaScript on one core, so that each guess of a passphrase costs an attacker that.
 */
export const TOPIC_SCRYPT_LOG_N = 17;
/** scrypt's block size r for a topic passphrase. */
export const TOPIC_SCRYPT_R = 8;
/** scrypt's parallelism p for a topic passphrase. */
export const TOPIC_SCRYPT_P = 1;
const PASSPHRASE_SALT = utf8.encode("superpeer/topic/passphrase/v1");

/**
 * A topic's key, from the secret its members share: HKDF-SHA-256 bound to the topic's name, so
 * one secret used on two topics gives two keys. The secret is either {@linkcode TOPIC_KEY_BYTES}
 * random bytes, used as they are, or a passphrase, stretched first by scrypt
 * ({@linkcode TOPIC_SCRYPT_LOG_N}, {@linkcode TOPIC_SCRYPT_R}, {@linkcode TOPIC_SCRYPT_P}; salt `superpeer/topic/passphrase/v1` ‖ 0x00 ‖ the topic),
 * since anyone may subscribe to a topic and guess its passphrase offline from what it collects.
 *
 * @example Usage
 * ```ts
 * import { topicKey } from "./topic.ts";
 * const secret = crypto.getRandomValues(new Uint8Array(32));
 * const [a, b] = await Promise.all([topicKey(secret, "a"), topicKey(secret, "b")]);
 * console.assert(a.join() !== b.join());
 * ```
 *
 * @param secret The shared secret: 32 random bytes, or a passphrase (not empty).
 * @param topic The topic.
 * @returns A 32-byte key.
 * @throws {RangeError} Bytes of another length, or an empty passphrase.
 */
export function topicKey(secret: string | Uint8Array, topic: string): Promise<Uint8Array> {
  // Checked at once (a bad secret throws here, not later), stretched in the background.
  return topicSecret(secret, topic).then((ikm) => hkdf(ikm, TOPIC_SALT, topic, 32));
}

function topicSecret(secret: string | Uint8Array, topic: string): Promise<Uint8Array> {
  if (typeof secret !== "string") {
    if (secret.length !== TOPIC_KEY_BYTES) {
      throw new RangeError(
        `A topic key is ${TOPIC_KEY_BYTES} random bytes (or a passphrase), not ${secret.length} bytes`,
      );
    }
    return Promise.resolve(secret);
  }
  if (secret.length === 0) throw new RangeError("A topic passphrase cannot be empty");
  const id = `${topic}\0${secret}`;
  const known = stretched.get(id);
  if (known) return known;
  const [N, r, p] = [2 ** TOPIC_SCRYPT_LOG_N, TOPIC_SCRYPT_R, TOPIC_SCRYPT_P];
  const salt = concat(PASSPHRASE_SALT, Uint8Array.of(0), utf8.encode(topic));
  // One at a time: each takes 128 MiB while it runs.
  // scrypt's code is loaded only by a peer that uses a passphrase topic.
  const made = queue.then(async () => {
    const { scryptAsync } = await import("@noble/hashes/scrypt.js");
    return scryptAsync(utf8.encode(secret), salt, { N, r, p, dkLen: 32 });
  });
  queue = made.catch(() => {});
  stretched.set(id, made);
  if (stretched.size > STRETCHED_KEPT) stretched.delete(stretched.keys().next().value!);
  return made;
}

// Passphrases stretched lately, by topic and passphrase: the peers of one process (a page, a
// test) that share a topic pay scrypt once between them.
const STRETCHED_KEPT = 16;
const stretched = new Map<string, Promise<Uint8Array>>();
let queue: Promise<unknown> = Promise.resolve();

// What the AEAD binds besides the data: who published it where, under which number.
function topicAad(topic: string, from: string, n: number): Promise<Uint8Array> {
  const head = new Uint8Array(8);
  writeCounter(head, 0, n);
  return sha256(
    concat(PUBLISH_CONTEXT, head, utf8.encode(topic), new Uint8Array([0]), utf8.encode(from)),
  );
}

/**
 * Seals a publish's data with a topic's key. Whether it was text or bytes goes inside.
 *
 * @example Usage
 * ```ts
 * import { openTopic, sealTopic, topicKey } from "./topic.ts";
 * const key = await topicKey(crypto.getRandomValues(new Uint8Array(32)), "room");
 * const sealed = await sealTopic(key, "room", "peer", 7, "hello");
 * console.assert(await openTopic(key, "room", "peer", 7, sealed) === "hello");
 * ```
 *
 * @param key The topic's key ({@linkcode topicKey}).
 * @param topic The topic.
 * @param from The publisher.
 * @param n The publisher's number for it.
 * @param data Text, or bytes.
 * @returns The sealed bytes.
 */
export async function sealTopic(
  key: Uint8Array,
  topic: string,
  from: string,
  n: number,
  data: string | Uint8Array,
): Promise<Uint8Array> {
  const text = typeof data === "string";
  const body = text ? utf8.encode(data) : data;
  const plain = new Uint8Array(1 + body.length);
  plain[0] = text ? 0 : 1;
  plain.set(body, 1);
  const nonce = crypto.getRandomValues(new Uint8Array(TOPIC_NONCE_BYTES));
  const own = await hkdf(key, nonce, MESSAGE_KEY_INFO, 32);
  const sealed = await sealOnce(own, await topicAad(topic, from, n), plain);
  return concat(new Uint8Array([TOPIC_SEAL_VERSION]), nonce, sealed);
}

/**
 * Opens a sealed publish.
 *
 * @example Usage
 * ```ts
 * import { openTopic, sealTopic, topicKey } from "./topic.ts";
 * const [a, b] = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
 * const sealed = await sealTopic(await topicKey(a, "t"), "t", "p", 1, "x");
 * console.assert(await openTopic(await topicKey(b, "t"), "t", "p", 1, sealed) === undefined);
 * ```
 *
 * @param key The topic's key.
 * @param topic The topic.
 * @param from The publisher.
 * @param n The publisher's number for it.
 * @param bytes The sealed bytes.
 * @returns Its text or bytes; `undefined` if it does not open with this key.
 */
export async function openTopic(
  key: Uint8Array,
  topic: string,
  from: string,
  n: number,
  bytes: Uint8Array,
): Promise<string | Uint8Array | undefined> {
  if (bytes.length < TOPIC_SEAL_OVERHEAD || bytes[0] !== TOPIC_SEAL_VERSION) return undefined;
  const nonce = bytes.subarray(1, 1 + TOPIC_NONCE_BYTES);
  const own = await hkdf(key, nonce, MESSAGE_KEY_INFO, 32);
  const aad = await topicAad(topic, from, n);
  const plain = await openOnce(own, aad, bytes.subarray(1 + TOPIC_NONCE_BYTES));
  if (!plain) return undefined;
  if (plain[0] === 0) return new TextDecoder("utf-8", { fatal: false }).decode(plain.subarray(1));
  return plain[0] === 1 ? plain.slice(1) : undefined;
}
