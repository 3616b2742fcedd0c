// Sticky sealing: a relay that forges "no such session" and then "I do not seal" gets nothing
// in clear from a peer under "preferred", and passes nothing in clear off as the other's.
import { SEAL_DATA, SEAL_UNKNOWN_SESSION, SEAL_UNSUPPORTED } from "../../src/seal/envelope.ts";
import { SEAL_HANDSHAKE_TIMEOUT_MS } from "../../src/seal/seal_bounds.ts";
import { SealedBefore } from "../../src/seal/sealed_before.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { pair } from "./_pair.ts";

Deno.test("sticky sealing: a forged downgrade of a peer that sealed sends nothing in clear", async () => {
  const t = await pair("preferred");
  const [a, b] = [t.a.peerId, t.b.peerId];
  const sa = t.sealers.get(a)!;
  sa.seal(b, 0, t.text("one"), 0);
  let session: Uint8Array | undefined;
  await t.relay((w) => {
    if (w.from === a && w.bytes[0] === SEAL_DATA) session ??= w.bytes.slice(1, 9);
    return [w];
  });
  assertEquals(t.got.get(b), [`${a}:one`]);
  // The relay says b knows no such session: a drops it and says hello again...
  sa.receive(b, Uint8Array.of(SEAL_UNKNOWN_SESSION, ...session!), 1);
  await sa.idle();
  t.wire.splice(0); // ...which the relay drops, and answers "I do not seal" as b.
  sa.receive(b, Uint8Array.of(SEAL_UNSUPPORTED), 2);
  await sa.idle();
  assertEquals(t.errors.map((e) => e.code), ["SEAL_BAD_TAG"], "the forged notice is refused");
  sa.seal(b, 0, t.text("two"), 3);
  await sa.idle();
  assertEquals(t.clear, [], "nothing in clear");
  assert(!sa.takesClear(b), "nor anything in clear taken as b's");
  // Silence to the hello that follows is the relay's too: the message is reported, not sent.
  t.wire.splice(0);
  assertEquals(sa.tick(3 + SEAL_HANDSHAKE_TIMEOUT_MS), undefined);
  assertEquals(t.clear, []);
  assertEquals(t.errors.map((e) => e.code), ["SEAL_BAD_TAG", "SEAL_HANDSHAKE_TIMEOUT"]);
});

Deno.test("sticky sealing: a peer never seen sealing may still be taken not to", async () => {
  const t = await pair("preferred");
  const sa = t.sealers.get(t.a.peerId)!;
  sa.seal(t.c.peerId, 0, t.text("hi"), 0);
  t.wire.splice(0);
  sa.receive(t.c.peerId, Uint8Array.of(SEAL_UNSUPPORTED), 1);
  await sa.idle();
  assertEquals(t.clear, [t.c.peerId]);
  assert(sa.takesClear(t.c.peerId));
});

Deno.test("sticky sealing: the set is bounded, the least recently sealed forgotten first", () => {
  const sealed = new SealedBefore(2);
  for (const p of ["a", "b", "a", "c"]) sealed.add(p);
  assertEquals(["a", "b", "c"].map((p) => sealed.has(p)), [true, false, true]);
});
