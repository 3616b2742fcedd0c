// The sealer's handshake is asynchronous (WebCrypto): what a relay or a flood may do while a
// step is under way must cost no session, and a hello given up on must not leave.
import { assert, assertEquals } from "../support/assert.ts";
import { SEAL_ACCEPT, SEAL_HELLO, SEAL_UNSUPPORTED } from "../../src/seal/envelope.ts";
import { SEAL_PEERS } from "../../src/seal/sealer.ts";
import { pair } from "./_pair.ts";

Deno.test("sealer async: hellos from a flood of names push no live session out", async () => {
  const t = await pair();
  const [sa, sb] = [t.sealers.get(t.a.peerId)!, t.sealers.get(t.b.peerId)!];
  sa.seal(t.b.peerId, 0, t.text("warm"), 0);
  await t.relay();
  assert(sb.hasSession(t.a.peerId));
  // As many names as the sealer keeps peers, each with a malformed hello (free to send).
  for (let i = 0; i < SEAL_PEERS; i++) sb.receive(`junk${i}`, new Uint8Array([SEAL_HELLO]), 0);
  await sb.idle();
  assert(sb.hasSession(t.a.peerId), "the live session is still held");
  const before = t.errors.length;
  sa.seal(t.b.peerId, 0, t.text("after"), 0);
  await t.relay();
  assertEquals(t.got.get(t.b.peerId), [`${t.a.peerId}:warm`, `${t.a.peerId}:after`]);
  assertEquals(
    t.errors.slice(before).filter((e) => e.code === "SEAL_UNKNOWN_SESSION"),
    [],
  );
});

Deno.test("sealer async: a hello given up on while it is made does not leave", async () => {
  const t = await pair();
  const [sa, sb] = [t.sealers.get(t.a.peerId)!, t.sealers.get(t.b.peerId)!];
  sa.seal(t.b.peerId, 0, t.text("lost"), 0);
  sa.unreachable(t.b.peerId); // the network said so before the hello was made
  await sa.idle();
  assertEquals(t.wire.filter((w) => w.bytes[0] === SEAL_HELLO), [], "no hello on the wire");
  await t.relay();
  assert(!sb.hasSession(t.a.peerId), "the other side made no session");
  // Either side's next message makes a fresh session, and arrives.
  sb.seal(t.a.peerId, 0, t.text("from b"), 1);
  await t.relay();
  assertEquals(t.got.get(t.a.peerId), [`${t.b.peerId}:from b`]);
});

Deno.test("sealer async: a junk accept just before the genuine one costs it nothing", async () => {
  const t = await pair();
  const sa = t.sealers.get(t.a.peerId)!;
  sa.seal(t.b.peerId, 0, t.text("m"), 0);
  // The relay sends each accept twice: first with its tag altered, then as it was.
  await t.relay((w) => {
    if (w.bytes[0] !== SEAL_ACCEPT) return [w];
    const junk = w.bytes.slice();
    junk[junk.length - 1] ^= 1;
    return [{ ...w, bytes: junk }, w];
  });
  assert(sa.hasSession(t.b.peerId));
  assertEquals(sa.waiting, 0);
  assertEquals(t.got.get(t.b.peerId), [`${t.a.peerId}:m`]);
  assertEquals(t.errors.map((e) => e.code), ["SEAL_BAD_HANDSHAKE"], "the junk one, reported");
});

Deno.test("sealer async: 'no seal' notices from a flood of names push no live session out", async () => {
  const t = await pair();
  const [sa, sb] = [t.sealers.get(t.a.peerId)!, t.sealers.get(t.b.peerId)!];
  sa.seal(t.b.peerId, 0, t.text("warm"), 0);
  await t.relay();
  for (let i = 0; i < SEAL_PEERS; i++) {
    sb.receive(`junk${i}`, new Uint8Array([SEAL_UNSUPPORTED]), 0);
  }
  await sb.idle();
  assert(sb.hasSession(t.a.peerId), "the live session is still held");
  sa.seal(t.b.peerId, 0, t.text("after"), 0);
  await t.relay();
  assertEquals(t.got.get(t.b.peerId), [`${t.a.peerId}:warm`, `${t.a.peerId}:after`]);
});
