import {
  Identity,
  isPeerId,
  peerIdFromPublicKey,
  publicKeyFromPeerId,
  verifySignature,
} from "../../src/identity/mod.ts";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import fc from "fast-check";

Deno.test("peerIdFromPublicKey() round-trips through publicKeyFromPeerId()", () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
    const id = peerIdFromPublicKey(key);
    assert(isPeerId(id));
    assertEquals(id.length, 47);
    assertEquals(id.slice(0, 3), "6Mk");
    assertEquals(publicKeyFromPeerId(id), key);
  }));
});

Deno.test("publicKeyFromPeerId() refuses what is not an Ed25519 peer id", () => {
  for (
    const bad of ["", "0OIl", "abc", "x".repeat(60), "11111111111111111111111111111111111111111111"]
  ) {
    assert(!isPeerId(bad), bad);
  }
  assert(!isPeerId(42));
});

Deno.test("peerIdFromPublicKey() refuses a key of the wrong size", () => {
  try {
    peerIdFromPublicKey(new Uint8Array(31));
    assert.fail("expected a RangeError");
  } catch (e) {
    assert(e instanceof RangeError);
  }
});

Deno.test("Identity signs, and verifySignature() accepts only its own signatures", async () => {
  const me = await Identity.generate();
  const other = await Identity.generate();
  const data = new TextEncoder().encode("transfer 10");
  const sig = await me.sign(data);
  assertEquals(sig.length, 64);
  assert(await verifySignature(me.peerId, sig, data));
  assert(!await verifySignature(other.peerId, sig, data));
  assert(!await verifySignature(me.peerId, sig, new TextEncoder().encode("transfer 11")));
  assert(!await verifySignature("junk", sig, data));
  assert(!await verifySignature(me.peerId, sig.slice(1), data));
});

Deno.test("JSON.stringify(identity) saves it whole; fromJSON() loads it", async () => {
  const me = await Identity.generate();
  const saved = JSON.stringify(me);
  const again = await Identity.fromJSON(saved);
  assertEquals(again.peerId, me.peerId);
  const data = new Uint8Array([1, 2, 3]);
  assert(await verifySignature(me.peerId, await again.sign(data), data));
});

Deno.test("Identity.fromJSON() refuses a malformed or mismatched identity", async () => {
  const me = await Identity.generate();
  const other = await Identity.generate();
  const saved = me.toJSON();
  const theirs = other.toJSON();
  for (
    const bad of [
      "{}",
      "not json",
      '{"version":1,"peerId":"x","privateKey":{"kty":"OKP","crv":"Ed25519","x":"!","d":"!"}}',
      JSON.stringify({ ...saved, version: 2 }),
      JSON.stringify({ ...saved, peerId: other.peerId }),
      JSON.stringify({ ...saved, privateKey: { ...saved.privateKey, x: theirs.privateKey.x } }),
    ]
  ) {
    const error = await assertRejects(Identity.fromJSON(bad));
    assert(error instanceof SyntaxError && error.message.startsWith("Cannot load identity"));
  }
});
