// Signed and sealed topics, pure: a publisher's guard prepares a publish, a relay the test
// controls may change any part of it, and the subscriber's guard must refuse every change.
import fc from "fast-check";
import { assert, assertEquals } from "../support/assert.ts";
import { Identity } from "../../src/identity/mod.ts";
import { TopicGuard, type TopicSealCode } from "../../src/client/topic_guard.ts";
import { TOPIC_KEYS_MAX } from "../../src/client/constants.ts";
import type { TopicMessage } from "../../src/protocol/mod.ts";
import {
  openTopic,
  sealTopic,
  TOPIC_SCRYPT_LOG_N,
  TOPIC_SCRYPT_P,
  TOPIC_SCRYPT_R,
  TOPIC_SEAL_OVERHEAD,
  topicKey,
} from "../../src/seal/topic.ts";
import { concat } from "../../src/seal/envelope.ts";
import { gcm } from "@noble/ciphers/aes.js";
import { scrypt } from "@noble/hashes/scrypt.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { hex } from "@scure/base";

/** The key of topic "club" under the passphrase "correct horse battery staple" (PROTOCOL.md). */
const TOPIC_KEY_VECTOR = "c663ed9d98e274a271a6a79473d5286abcd3682ef6d26728fdfa9059af13c3f4";

async function guards(policy: "required" | "preferred" | false = "required") {
  const [pub, sub, other] = await Promise.all([1, 2, 3].map(() => Identity.generate()));
  const codes: TopicSealCode[] = [];
  const publisher = new TopicGuard({ identity: pub, policy, refused: () => {} });
  const subscriber = new TopicGuard({
    identity: sub,
    policy,
    refused: (_peer, code) => void codes.push(code),
  });
  const publish = async (topic: string, n: number, data: string | Uint8Array) =>
    ({
      t: "topic",
      topic,
      from: pub.peerId,
      n,
      ...await publisher.prepare(topic, n, data),
    }) as TopicMessage;
  return { pub, other, publisher, subscriber, codes, publish };
}

Deno.test("topics: a signed publish opens; an altered, re-addressed or unsigned one does not", async () => {
  const { other, subscriber, codes, publish } = await guards();
  const m = await publish("news", 5, "hello");
  assert(m.sig !== undefined && m.sig.length === 86, "signed");
  assertEquals(await subscriber.open(m), "hello");
  assertEquals(await subscriber.open({ ...m, data: "hellO" }), undefined);
  assertEquals(await subscriber.open({ ...m, from: other.peerId }), undefined);
  assertEquals(await subscriber.open({ ...m, n: 6 }), undefined);
  assertEquals(await subscriber.open({ ...m, topic: "other" }), undefined);
  assertEquals(await subscriber.open({ ...m, sig: undefined }), undefined);
  assertEquals(await subscriber.open({ ...m, from: "not-a-peer" }), undefined);
  assertEquals(codes, [
    "SEAL_BAD_SIGNATURE",
    "SEAL_BAD_SIGNATURE",
    "SEAL_BAD_SIGNATURE",
    "SEAL_BAD_SIGNATURE",
    "SEAL_UNSIGNED",
    "SEAL_BAD_SIGNATURE",
  ]);
  // The network's own topics are the network's word: nobody can publish there, nor sign.
  const stats: TopicMessage = { t: "topic", topic: "$stats", from: "network", n: 1, data: "{}" };
  assertEquals(await subscriber.open(stats), "{}");
  const bytes = await publish("news", 7, new Uint8Array([1, 2, 3]));
  assertEquals(await subscriber.open(bytes), new Uint8Array([1, 2, 3]));
});

Deno.test("topics: 'preferred' takes unsigned publishes, false checks nothing", async () => {
  const preferred = await guards("preferred");
  const m = await preferred.publish("news", 1, "x");
  assertEquals(await preferred.subscriber.open({ ...m, sig: undefined }), "x");
  assertEquals(await preferred.subscriber.open({ ...m, data: "y" }), undefined, "still checked");
  const off = await guards(false);
  const o = await off.publish("news", 1, "x");
  assertEquals(await off.subscriber.open({ ...o, data: "y" }), "y");
});

Deno.test("topics: with a shared key, members read and others cannot", async () => {
  const { publisher, subscriber, codes, publish } = await guards();
  publisher.setKey("room", "s3cret");
  const text = await publish("room", 1, "members only");
  const bytes = await publish("room", 2, new Uint8Array([9, 8]));
  assert(text.sealed && text.bin, "sealed, as bytes");
  assert(!atob(text.data.replace(/-/g, "+").replace(/_/g, "/")).includes("members"));
  assertEquals(await subscriber.open(text), undefined, "no key");
  subscriber.setKey("room", "wrong");
  assertEquals(await subscriber.open(text), undefined, "wrong key");
  subscriber.setKey("room", "s3cret");
  assertEquals(await subscriber.open(text), "members only");
  assertEquals(await subscriber.open(bytes), new Uint8Array([9, 8]));
  // The key is the topic's: the same secret on another topic does not open it.
  subscriber.setKey("hall", "s3cret");
  assertEquals(await subscriber.open({ ...text, topic: "hall" }), undefined);
  assertEquals(codes, ["SEAL_NO_KEY", "SEAL_BAD_TAG", "SEAL_BAD_SIGNATURE"]);
  subscriber.setKey("room", null);
  assertEquals(await subscriber.open(text), undefined, "forgotten");
});

Deno.test("topics: on a topic sealed for its members, a publish in clear is refused", async () => {
  const { other, subscriber, codes } = await guards();
  subscriber.setKey("room", "s3cret");
  // An outsider, signing as itself (anyone may publish on any topic), in clear.
  const outsider = new TopicGuard({ identity: other, policy: "required", refused: () => {} });
  const clear = {
    t: "topic",
    topic: "room",
    from: other.peerId,
    n: 1,
    ...await outsider.prepare("room", 1, "PAY BOB 100"),
  } as TopicMessage;
  assertEquals(await subscriber.open(clear), undefined);
  assertEquals(codes, ["SEAL_REQUIRED"]);
  // On a topic it holds no key for, the same publish is delivered.
  assertEquals(await subscriber.open({ ...clear, topic: "hall" }), undefined, "signed for room");
  const hall = { ...clear, topic: "hall", ...await outsider.prepare("hall", 1, "hi") };
  assertEquals(await subscriber.open(hall as TopicMessage), "hi");
});

Deno.test("topics: any character of a signed publish changed is refused", async () => {
  const { subscriber, codes, publish } = await guards();
  const m = await publish("room", 3, "the quick brown fox");
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("topic", "from", "data", "sig"),
      fc.nat(),
      fc.integer({ min: 1, max: 60 }),
      async (field, at, shift) => {
        const value = m[field as "topic" | "from" | "data" | "sig"]!;
        const i = at % value.length;
        const changed = value.slice(0, i) +
          String.fromCharCode(((value.charCodeAt(i) - 32 + shift) % 95) + 32) + value.slice(i + 1);
        // A `$` topic is the network's own and carries no signature: renamed into one, it is no
        // longer a peer's publish (and nobody subscribed to it).
        if (changed === value || (field === "topic" && changed.startsWith("$"))) return;
        codes.length = 0;
        assertEquals(await subscriber.open({ ...m, [field]: changed }), undefined);
        assertEquals(codes.length, 1);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("topics: keys are bounded per peer", async () => {
  const { subscriber } = await guards();
  const key = () => crypto.getRandomValues(new Uint8Array(32));
  for (let i = 0; i < TOPIC_KEYS_MAX; i++) subscriber.setKey(`t${i}`, key());
  subscriber.setKey("t0", key()); // a topic already held is replaced
  let refused = false;
  try {
    subscriber.setKey("one-more", key());
  } catch (error) {
    refused = error instanceof RangeError;
  }
  assert(refused, "past the bound: RangeError");
});

Deno.test("topics: a key is 32 random bytes or a passphrase; anything else is refused at once", async () => {
  const { subscriber } = await guards();
  for (const bad of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0), ""]) {
    let refused: unknown;
    try {
      subscriber.setKey("room", bad);
    } catch (error) {
      refused = error;
    }
    assert(refused instanceof RangeError, `${typeof bad} of ${bad.length}`);
  }
});

Deno.test("topics: a passphrase is stretched by scrypt before HKDF (test vector of PROTOCOL.md)", async () => {
  const [logN, r, p] = [TOPIC_SCRYPT_LOG_N, TOPIC_SCRYPT_R, TOPIC_SCRYPT_P];
  assertEquals([logN, r, p], [17, 8, 1]);
  const utf8 = new TextEncoder();
  const salt = new Uint8Array([
    ...utf8.encode("superpeer/topic/passphrase/v1"),
    0,
    ...utf8.encode("club"),
  ]);
  const stretched = scrypt(utf8.encode("correct horse battery staple"), salt, {
    N: 2 ** logN,
    r,
    p,
    dkLen: 32,
  });
  const expected = hkdf(
    sha256,
    stretched,
    utf8.encode("superpeer/topic/v1"),
    utf8.encode("club"),
    32,
  );
  const key = await topicKey("correct horse battery staple", "club");
  assertEquals(hex.encode(key), hex.encode(expected));
  assertEquals(hex.encode(key), TOPIC_KEY_VECTOR);
  // 32 random bytes are taken as they are (HKDF only).
  const bytes = new Uint8Array(32).fill(7);
  const direct = hkdf(sha256, bytes, utf8.encode("superpeer/topic/v1"), utf8.encode("club"), 32);
  assertEquals(hex.encode(await topicKey(bytes, "club")), hex.encode(direct));
});

Deno.test("topics: a sealed publish is the document's layout, opened by another library", async () => {
  // PROTOCOL.md section 13: 0x02 ‖ nonce (24) ‖ AES-256-GCM under HKDF(topic key, salt nonce,
  // info "superpeer/topic/v2/message"), nonce 12 zero bytes, the publish's hash as data.
  const key = await topicKey(new Uint8Array(32).fill(5), "club");
  const sealed = await sealTopic(key, "club", "peer", 7, "hello");
  assertEquals([sealed[0], sealed.length], [2, TOPIC_SEAL_OVERHEAD + 5]);
  const nonce = sealed.subarray(1, 25);
  const own = hkdf(sha256, key, nonce, new TextEncoder().encode("superpeer/topic/v2/message"), 32);
  const n = new Uint8Array(8);
  new DataView(n.buffer).setBigUint64(0, 7n);
  const aad = sha256(
    concat(
      new TextEncoder().encode("superpeer/publish/v1"),
      n,
      new TextEncoder().encode("club\0peer"),
    ),
  );
  const plain = gcm(own, new Uint8Array(12), aad).decrypt(sealed.subarray(25));
  assertEquals([plain[0], new TextDecoder().decode(plain.subarray(1))], [0, "hello"]);
  // Each publish its own nonce; under another publisher, number or topic, it does not open.
  assert((await sealTopic(key, "club", "peer", 7, "hello")).join() !== sealed.join());
  assertEquals(await openTopic(key, "club", "peer", 7, sealed), "hello");
  assertEquals(await openTopic(key, "club", "other", 7, sealed), undefined);
  assertEquals(await openTopic(key, "club", "peer", 8, sealed), undefined);
  const flipped = sealed.slice();
  flipped[30] ^= 1;
  assertEquals(await openTopic(key, "club", "peer", 7, flipped), undefined);
});
