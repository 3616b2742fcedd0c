// The sealing state machine, pure: two sealers wired to each other through a relay the test
// controls, which may alter, repeat or re-address what it carries.
import fc from "fast-check";
import { assert, assertEquals } from "../support/assert.ts";
import { SEAL_HANDSHAKE_TIMEOUT_MS } from "../../src/seal/sealer.ts";
import { pair } from "./_pair.ts";

Deno.test("sealer: a handshake on the first message, then both ways", async () => {
  const t = await pair();
  const sa = t.sealers.get(t.a.peerId)!, sb = t.sealers.get(t.b.peerId)!;
  assertEquals(sa.seal(t.b.peerId, 0, t.text("1"), 0), "queued");
  assertEquals(sa.seal(t.b.peerId, 0, t.text("2"), 0), "queued");
  await t.relay();
  assertEquals(sb.seal(t.a.peerId, 0, t.text("back"), 0), "batched");
  await t.relay();
  assertEquals(t.got.get(t.b.peerId), [`${t.a.peerId}:1`, `${t.a.peerId}:2`]);
  assertEquals(t.got.get(t.a.peerId), [`${t.b.peerId}:back`]);
  assertEquals(t.errors, []);
});

Deno.test("sealer: any byte altered, by the relay, is refused and delivers nothing", async () => {
  const t = await pair();
  const sa = t.sealers.get(t.a.peerId)!;
  sa.seal(t.b.peerId, 0, t.text("warm"), 0);
  await t.relay();
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
      const before = t.got.get(t.b.peerId)!.length;
      const errors = t.errors.length;
      sa.seal(t.b.peerId, 0, t.text("a message of some length"), 0);
      await t.relay((w) => {
        if (w.bytes[0] !== 3) return [w]; // the message itself; what answers it passes
        const bytes = w.bytes.slice();
        bytes[at % bytes.length] ^= xor;
        return [{ ...w, bytes }];
      });
      assertEquals(t.got.get(t.b.peerId)!.length, before);
      assertEquals(t.errors.length, errors + 1);
    }),
    { numRuns: 200 },
  );
  const codes = new Set(t.errors.map((e) => e.code));
  for (const code of codes) {
    // An altered kind byte makes it another kind of payload, refused as such.
    const refusals = [
      "SEAL_BAD_TAG",
      "SEAL_BAD_HANDSHAKE",
      "SEAL_UNKNOWN_SESSION",
      "SEAL_REPLAYED",
    ];
    assert(refusals.includes(code), code);
  }
});

Deno.test("sealer: a replay and a rewritten sender are refused by code", async () => {
  const t = await pair();
  const sa = t.sealers.get(t.a.peerId)!;
  sa.seal(t.b.peerId, 0, t.text("once"), 0);
  await t.relay((w) => w.to === t.b.peerId && w.bytes[0] === 3 ? [w, w] : [w]);
  sa.seal(t.b.peerId, 0, t.text("not from c"), 0);
  await t.relay((w) => [{ ...w, from: t.c.peerId }]);
  assertEquals(t.got.get(t.b.peerId), [`${t.a.peerId}:once`]);
  assertEquals(t.errors.map((e) => e.code), ["SEAL_REPLAYED", "SEAL_WRONG_SENDER"]);
  assertEquals(t.errors[1].peer, t.c.peerId);
});

Deno.test("sealer: a hello with its sender rewritten is refused", async () => {
  const t = await pair();
  t.sealers.get(t.a.peerId)!.seal(t.b.peerId, 0, t.text("x"), 0);
  await t.relay((w) => [{ ...w, from: t.c.peerId }]);
  assertEquals(t.errors.map((e) => e.code), ["SEAL_BAD_HANDSHAKE"]);
  assertEquals(t.got.get(t.b.peerId), undefined);
});

Deno.test("sealer: an unanswered handshake ends by code; under 'preferred' it goes in clear", async () => {
  for (const policy of ["required", "preferred"] as const) {
    const t = await pair(policy);
    const sa = t.sealers.get(t.a.peerId)!;
    sa.seal(t.c.peerId, 0, t.text("to a peer that never answers"), 0);
    // Told when it runs out: a timer set for then ends it on time.
    assertEquals(sa.tick(SEAL_HANDSHAKE_TIMEOUT_MS - 1), SEAL_HANDSHAKE_TIMEOUT_MS);
    assertEquals(sa.tick(SEAL_HANDSHAKE_TIMEOUT_MS), undefined);
    if (policy === "required") {
      assertEquals(t.errors.map((e) => e.code), ["SEAL_HANDSHAKE_TIMEOUT"]);
      assertEquals(t.clear, []);
    } else assertEquals(t.clear, [t.c.peerId]);
  }
});

Deno.test("sealer: each unanswered handshake ends its own timeout after it began", async () => {
  const t = await pair();
  const sa = t.sealers.get(t.a.peerId)!;
  sa.seal(t.b.peerId, 0, t.text("first"), 0);
  sa.seal(t.c.peerId, 0, t.text("second"), 8_000);
  // At the first one's end, the second has 8 s left, not a whole timeout.
  assertEquals(sa.tick(SEAL_HANDSHAKE_TIMEOUT_MS), 8_000 + SEAL_HANDSHAKE_TIMEOUT_MS);
  assertEquals(t.errors.length, 1);
  assertEquals(sa.tick(8_000 + SEAL_HANDSHAKE_TIMEOUT_MS), undefined);
  assertEquals(t.errors.map((e) => e.code), ["SEAL_HANDSHAKE_TIMEOUT", "SEAL_HANDSHAKE_TIMEOUT"]);
});

Deno.test("sealer: a peer the network says is offline ends the handshake at once; the next message starts another", async () => {
  const t = await pair();
  const sa = t.sealers.get(t.a.peerId)!;
  assertEquals(sa.seal(t.b.peerId, 0, t.text("while away"), 0), "queued");
  await sa.idle(); // the hello is made (WebCrypto) and handed on
  const hello = t.wire.splice(0); // refused by the network: the peer is not connected
  assertEquals(hello.length, 1);
  sa.unreachable(t.b.peerId);
  assertEquals(t.errors.map((e) => e.code), ["SEAL_UNREACHABLE"]);
  assertEquals(sa.tick(1), undefined, "no handshake is left under way");
  assertEquals(sa.seal(t.b.peerId, 0, t.text("back"), 1), "queued");
  await t.relay();
  assertEquals(t.got.get(t.b.peerId), [`${t.a.peerId}:back`]);
  sa.unreachable(t.b.peerId); // with a session made, a late notice changes nothing
  assertEquals(sa.seal(t.b.peerId, 0, t.text("again"), 2), "batched");
  await t.relay();
  assertEquals(t.got.get(t.b.peerId)!.length, 2);
  assertEquals(t.errors.length, 1);
});

Deno.test("sealer: messages of mixed sizes, sealed and opened at once, arrive in the order sent", async () => {
  for (const batchBytes of [undefined, 65_000]) {
    const t = await pair("required", batchBytes);
    const sa = t.sealers.get(t.a.peerId)!;
    sa.seal(t.b.peerId, 0, t.text("warm"), 0);
    await t.relay();
    // Big ones take longer to seal and open than the small ones after them.
    const sizes = Array.from({ length: 40 }, (_, i) => i % 3 === 0 ? 60_000 : i);
    sizes.forEach((n, i) => sa.seal(t.b.peerId, 0, t.text(String(i % 10).repeat(n)), 0));
    await t.relay();
    const got = t.got.get(t.b.peerId)!.slice(1).map((s) => s.split(":")[1]);
    assertEquals(got.length, sizes.length);
    assert(got.every((s, i) => s === String(i % 10).repeat(sizes[i])), "in order, unaltered");
    assertEquals(t.errors, []);
  }
});
