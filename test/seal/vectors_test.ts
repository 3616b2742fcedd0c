// The test vectors of docs/PROTOCOL.md section 13, derived with the code from fixed seeds and
// ephemeral secrets, and found in the document: a client written elsewhere checks its handshake,
// data and mail against them byte for byte.
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { hex } from "@scure/base";
import { peerIdFromPublicKey } from "../../src/identity/peer_id.ts";
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
    "017b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13bd3984d3fc1d6641e5bd5881a7edfead",
  accept:
    "027a2c678770f25f170faa684ed28867b97f4a6a2dee5df8ce974e76b7018e3f22a1c4cf2678570f20dbce34a88d11fe2fb93e64f47cb28e86",
  session: "a1f616dd746a7d38",
  aToB: "060a2c962c7287f9a4a135c297db68a56a84a0a36467be81ca9e9032cba5cf2b",
  bToA: "9d7c6ce6822d43d2406c78be44e9fe36aef229382dc1d7371ee761240a4c8db6",
  data: "03a1f616dd746a7d3800000000000000018bc48439e3f831aa13e597c58bea6c2d486dfb",
  mail:
    "047b0d47d93427f8311160781c7c733fd89f88970aef490d8aa0ee19a4cb8a1b14ea412a6490135045f5f84f68b14e67b7011d2c794186c38cb428cf",
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
    secret: sealSecretKey(seedA),
  };
  const b = {
    peerId: peerIdFromPublicKey(ed25519.getPublicKey(seedB)),
    secret: sealSecretKey(seedB),
  };
  const [eI, eR, eM] = [0x11, 0x22, 0x33].map((v) => new Uint8Array(32).fill(v));
  const started = startHello(a, b.peerId, new StaticSecrets(a.secret, { x25519: fixed(eI) }))!;
  const accepted = acceptHello(
    b,
    a.peerId,
    started.bytes,
    new StaticSecrets(b.secret, { x25519: fixed(eR) }),
  );
  assert(!("code" in accepted));
  const keys = finishHello(started.pending, b.peerId, accepted.bytes);
  assert(!("code" in keys));
  const data = await new SealSession(keys, 0).seal(0x01, new TextEncoder().encode("hi"));
  const mail = sealMail(a, b.peerId, 0x01, new TextEncoder().encode("hi"), 1_700_000_000_000, {
    secret: eM,
    publicKey: x25519.getPublicKey(eM),
  })!;
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
  const took = openMail(
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
