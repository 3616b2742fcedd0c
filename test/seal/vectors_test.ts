// The test vectors of docs/PROTOCOL.md section 13, derived with the code from fixed seeds and
// ephemeral secrets, and found in the document: a client written elsewhere checks its handshake,
// data and mail against them byte for byte.
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { gcm } from "@noble/ciphers/aes.js";
import { hkdf as nobleHkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { hex } from "@scure/base";
import { peerIdBytes, peerIdFromPublicKey } from "../../src/identity/peer_id.ts";
import { concat } from "../../src/seal/envelope.ts";
import { agree, sealSecretKey, type X25519Ops } from "../../src/seal/keys.ts";
import { acceptHello, finishHello, startHello } from "../../src/seal/handshake.ts";
import { StaticSecrets } from "../../src/seal/static_secrets.ts";
import { SealSession } from "../../src/seal/session.ts";
import { MailReplays, openMail, sealMail } from "../../src/seal/mail.ts";
import { assert, assertEquals } from "../support/assert.ts";

const VECTORS = {
  a: "6MkehRgf7yJbgaGfYsdoAsKdBPE3dj2CYhowQdcjqSJgvVd",
  b: "6MkhFwXNFWosLeugvSf4wcL9t3uuRXueGSFTRgSvHhWj5G2",
  hello:
    "017b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13696b4863e60a1999b8cf717bb4c34e15",
  accept:
    "02005aa10325c204090faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20e0061a3ae4cfa1a34230302df63a6f20",
  session: "e358dd9656e45250",
  aToB: "9ca0e3aa9877375f47b871a9f1d30ec247fc296919f2667d5bc05b89eebb1792",
  bToA: "f44be0d50ce7e295b7085d6bb33627b1ddb8276b98c7cfbde1e59ff3ca8f83bb",
  data: "03e358dd9656e452500000000000000001989c31376f079518d7771236d4f133d289155f",
  mail:
    "047b0d47d93427f8311160781c7c733fd89f88970aef490d8aa0ee19a4cb8a1b148c5fa70b1f3f773a5a60dd859df87cb50c660b8a895238e51a6358",
};

const seq = (from: number) => Uint8Array.from({ length: 32 }, (_, i) => from + i);
const fixed = (secret: Uint8Array): X25519Ops => ({
  agree,
  ephemeralKeys: () => ({ secret, publicKey: x25519.getPublicKey(secret) }),
});

Deno.test("vectors: the handshake, a data message and a mail of PROTOCOL.md section 13", async () => {
  const [seedA, seedB] = [seq(0), seq(32)];
  const a = {
    peerId: peerIdFromPublicKey(ed25519.getPublicKey(seedA)),
    secret: await sealSecretKey(seedA),
  };
  const b = {
    peerId: peerIdFromPublicKey(ed25519.getPublicKey(seedB)),
    secret: await sealSecretKey(seedB),
  };
  const [eI, eR, eM] = [0x11, 0x22, 0x33].map((v) => new Uint8Array(32).fill(v));
  const started =
    (await startHello(a, b.peerId, new StaticSecrets(a.secret, { x25519: fixed(eI) })))!;
  const accepted = await acceptHello(
    b,
    a.peerId,
    started.bytes,
    new StaticSecrets(b.secret, { x25519: fixed(eR) }),
  );
  assert(!("code" in accepted));
  const keys = await finishHello(started.pending, b.peerId, accepted.bytes);
  assert(!("code" in keys));
  const data = await new SealSession(keys, 0).seal(0x01, new TextEncoder().encode("hi"));
  const mail =
    (await sealMail(a, b.peerId, 0x01, new TextEncoder().encode("hi"), 1_700_000_000_000, {
      secret: eM,
      publicKey: x25519.getPublicKey(eM),
    }))!;
  const got = {
    a: a.peerId,
    b: b.peerId,
    hello: hex.encode(started.bytes),
    accept: hex.encode(accepted.bytes),
    session: hex.encode(keys.id),
    aToB: hex.encode(keys.send),
    bToA: hex.encode(keys.receive),
    data: hex.encode(data),
    mail: hex.encode(mail),
  };
  assertEquals(got, VECTORS);
  // The other side opens them.
  const atB = new SealSession(accepted.keys, 0);
  const opened = await atB.open(a.peerId, hex.decode(VECTORS.data));
  assert(opened.ok && new TextDecoder().decode(opened.payload) === "hi");
  const took = await openMail(
    b,
    a.peerId,
    hex.decode(VECTORS.mail),
    1_700_000_000_000,
    new MailReplays(60_000),
  );
  assert(took.ok && took.flags === 0x01 && new TextDecoder().decode(took.payload) === "hi");
});

Deno.test("vectors: docs/PROTOCOL.md shows each of them", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/PROTOCOL.md", import.meta.url));
  for (const [name, value] of Object.entries(VECTORS)) assert(doc.includes(value), name);
});

Deno.test("vectors: the hello, accept and mail follow the document's formulas, by another library", async () => {
  // Section 13's formulas, written out with @noble's SHA-256, HKDF and AES-GCM (not WebCrypto,
  // which the code uses), from the same seeds and ephemeral secrets.
  const C = new TextEncoder().encode("superpeer/seal/v3");
  const gmac = (k: Uint8Array, a: Uint8Array) =>
    gcm(k, new Uint8Array(12), a).encrypt(new Uint8Array());
  const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string, n: number) =>
    nobleHkdf(sha256, ikm, salt, new TextEncoder().encode(info), n);
  const [sA, sB] = await Promise.all([sealSecretKey(seq(0)), sealSecretKey(seq(32))]);
  const [SA, SB] = [x25519.getPublicKey(sA), x25519.getPublicKey(sB)];
  const [eI, eR, eM] = [0x11, 0x22, 0x33].map((v) => new Uint8Array(32).fill(v));
  const [EI, ER, EM] = [eI, eR, eM].map((e) => x25519.getPublicKey(e));
  const [idA, idB] = [VECTORS.a, VECTORS.b].map(peerIdBytes);
  const h1 = sha256(concat(C, Uint8Array.of(1), idA, idB, EI));
  const k1 = hkdf(
    concat(x25519.getSharedSecret(eI, SB), x25519.getSharedSecret(sA, SB)),
    h1,
    "hello",
    32,
  );
  assertEquals(hex.encode(concat(Uint8Array.of(1), EI, gmac(k1, h1))), VECTORS.hello);
  const h2 = sha256(concat(h1, ER));
  const dh = (a: Uint8Array, b: Uint8Array) => x25519.getSharedSecret(a, b);
  const okm = hkdf(concat(dh(eR, EI), dh(eR, SA), dh(sB, EI), dh(sB, SA)), h2, "keys", 96);
  const accept = concat(Uint8Array.of(2), h1.subarray(0, 8), ER, gmac(okm.subarray(64), h2));
  assertEquals(hex.encode(accept), VECTORS.accept);
  assertEquals(hex.encode(okm.subarray(0, 32)), VECTORS.aToB);
  const h = sha256(concat(C, Uint8Array.of(4), idA, idB, EM));
  const key = hkdf(concat(dh(eM, SB), dh(sA, SB)), h, "mail", 32);
  const plain = concat(
    Uint8Array.of(1),
    hex.decode("0000018bcfe56800"),
    new TextEncoder().encode("hi"),
  );
  const mail = concat(Uint8Array.of(4), EM, gcm(key, new Uint8Array(12), h).encrypt(plain));
  assertEquals(hex.encode(mail), VECTORS.mail);
});
