// Sealed batches: what a turn seals to one peer travels as one sealed message, opened whole
// or not at all.
import fc from "fast-check";
import { assert, assertEquals } from "../support/assert.ts";
import {
  BATCH_ENTRY_OVERHEAD,
  packBatch,
  SEAL_BATCH_FLAG,
  unpackBatch,
} from "../../src/seal/sealed_batch.ts";
import { DATA_OVERHEAD, SEAL_DATA } from "../../src/seal/envelope.ts";
import { pair } from "./_pair.ts";

const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

Deno.test("seal batch: bodies round-trip; malformed ones are refused whole", () => {
  const entry = fc.record({
    flags: fc.integer({ min: 0, max: 0x7f }),
    payload: fc.uint8Array({ maxLength: 40 }),
  });
  fc.assert(
    fc.property(fc.array(entry, { minLength: 1, maxLength: 20 }), (entries) => {
      const back = unpackBatch(packBatch(entries));
      assertEquals(
        back?.map((e) => [e.flags, [...e.payload]]),
        entries.map((e) => [e.flags, [...e.payload]]),
      );
    }),
  );
  const body = packBatch([{ flags: 1, payload: new Uint8Array([1, 2, 3]) }]);
  assertEquals(unpackBatch(body.subarray(0, body.length - 1)), undefined, "a length past the end");
  assertEquals(unpackBatch(body.subarray(0, 3)), undefined, "a header cut short");
  assertEquals(unpackBatch(new Uint8Array()), undefined, "an empty batch");
  const nested = packBatch([{ flags: SEAL_BATCH_FLAG, payload: new Uint8Array() }]);
  assertEquals(unpackBatch(nested), undefined, "batches do not nest");
});

Deno.test("seal batch: a turn's messages to a peer go as one sealed message, in order", async () => {
  const t = await pair("required", 4096);
  const sa = t.sealers.get(t.a.peerId)!;
  assertEquals(sa.seal(t.b.peerId, 0, t.text("first"), 0), "queued");
  await t.relay(); // the handshake done, what waited goes at the end of that turn
  assertEquals(t.got.get(t.b.peerId), [`${t.a.peerId}:first`]);
  const reused = t.text("0");
  for (let i = 0; i < 10; i++) {
    reused[0] = 48 + i; // the sender reuses its buffer: each message was taken as it was
    assertEquals(sa.seal(t.b.peerId, i % 2, reused, 0), "batched");
  }
  assertEquals(t.wire.length, 0, "nothing leaves before the end of the turn");
  await turn();
  await sa.idle(); // sealed at the end of the turn; the AEAD is asynchronous
  assertEquals(t.wire.length, 1, "ten messages, one sealed payload: the relay cannot count them");
  assertEquals(t.wire[0].bytes[0], SEAL_DATA);
  await t.relay();
  const want = Array.from({ length: 10 }, (_, i) => `${t.a.peerId}:${i}`);
  assertEquals(t.got.get(t.b.peerId)!.slice(1), want);
  assertEquals(t.errors, []);
});

Deno.test("seal batch: a batch never outgrows its bound; a lone message goes as itself", async () => {
  const bound = 200;
  const t = await pair("required", bound);
  const sa = t.sealers.get(t.a.peerId)!;
  sa.seal(t.b.peerId, 0, t.text("warm"), 0);
  await t.relay();
  const sizes = [1, 60, 120, 0, 195, 3, 80, 80, 80, 7];
  sizes.forEach((n, i) => sa.seal(t.b.peerId, 0, t.text(String(i % 10).repeat(n)), 0));
  await turn();
  await sa.idle();
  const sealed = t.wire.map((w) => w.bytes.length - DATA_OVERHEAD);
  // Each sealed body is a lone payload or a batch flag's batch within the bound.
  for (const n of sealed) assert(n <= bound + BATCH_ENTRY_OVERHEAD, `${n}`);
  assert(t.wire.length > 1 && t.wire.length < sizes.length, `${t.wire.length} sealed messages`);
  await t.relay();
  const got = t.got.get(t.b.peerId)!.slice(1).map((s) => s.split(":")[1]);
  assertEquals(got, sizes.map((n, i) => String(i % 10).repeat(n)));
  assertEquals(t.errors, []);
});

Deno.test("seal batch: any byte of a batch altered delivers none of it", async () => {
  const t = await pair("required", 4096);
  const sa = t.sealers.get(t.a.peerId)!;
  sa.seal(t.b.peerId, 0, t.text("warm"), 0);
  await t.relay();
  const before = t.got.get(t.b.peerId)!.length;
  for (let run = 0; run < 100; run++) {
    for (const m of ["one", "two", "three"]) sa.seal(t.b.peerId, 0, t.text(m), 0);
    await turn();
    await t.relay((w) => {
      if (w.bytes[0] !== SEAL_DATA) return [w];
      const bytes = w.bytes.slice();
      bytes[(run * 7919) % bytes.length] ^= 1 + (run % 255);
      return [{ ...w, bytes }];
    });
  }
  assertEquals(t.got.get(t.b.peerId)!.length, before, "nothing of an altered batch delivered");
  assertEquals(t.errors.length, 100);
});
