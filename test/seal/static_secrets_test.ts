// The static-static secrets a sealer keeps per remote: computed once, the same as computed
// afresh, and bounded however many remotes there are.
import { assertEquals } from "../support/assert.ts";
import { Identity } from "../../src/identity/mod.ts";
import { identitySealKey, sealPublicKey, X25519, type X25519Ops } from "../../src/seal/keys.ts";
import { SEAL_STATIC_SECRETS } from "../../src/seal/seal_bounds.ts";
import { StaticSecrets } from "../../src/seal/static_secrets.ts";

function counted(agree: X25519Ops["agree"] = X25519.agree) {
  const calls = { n: 0 };
  const ops: X25519Ops = { ...X25519, agree: (s, p) => (calls.n++, agree(s, p)) };
  return { ops, calls };
}

Deno.test("StaticSecrets: one X25519 per remote, and the secret both sides compute", async () => {
  const [me, other] = await Promise.all([Identity.generate(), Identity.generate()]);
  const { ops, calls } = counted();
  const mine = new StaticSecrets(await identitySealKey(me), { x25519: ops });
  const first = mine.of(other.peerId)!;
  for (let i = 0; i < 10; i++) assertEquals(mine.of(other.peerId), first);
  assertEquals(calls.n, 1);
  const theirs = new StaticSecrets(await identitySealKey(other)).of(me.peerId)!;
  assertEquals(first, theirs);
  assertEquals(first, X25519.agree(await identitySealKey(me), sealPublicKey(other.peerId)));
});

Deno.test("StaticSecrets: the remotes kept stay under the cap; one forgotten is computed again", async () => {
  const ids = await Promise.all(Array.from({ length: 20 }, () => Identity.generate()));
  const fake = () => new Uint8Array(32).fill(7); // the count is what matters here, not the value
  const { ops, calls } = counted(fake);
  const small = new StaticSecrets(await identitySealKey(ids[0]), { x25519: ops, peers: 8 });
  for (const id of ids) small.of(id.peerId);
  assertEquals([small.size, calls.n], [8, 20]);
  small.of(ids[19].peerId); // kept
  small.of(ids[0].peerId); // forgotten
  assertEquals(calls.n, 21);
  // At the default cap: many remotes (a peer id is cheap to make), a bounded table.
  const big = new StaticSecrets(await identitySealKey(ids[0]), { x25519: counted(fake).ops });
  const many = await Promise.all(
    Array.from({ length: SEAL_STATIC_SECRETS + 500 }, () => Identity.generate()),
  );
  for (const id of many) big.of(id.peerId);
  assertEquals(big.size, SEAL_STATIC_SECRETS);
});
