// Honest peers under the answer budgets: one that restarts still gets its kind 5 answer and
// re-keys, and two that both restart recover, however often, at one instant of the clock.
import { assert, assertEquals } from "../support/assert.ts";
import { SEAL_HELLO, SEAL_UNKNOWN_SESSION } from "../../src/seal/envelope.ts";
import { SEAL_ANSWER_BURST } from "../../src/seal/sealer.ts";
import { pair, type Wire } from "./_pair.ts";

const counting = (kind: number, seen: Wire[]) => (w: Wire) => {
  if (w.bytes[0] === kind) seen.push(w);
  return [w];
};

Deno.test("sealer restart: the receiver restarts; one kind 5 for a burst under the old session, then a new one", async () => {
  for (const batchBytes of [undefined, 65_000]) {
    const t = await pair("required", batchBytes);
    const sa = t.sealers.get(t.a.peerId)!;
    sa.seal(t.b.peerId, 0, t.text("before"), 0);
    await t.relay();
    t.restart(t.b);
    // Fifty under the old session, in five turns: each turn's go as one batch, or one by one.
    const notices: Wire[] = [];
    for (let turn = 0; turn < 5; turn++) {
      for (let i = 0; i < 10; i++) sa.seal(t.b.peerId, 0, t.text(`lost ${turn}.${i}`), 0);
      await sa.idle();
    }
    await t.relay(counting(SEAL_UNKNOWN_SESSION, notices));
    assertEquals(notices.length, 1, "told once, not once per frame");
    assert(sa.hasSession(t.b.peerId), "a new session was made at once");
    sa.seal(t.b.peerId, 0, t.text("after"), 0);
    await t.relay();
    assertEquals(t.got.get(t.b.peerId), [`${t.a.peerId}:before`, `${t.a.peerId}:after`]);
    assert(t.errors.every((e) => e.code === "SEAL_UNKNOWN_SESSION"), "only the lost are reported");
  }
});

Deno.test("sealer restart: both restart, with a message of the old session in flight; both recover", async () => {
  const t = await pair();
  t.sealers.get(t.a.peerId)!.seal(t.b.peerId, 0, t.text("old"), 0);
  await t.relay();
  t.sealers.get(t.a.peerId)!.seal(t.b.peerId, 0, t.text("in flight"), 0);
  await t.sealers.get(t.a.peerId)!.idle();
  const held = t.wire.splice(0);
  const [sa, sb] = [t.restart(t.a), t.restart(t.b)];
  t.wire.push(...held); // the new b answers kind 5, which the new a holds no session for
  await t.relay();
  // Both speak first, at once: their hellos cross.
  sa.seal(t.b.peerId, 0, t.text("from a"), 0);
  sb.seal(t.a.peerId, 0, t.text("from b"), 0);
  await t.relay();
  sa.seal(t.b.peerId, 0, t.text("again a"), 0);
  sb.seal(t.a.peerId, 0, t.text("again b"), 0);
  await t.relay();
  assertEquals(t.got.get(t.b.peerId), [
    `${t.a.peerId}:old`,
    `${t.a.peerId}:from a`,
    `${t.a.peerId}:again a`,
  ]);
  assertEquals(t.got.get(t.a.peerId), [`${t.b.peerId}:from b`, `${t.b.peerId}:again b`]);
  assertEquals(t.errors.map((e) => e.code), ["SEAL_UNKNOWN_SESSION"]);
});

Deno.test("sealer restart: a peer that restarts ten times at one instant is re-keyed each time; hellos made unasked stay within the budget", async () => {
  const t = await pair();
  const sa = t.sealers.get(t.a.peerId)!;
  sa.seal(t.b.peerId, 0, t.text("first"), 0);
  await t.relay();
  let unasked = 0;
  for (let i = 0; i < 10; i++) {
    t.restart(t.b);
    sa.seal(t.b.peerId, 0, t.text(`lost ${i}`), 0);
    const hellos: Wire[] = [];
    await t.relay(counting(SEAL_HELLO, hellos)); // the hello a makes on the kind 5, if any
    unasked += hellos.length;
    sa.seal(t.b.peerId, 0, t.text(`kept ${i}`), 0);
    await t.relay();
  }
  assertEquals(unasked, SEAL_ANSWER_BURST, "past the burst, the next message starts the hello");
  const got = t.got.get(t.b.peerId)!.map((s) => s.split(":")[1]);
  assertEquals(got, ["first", ...Array.from({ length: 10 }, (_, i) => `kept ${i}`)]);
});
