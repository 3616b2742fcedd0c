import {
  decodeFrame,
  deliverInPlace,
  encodeFrame,
  FRAME_DELIVER,
  FRAME_SEND,
  isSendTo,
  payloadOf,
  relayFrame,
  wantsMailbox,
} from "../../src/protocol/mod.ts";
import { Identity } from "../../src/identity/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import fc from "fast-check";

const me = await Identity.generate();
const you = await Identity.generate();

Deno.test("encodeFrame() and decodeFrame() round-trip text and bytes", () => {
  fc.assert(fc.property(
    fc.oneof(fc.string(), fc.uint8Array({ maxLength: 512 })),
    fc.nat({ max: 0xffff_ffff }),
    (payload, seq) => {
      const r = decodeFrame(encodeFrame(FRAME_SEND, you.peerId, seq, payload));
      assert(r.ok);
      assertEquals(r.frame.type, FRAME_SEND);
      assertEquals(r.frame.seq, seq);
      assertEquals(r.frame.peer, you.peerId);
      assertEquals(payloadOf(r.frame), payload);
    },
  ));
});

Deno.test("relayFrame() swaps the destination for the sender and keeps the payload", () => {
  fc.assert(fc.property(fc.oneof(fc.string(), fc.uint8Array()), fc.nat(), (payload, seq) => {
    const send = decodeFrame(encodeFrame(FRAME_SEND, you.peerId, seq, payload));
    assert(send.ok);
    const out = decodeFrame(relayFrame(send.frame, me.peerId));
    assert(out.ok);
    assertEquals(out.frame.type, FRAME_DELIVER);
    assertEquals(out.frame.peer, me.peerId);
    assertEquals(out.frame.seq, seq);
    assertEquals(payloadOf(out.frame), payload);
  }));
});

Deno.test("decodeFrame() never throws, and refuses junk with a code", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const r = decodeFrame(bytes);
      if (!r.ok) assert(["BAD_FRAME", "UNKNOWN_FRAME_TYPE"].includes(r.code));
    }),
    { numRuns: 5_000 },
  );
});

Deno.test("decodeFrame() refuses each malformed header with its code", () => {
  const good = encodeFrame(FRAME_SEND, you.peerId, 5, "x");
  const cases: [string, Uint8Array, string][] = [
    ["short", good.slice(0, 6), "BAD_FRAME"],
    ["type", Uint8Array.of(7, ...good.slice(1)), "UNKNOWN_FRAME_TYPE"],
    ["flags", Uint8Array.of(1, 0x80, ...good.slice(2)), "BAD_FRAME"],
    ["id length 0", Uint8Array.of(...good.slice(0, 6), 0), "BAD_FRAME"],
    ["id past the end", Uint8Array.of(...good.slice(0, 6), 40, 65), "BAD_FRAME"],
    ["id not base58", Uint8Array.of(...good.slice(0, 7), 48, ...good.slice(8)), "BAD_FRAME"],
  ];
  for (const [name, bytes, code] of cases) {
    const r = decodeFrame(bytes);
    assert(!r.ok, name);
    assertEquals(r.code, code, name);
  }
  const typed = decodeFrame(Uint8Array.of(7, ...good.slice(1)));
  assert(!typed.ok && typed.seq === 5, "the sequence number is reported when readable");
});

Deno.test("encodeFrame() refuses a bad sequence number or peer id", () => {
  for (
    const [peer, seq] of [["", 0], ["a".repeat(49), 0], ["a", -1], ["a", 2 ** 32], [
      "a",
      1.5,
    ]] as const
  ) {
    try {
      encodeFrame(FRAME_SEND, peer, seq, "");
      assert.fail(`expected RangeError for ${peer}/${seq}`);
    } catch (e) {
      assert(e instanceof RangeError);
    }
  }
});

Deno.test("relayFrame() rewrites the SEND in place when the ids have the same length", () => {
  const bytes = encodeFrame(FRAME_SEND, you.peerId, 9, new Uint8Array([1, 2, 3]));
  const send = decodeFrame(bytes);
  assert(send.ok);
  const out = relayFrame(send.frame, me.peerId, bytes);
  assert(out === bytes, "no new buffer");
  const back = decodeFrame(out);
  assert(back.ok);
  assertEquals([back.frame.type, back.frame.peer, back.frame.seq], [FRAME_DELIVER, me.peerId, 9]);
  assertEquals(back.frame.payload, new Uint8Array([1, 2, 3]));
  // Ids of different lengths: a new buffer, the original untouched.
  const short = encodeFrame(FRAME_SEND, "abc", 1, "x");
  const decoded = decodeFrame(short);
  assert(decoded.ok);
  const copy = relayFrame(decoded.frame, me.peerId, short);
  assert(copy !== short);
  assertEquals(short[0], FRAME_SEND);
});

Deno.test("deliverInPlace() gives the same bytes as relayFrame(), for ids of any length", () => {
  fc.assert(fc.property(
    fc.oneof(fc.string(), fc.uint8Array({ maxLength: 64 })),
    fc.nat({ max: 0xffff_ffff }),
    fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{1,48}$/),
    fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{1,48}$/),
    (payload, seq, to, from) => {
      const send = encodeFrame(FRAME_SEND, to, seq, payload);
      const decoded = decodeFrame(send);
      assert(decoded.ok);
      const expected = relayFrame(decoded.frame, from);
      assertEquals(deliverInPlace(send.slice(), new TextEncoder().encode(from)), expected);
    },
  ));
});

Deno.test("isSendTo() matches only a SEND with defined flags to exactly that id", () => {
  const id = new TextEncoder().encode(you.peerId);
  const send = encodeFrame(FRAME_SEND, you.peerId, 3, "x");
  assert(isSendTo(send, id));
  assert(!isSendTo(encodeFrame(FRAME_SEND, me.peerId, 3, "x"), id));
  assert(!isSendTo(encodeFrame(FRAME_DELIVER, you.peerId, 3, "x"), id));
  assert(!isSendTo(Uint8Array.of(1, 0x80, ...send.slice(2)), id));
  assert(!isSendTo(send.slice(0, 20), id));
});

Deno.test("the signal flag survives encoding and relaying", () => {
  const send = encodeFrame(FRAME_SEND, you.peerId, 4, "offer", { signal: true });
  const decoded = decodeFrame(send);
  assert(decoded.ok && decoded.frame.signal && decoded.frame.text);
  const out = decodeFrame(deliverInPlace(send, new TextEncoder().encode(me.peerId)));
  assert(out.ok && out.frame.signal && out.frame.type === FRAME_DELIVER);
  const plain = decodeFrame(encodeFrame(FRAME_SEND, you.peerId, 4, "hi"));
  assert(plain.ok && !plain.frame.signal);
});

Deno.test("frames: the mailbox flag travels through decode and relay, on plain payload only", () => {
  const send = encodeFrame(FRAME_SEND, "B", 3, "later", { mailbox: true });
  const decoded = decodeFrame(send);
  assert(decoded.ok && decoded.frame.mailbox === true);
  assert(wantsMailbox(send));
  const out = relayFrame(decoded.frame, "A");
  assert(wantsMailbox(out));
  const back = decodeFrame(out);
  assert(back.ok && back.frame.mailbox === true && back.frame.type === FRAME_DELIVER);
  assert(!wantsMailbox(encodeFrame(FRAME_SEND, "B", 3, "now")));
  // Signaling and sequenced payload never go to a mailbox, even with the bit.
  assert(!wantsMailbox(encodeFrame(FRAME_SEND, "B", 3, "x", { mailbox: true, signal: true })));
  assert(!wantsMailbox(encodeFrame(FRAME_SEND, "B", 3, "x", { mailbox: true, sequenced: true })));
});
