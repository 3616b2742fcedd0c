// Our X25519 and Ed25519-to-X25519 map against RFC 7748's vectors and against an independent
// implementation (@noble/curves, a test-only dependency), on random and on malformed input.
import fc from "fast-check";
import { ed25519, x25519 as nobleX25519 } from "@noble/curves/ed25519.js";
import { hex } from "@scure/base";
import { edwardsToMontgomery, x25519, x25519PublicKey } from "../../src/seal/curve25519.ts";
import { agree, sealSecretKey } from "../../src/seal/keys.ts";
import { assert, assertEquals } from "../support/assert.ts";

const h = (s: string) => hex.decode(s);

Deno.test("x25519: RFC 7748 section 5.2 vectors", () => {
  assertEquals(
    hex.encode(x25519(
      h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
      h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
    )),
    "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
  );
  assertEquals(
    hex.encode(x25519(
      h("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
      h("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
    )),
    "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
  );
  // Iterated: k and u start at 9; each round, u takes k's old value and k the result.
  let k: Uint8Array = new Uint8Array(32);
  k[0] = 9;
  let u: Uint8Array = k.slice();
  const after: Record<number, string> = {};
  for (let i = 1; i <= 1_000; i++) {
    const r = x25519(k, u);
    u = k;
    k = r;
    if (i === 1 || i === 1_000) after[i] = hex.encode(k);
  }
  assertEquals(after[1], "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
  assertEquals(after[1_000], "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
});

Deno.test("x25519: RFC 7748 section 6.1 Diffie-Hellman", () => {
  const alice = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const bob = h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  assertEquals(
    hex.encode(x25519PublicKey(alice)),
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
  );
  assertEquals(
    hex.encode(x25519PublicKey(bob)),
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
  );
  const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
  assertEquals(hex.encode(agree(alice, x25519PublicKey(bob))!), shared);
  assertEquals(hex.encode(agree(bob, x25519PublicKey(alice))!), shared);
});

Deno.test("x25519: the same results as an independent implementation", () => {
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  fc.assert(
    fc.property(bytes32, bytes32, (k, u) => {
      let theirs: Uint8Array | undefined;
      try {
        theirs = nobleX25519.getSharedSecret(k, u);
      } catch {
        theirs = undefined; // a point of small order: no secret
      }
      assertEquals(agree(k, u), theirs);
      assertEquals(x25519PublicKey(k), nobleX25519.getPublicKey(k));
    }),
    { numRuns: 300 },
  );
});

Deno.test("edwardsToMontgomery: the map of valid keys, the refusal of the rest", () => {
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  // Real keys, and random bytes (about half are no point).
  const key = fc.oneof(bytes32.map((seed) => ed25519.getPublicKey(seed)), bytes32);
  let valid = 0;
  fc.assert(
    fc.property(key, (pub) => {
      let theirs: Uint8Array | undefined;
      try {
        theirs = ed25519.utils.toMontgomery(pub);
      } catch {
        theirs = undefined;
      }
      let ours: Uint8Array | undefined;
      try {
        ours = edwardsToMontgomery(pub);
      } catch {
        ours = undefined;
      }
      assertEquals(ours, theirs, hex.encode(pub));
      if (ours) valid++;
    }),
    { numRuns: 600 },
  );
  assert(valid > 300, `only ${valid} valid keys tried`);
  // Edges: y = p (not canonical), y = 1 (the neutral point), x = 0 with its sign bit set.
  const p = h("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  assert.throws(() => edwardsToMontgomery(p));
  const one = new Uint8Array(32);
  one[0] = 1;
  assert.throws(() => edwardsToMontgomery(one));
  const negativeZero = one.slice();
  negativeZero[31] = 0x80;
  assert.throws(() => edwardsToMontgomery(negativeZero));
});

Deno.test("sealSecretKey: the X25519 secret whose public key is the map of the Ed25519 one", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (seed) => {
      const secret = await sealSecretKey(seed);
      assertEquals(secret, ed25519.utils.toMontgomerySecret(seed));
      assertEquals(x25519PublicKey(secret), edwardsToMontgomery(ed25519.getPublicKey(seed)));
    }),
    { numRuns: 100 },
  );
});
