// Weak Ed25519 keys, checked against the curve itself: the eight points of small order and
// every non-canonical encoding are refused; keys made the usual way never are.
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { base64urlnopad } from "@scure/base";
import { isWeakPublicKey } from "../../src/identity/weak_key.ts";
import { isPeerId, peerIdFromPublicKey } from "../../src/identity/peer_id.ts";
import { Identity, verifySignature } from "../../src/identity/identity.ts";
import { verifyTransfer } from "../../src/ledger/transfer.ts";
import { acceptHello, startHello } from "../../src/seal/handshake.ts";
import { HELLO_BYTES, SEAL_HELLO } from "../../src/seal/envelope.ts";
import { identitySealKey } from "../../src/seal/keys.ts";
import { assert, assertEquals } from "../support/assert.ts";

const P = ed25519.Point;
const P_FIELD = 2n ** 255n - 19n;

/** Every point of small order: the multiples of one of order 8, found on the curve. */
function smallOrderPoints(): InstanceType<typeof P>[] {
  // A point of order 8 is a y whose point, times 8, is the neutral point and, times 4, is not.
  for (let y = 2n;; y++) {
    let point;
    try {
      point = P.fromBytes(le(y));
    } catch {
      continue;
    }
    const eight = point.multiplyUnsafe(8n);
    if (!eight.is0() || point.multiplyUnsafe(4n).is0()) {
      // A point of full order times the group's prime order lands in the small-order group.
      const torsion = point.multiplyUnsafe(P.Fn.ORDER - 1n).add(point);
      if (torsion.is0() || torsion.multiplyUnsafe(4n).is0()) continue;
      point = torsion;
    }
    const all = [P.ZERO];
    for (let k = 1; k < 8; k++) all.push(all[k - 1].add(point));
    return all;
  }
}

function le(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

Deno.test("weak keys: the eight small-order points, either sign, are refused", () => {
  const points = smallOrderPoints();
  assertEquals(new Set(points.map((p) => p.toHex())).size, 8);
  for (const p of points) {
    assert(p.isSmallOrder());
    const bytes = p.toBytes();
    assert(isWeakPublicKey(bytes), bytesToHex(bytes));
    const flipped = bytes.slice();
    flipped[31] ^= 0x80;
    assert(isWeakPublicKey(flipped), `${bytesToHex(flipped)} (sign bit flipped)`);
    assert(!isPeerId(peerIdFromPublicKey(bytes)));
  }
});

Deno.test("weak keys: every encoding of y at or past the prime is refused", () => {
  for (let y = P_FIELD; y < 2n ** 255n; y++) {
    for (const sign of [0, 0x80]) {
      const bytes = le(y);
      bytes[31] |= sign;
      assert(isWeakPublicKey(bytes), bytesToHex(bytes));
    }
  }
});

Deno.test("weak keys: keys made the usual way pass", async () => {
  for (let i = 0; i < 500; i++) {
    const key = ed25519.getPublicKey(ed25519.utils.randomSecretKey());
    assert(!isWeakPublicKey(key), bytesToHex(key));
  }
  assert(isPeerId((await Identity.generate()).peerId));
});

Deno.test("weak keys: a signature by nobody verifies for no one", async () => {
  // With the neutral point as key, R the neutral point and S = 0 satisfy the equation.
  const neutral = hexToBytes("01".padEnd(64, "0"));
  const nobody = peerIdFromPublicKey(neutral);
  const sig = Uint8Array.of(1, ...new Uint8Array(63));
  assert(!await verifySignature(nobody, sig, new TextEncoder().encode("anything")));
  assert(
    !await verifyTransfer({
      network: "dev",
      from: nobody,
      to: (await Identity.generate()).peerId,
      amount: 400n,
      nonce: 1,
      sig: base64urlnopad.encode(sig),
    } as never),
  );
});

Deno.test("weak keys: sealing neither starts nor accepts a handshake with one", async () => {
  const me = await Identity.generate();
  const local = { peerId: me.peerId, secret: await identitySealKey(me) };
  for (const p of smallOrderPoints()) {
    const weak = peerIdFromPublicKey(p.toBytes());
    assertEquals(await startHello(local, weak), undefined);
    // A hello the relay says came from it: refused with a code, nothing thrown.
    const hello = new Uint8Array(HELLO_BYTES).fill(SEAL_HELLO, 0, 1);
    const answer = await acceptHello(local, weak, hello);
    assertEquals("code" in answer && answer.code, "SEAL_BAD_HANDSHAKE");
  }
});
