import fc from "fast-check";
import { InboundPair, OutboundPair } from "../../src/client/pair.ts";
import { assert, assertEquals } from "../support/assert.ts";

Deno.test("OutboundPair and InboundPair deliver exactly once, in order, across path switches", () => {
  // A schedule of events: send a message, the direct path loses what it holds and the sender
  // replays on the relay, a path delivers its next message, an acknowledgement comes back.
  const event = fc.oneof(
    fc.constant("send" as const),
    fc.constant("fail" as const),
    fc.constant("relay" as const),
    fc.constant("direct" as const),
    fc.constant("ack" as const),
    fc.constant("dup" as const),
  );
  fc.assert(
    fc.property(fc.array(event, { maxLength: 300 }), (events) => {
      const out = new OutboundPair<number>(64);
      const inbox = new InboundPair<number>(64);
      const relay: { seq: number; data: number }[] = [];
      let direct: { seq: number; data: number }[] = [];
      let onDirect = true;
      let sent = 0;
      const got: number[] = [];
      const take = (m: { seq: number; data: number } | undefined) => {
        if (m) got.push(...inbox.accept(m.seq, m.data));
      };
      for (const e of events) {
        if (e === "send" && !out.full) {
          const m = out.stamp(sent++);
          (onDirect ? direct : relay).push(m);
        } else if (e === "fail" && onDirect) {
          // The direct channel dies with messages in flight: they are lost, and everything
          // unacknowledged goes again over the relay, from now on the path.
          direct = [];
          onDirect = false;
          relay.push(...out.unacknowledged());
        } else if (e === "relay") take(relay.shift());
        else if (e === "direct") take(direct.shift());
        else if (e === "ack") out.acknowledge(inbox.delivered);
        else if (e === "dup" && relay.length > 0) relay.push(relay[0]);
      }
      // Drain what is still on its way.
      while (direct.length || relay.length) {
        take(direct.shift());
        take(relay.shift());
      }
      assertEquals(got, Array.from({ length: sent }, (_, i) => i));
    }),
    { numRuns: 500 },
  );
});

Deno.test("InboundPair drops repeats and messages beyond its window", () => {
  const inbox = new InboundPair<string>(2);
  assertEquals(inbox.accept(4, "d"), [], "beyond the window: dropped, comes again by replay");
  assertEquals(inbox.accept(2, "b"), []);
  assertEquals(inbox.accept(1, "a"), ["a", "b"]);
  assertEquals(inbox.accept(2, "b"), []);
  assertEquals(inbox.delivered, 2);
});

Deno.test("OutboundPair refuses past its window until acknowledged", () => {
  const out = new OutboundPair<string>(2);
  out.stamp("a");
  out.stamp("b");
  assertEquals(out.full, true);
  out.acknowledge(1);
  assertEquals(out.stamp("c").seq, 3);
  assertEquals(out.unacknowledged().map((m) => m.seq), [2, 3]);
  out.acknowledge(99);
  assertEquals([out.acknowledged, out.unacknowledged().length], [3, 0]);
});

Deno.test("InboundPair starts at the sender's floor: a restarted receiver does not stall", () => {
  const inbox = new InboundPair<number>();
  // Numbers 1 to 7 were acknowledged by an earlier life of this receiver.
  assertEquals(inbox.accept(10, 10, 7), []);
  assertEquals(inbox.accept(8, 8, 7), [8]);
  assertEquals(inbox.accept(9, 9, 7), [9, 10]);
  assertEquals(inbox.delivered, 10);
  // A floor below what was delivered changes nothing; a repeat is dropped.
  assertEquals(inbox.accept(10, 10, 3), []);
  // A floor above skips what it covers and releases what waited beyond it.
  assertEquals(inbox.accept(14, 14, 10), []);
  assertEquals(inbox.accept(15, 15, 13), [14, 15]);
});

Deno.test("OutboundPair has a random non-zero epoch of its own", () => {
  const epochs = new Set(Array.from({ length: 50 }, () => new OutboundPair().epoch));
  assert(epochs.size > 45);
  assert(![...epochs].includes(0));
  assertEquals(new OutboundPair(8, 42).epoch, 42);
});
