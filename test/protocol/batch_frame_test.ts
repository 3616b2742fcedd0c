import {
  batchBytes,
  encodeBatch,
  FRAME_BATCH,
  isBatch,
  packBatches,
  readBatch,
} from "../../src/protocol/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import fc from "fast-check";

const frame = fc.uint8Array({ minLength: 1, maxLength: 300 });

Deno.test("encodeBatch() and readBatch() round-trip any frames", () => {
  fc.assert(fc.property(fc.array(frame, { minLength: 1, maxLength: 40 }), (frames) => {
    const batch = encodeBatch(frames);
    assert(isBatch(batch));
    assertEquals(batch.length, batchBytes(frames.reduce((n, f) => n + f.length, 0), frames.length));
    const read = readBatch(batch);
    assertEquals(read.broken, undefined);
    assertEquals(read.frames, frames);
  }));
});

Deno.test("readBatch() never throws, and keeps the frames before a break", () => {
  fc.assert(
    fc.property(fc.array(frame, { minLength: 1, maxLength: 10 }), fc.nat(), (frames, cut) => {
      const batch = encodeBatch(frames);
      const at = 1 + (cut % (batch.length - 1));
      const read = readBatch(batch.subarray(0, at));
      // Every frame read is one of the originals, in order.
      assertEquals(read.frames, frames.slice(0, read.frames.length));
      // Not broken: the cut fell between two entries.
      const readBytes = read.frames.reduce((n, f) => n + f.length, 0);
      assert(read.broken !== undefined || at === batchBytes(readBytes, read.frames.length));
    }),
  );
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (junk) => {
    const read = readBatch(Uint8Array.of(FRAME_BATCH, ...junk));
    assert(Array.isArray(read.frames));
  }));
  assertEquals(readBatch(Uint8Array.of(FRAME_BATCH)).broken, "Batch holds no frame");
  assert(readBatch(Uint8Array.of(FRAME_BATCH, 0, 0, 0, 0)).broken !== undefined);
});

Deno.test("packBatches() keeps order and both bounds; a lone frame goes as itself", () => {
  fc.assert(fc.property(
    fc.array(frame, { maxLength: 60 }),
    fc.integer({ min: 1, max: 9 }),
    fc.integer({ min: 400, max: 2_000 }),
    (frames, maxFrames, maxBytes) => {
      const out = packBatches(frames, maxFrames, maxBytes);
      const alone = new Set<Uint8Array>(frames);
      const again = out.flatMap((m) =>
        m[0] === FRAME_BATCH && !alone.has(m) ? readBatch(m).frames : [m]
      );
      assertEquals(again, frames);
      for (const m of out) {
        if (alone.has(m)) continue;
        assert(readBatch(m).frames.length <= maxFrames);
        assert(m.length <= maxBytes);
      }
    },
  ));
  const one = new Uint8Array([1, 2, 3]);
  assertEquals(packBatches([one], 8, 1_000), [one]);
  assertEquals(packBatches([], 8, 1_000), []);
});
