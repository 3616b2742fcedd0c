/**
 * Publishes a super-peer can neither forge nor alter, and topics only their members read.
 * Every publish carries its publisher's Ed25519 signature over the topic, the publisher,
 * its number and its data as sent; a subscriber checks it against the `from` the network
 * wrote, so a relay that alters a publish or passes one peer's off as another's is caught.
 * A topic with a shared key (an option of each member) has its data sealed with
 * XChaCha20-Poly1305 under a key derived from the shared secret and the topic's name; the
 * signature covers the sealed bytes, so members cannot forge one another either.
 *
 * @module
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { base64urlnopad } from "@scure/base";
import { verifySignature } from "../identity/identity.ts";
import { PUBLISH_SIGNATURE_CHARS } from "../protocol/control_map.ts";
import type { TopicMessage } from "../protocol/service_messages.ts";
import { concat, writeCounter } from "./envelope.ts";

const utf8 = new TextEncoder();
const PUBLISH_CONTEXT = utf8.encode("superpeer/publish/v1");
const TOPIC_SALT = utf8.encode("superpeer/topic/v1");

/** Bytes of the random nonce of a sealed publish. */
export const TOPIC_NONCE_BYTES = 24;
/** Bytes sealing adds to a publish's data before its base64url: version, nonce, inner kind, tag. */
export const TOPIC_SEAL_OVERHEAD: number = 1 + TOPIC_NONCE_BYTES + 1 + 16;
/** The version byte of a sealed publish. */
const TOPIC_SEAL_VERSION = 0x01;

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

/**
 * A topic's key, from the secret its members share: HKDF-SHA-256 bound to the topic's
 * name, so one secret used on two topics gives two keys.
 *
 * @example Usage
 * ```ts
 * import { topicKey } from "./topic.ts";
 * console.assert(topicKey("s3cret", "a").join() !== topicKey("s3cret", "b").join());
 * ```
 *
 * @param secret The shared secret: bytes, or a passphrase.
 * @param topic The topic.
 * @returns A 32-byte key.
 */
export function topicKey(secret: string | Uint8Array, topic: string): Uint8Array {
  const ikm = typeof secret === "string" ? utf8.encode(secret) : secret;
  return hkdf(sha256, ikm, TOPIC_SALT, utf8.encode(topic), 32);
}

// What the AEAD binds besides the data: who published it where, under which number.
function topicAad(topic: string, from: string, n: number): Uint8Array {
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
 * const key = topicKey("s3cret", "room");
 * const sealed = sealTopic(key, "room", "peer", 7, "hello");
 * console.assert(openTopic(key, "room", "peer", 7, sealed) === "hello");
 * ```
 *
 * @param key The topic's key ({@linkcode topicKey}).
 * @param topic The topic.
 * @param from The publisher.
 * @param n The publisher's number for it.
 * @param data Text, or bytes.
 * @returns The sealed bytes.
 */
export function sealTopic(
  key: Uint8Array,
  topic: string,
  from: string,
  n: number,
  data: string | Uint8Array,
): Uint8Array {
  const text = typeof data === "string";
  const body = text ? utf8.encode(data) : data;
  const plain = new Uint8Array(1 + body.length);
  plain[0] = text ? 0 : 1;
  plain.set(body, 1);
  const nonce = crypto.getRandomValues(new Uint8Array(TOPIC_NONCE_BYTES));
  const sealed = xchacha20poly1305(key, nonce, topicAad(topic, from, n)).encrypt(plain);
  return concat(new Uint8Array([TOPIC_SEAL_VERSION]), nonce, sealed);
}

/**
 * Opens a sealed publish.
 *
 * @example Usage
 * ```ts
 * import { openTopic, sealTopic, topicKey } from "./topic.ts";
 * const sealed = sealTopic(topicKey("a", "t"), "t", "p", 1, "x");
 * console.assert(openTopic(topicKey("b", "t"), "t", "p", 1, sealed) === undefined);
 * ```
 *
 * @param key The topic's key.
 * @param topic The topic.
 * @param from The publisher.
 * @param n The publisher's number for it.
 * @param bytes The sealed bytes.
 * @returns Its text or bytes; `undefined` if it does not open with this key.
 */
export function openTopic(
  key: Uint8Array,
  topic: string,
  from: string,
  n: number,
  bytes: Uint8Array,
): string | Uint8Array | undefined {
  if (bytes.length < TOPIC_SEAL_OVERHEAD || bytes[0] !== TOPIC_SEAL_VERSION) return undefined;
  const nonce = bytes.subarray(1, 1 + TOPIC_NONCE_BYTES);
  let plain: Uint8Array;
  try {
    plain = xchacha20poly1305(key, nonce, topicAad(topic, from, n)).decrypt(
      bytes.subarray(1 + TOPIC_NONCE_BYTES),
    );
  } catch {
    return undefined;
  }
  if (plain[0] === 0) return new TextDecoder("utf-8", { fatal: false }).decode(plain.subarray(1));
  return plain[0] === 1 ? plain.slice(1) : undefined;
}
