// What junk costs a sealer: the answers it sends unasked (bounded per remote and per session
// id) and the X25519 operations a hello costs it (counted through the operations it is given).
import { assert, assertEquals } from "../support/assert.ts";
import { Identity } from "../../src/identity/mod.ts";
import {
  DATA_OVERHEAD,
  HELLO_BYTES,
  SEAL_ACCEPT,
  SEAL_DATA,
  SEAL_HELLO,
  SEAL_UNKNOWN_SESSION,
} from "../../src/seal/envelope.ts";
import { startHello } from "../../src/seal/handshake.ts";
import { identitySealKey, X25519, type X25519Ops } from "../../src/seal/keys.ts";
import {
  SEAL_ANSWER_BURST,
  SEAL_ANSWERS_PER_SECOND,
  SEAL_HELLO_BURST,
  SEAL_UNKNOWN_ANSWER_INTERVAL_MS,
  type SealCode,
  Sealer,
} from "../../src/seal/sealer.ts";
import { StaticSecrets } from "../../src/seal/static_secrets.ts";

const local = async (id: Identity) => ({ peerId: id.peerId, secret: await identitySealKey(id) });
// A hello from `id` to `to`, made as an honest peer makes it.
const hello = async (id: Identity, to: string, kept?: StaticSecrets) =>
  (await startHello(await local(id), to, kept))!.bytes;

// A sealer whose X25519 operations are counted, and what it sends and reports.
async function victim() {
  const me = await Identity.generate();
  const sent: { to: string; bytes: Uint8Array }[] = [];
  const refused: SealCode[] = [];
  let x25519 = 0;
  const counted: X25519Ops = {
    agree: (s, p) => (x25519++, X25519.agree(s, p)),
    ephemeralKeys: () => (x25519++, X25519.ephemeralKeys()),
  };
  const sealer = new Sealer(await local(me), {
    sendSealed: (to, bytes) => (sent.push({ to, bytes: bytes.slice() }), "sent"),
    sendClear: () => {},
    deliver: () => {},
    refused: (_peer, code) => void refused.push(code),
  }, { x25519: counted });
  const kinds = (kind: number) => sent.filter((s) => s.bytes[0] === kind).length;
  return { me, sealer, sent, refused, kinds, x25519: () => x25519 };
}

function junkData(id = crypto.getRandomValues(new Uint8Array(8))): Uint8Array {
  const bytes = crypto.getRandomValues(new Uint8Array(DATA_OVERHEAD + 20));
  bytes[0] = SEAL_DATA;
  bytes.set(id, 1);
  return bytes;
}

function junkHello(): Uint8Array {
  const bytes = crypto.getRandomValues(new Uint8Array(HELLO_BYTES));
  bytes[0] = SEAL_HELLO;
  return bytes;
}

Deno.test("sealer flood: junk data under random sessions from one remote gets a bucket's answers", async () => {
  const v = await victim();
  const attacker = (await Identity.generate()).peerId;
  for (let i = 0; i < 1_000; i++) v.sealer.receive(attacker, junkData(), 0);
  await v.sealer.idle();
  assertEquals(v.kinds(SEAL_UNKNOWN_SESSION), SEAL_ANSWER_BURST);
  assertEquals(v.refused.length, 1_000, "each is still reported here");
  // 5 s later, 1,000 more: what the bucket refilled.
  for (let i = 0; i < 1_000; i++) v.sealer.receive(attacker, junkData(), 5_000);
  await v.sealer.idle();
  const bound = SEAL_ANSWER_BURST + Math.min(SEAL_ANSWER_BURST, 5 * SEAL_ANSWERS_PER_SECOND);
  assertEquals(v.kinds(SEAL_UNKNOWN_SESSION), bound);
  assertEquals(v.sent.length, v.kinds(SEAL_UNKNOWN_SESSION), "nothing else is sent");
});

Deno.test("sealer flood: a repeated unknown session id is answered once per interval", async () => {
  const v = await victim();
  const peer = (await Identity.generate()).peerId;
  const id = crypto.getRandomValues(new Uint8Array(8));
  for (let i = 0; i < 100; i++) v.sealer.receive(peer, junkData(id), 0);
  await v.sealer.idle();
  assertEquals(v.kinds(SEAL_UNKNOWN_SESSION), 1);
  for (let i = 0; i < 100; i++) {
    v.sealer.receive(peer, junkData(id), SEAL_UNKNOWN_ANSWER_INTERVAL_MS);
  }
  await v.sealer.idle();
  assertEquals(v.kinds(SEAL_UNKNOWN_SESSION), 2);
  assertEquals(v.sent.map((s) => s.bytes.subarray(1).join()), [id.join(), id.join()]);
});

Deno.test("sealer flood: a junk hello from a known remote costs at most one X25519", async () => {
  const v = await victim();
  const known = await Identity.generate();
  // An honest handshake first: the victim now knows this remote.
  v.sealer.receive(known.peerId, await hello(known, v.me.peerId), 0);
  await v.sealer.idle();
  assertEquals(v.kinds(SEAL_ACCEPT), 1);
  let before = v.x25519();
  v.sealer.receive(known.peerId, junkHello(), 0);
  await v.sealer.idle();
  assert(v.x25519() - before <= 1, `${v.x25519() - before} X25519 for a junk hello`);
  // Malformed: no X25519 at all.
  before = v.x25519();
  v.sealer.receive(known.peerId, junkHello().subarray(0, 20), 0);
  v.sealer.receive(known.peerId, new Uint8Array([SEAL_HELLO]), 0);
  await v.sealer.idle();
  assertEquals(v.x25519() - before, 0);
  // A remote never seen: its static secret once (two), then one each.
  const stranger = (await Identity.generate()).peerId;
  before = v.x25519();
  v.sealer.receive(stranger, junkHello(), 0);
  await v.sealer.idle();
  assertEquals(v.x25519() - before, 2);
  before = v.x25519();
  v.sealer.receive(stranger, junkHello(), 0);
  await v.sealer.idle();
  assertEquals(v.x25519() - before, 1);
  assertEquals(v.kinds(SEAL_ACCEPT), 1, "junk is never answered");
  assertEquals(v.refused, Array(5).fill("SEAL_BAD_HANDSHAKE"));
});

Deno.test("sealer flood: hellos from one remote are taken a bucket's worth, the rest cost nothing", async () => {
  const v = await victim();
  const flooder = await Identity.generate();
  const mine = new StaticSecrets(await identitySealKey(flooder));
  const hellos = await Promise.all(
    Array.from({ length: 100 }, () => hello(flooder, v.me.peerId, mine)),
  );
  for (const h of hellos) v.sealer.receive(flooder.peerId, h, 0);
  await v.sealer.idle();
  assertEquals(v.kinds(SEAL_ACCEPT), SEAL_HELLO_BURST, "a bucket's worth answered");
  // Each answered: the static secret once, then the ephemeral's, a key pair, two agreements.
  assertEquals(v.x25519(), 1 + 4 * SEAL_HELLO_BURST);
  const before = v.x25519();
  for (let i = 0; i < 1_000; i++) v.sealer.receive(flooder.peerId, junkHello(), 0);
  await v.sealer.idle();
  assertEquals(v.x25519() - before, 0, "over the bucket, a hello costs no X25519");
  assertEquals(v.refused, [], "and is dropped silently");
  // Another remote has its own bucket.
  const other = await Identity.generate();
  v.sealer.receive(other.peerId, await hello(other, v.me.peerId), 0);
  await v.sealer.idle();
  assertEquals(v.kinds(SEAL_ACCEPT), SEAL_HELLO_BURST + 1);
  // A minute on, the flooder is answered again.
  v.sealer.receive(flooder.peerId, await hello(flooder, v.me.peerId), 60_000);
  await v.sealer.idle();
  assertEquals(v.kinds(SEAL_ACCEPT), SEAL_HELLO_BURST + 2);
});
