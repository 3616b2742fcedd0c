import fc from "fast-check";
import { base64urlnopad } from "@scure/base";
import { Bitfield } from "../../src/swarm/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

// The slow, obvious reading: bit by bit, most significant first, spare bits refused.
function reference(bytes: Uint8Array, size: number): number[] | undefined {
  if (bytes.length !== Math.ceil(size / 8)) return undefined;
  const set: number[] = [];
  for (let i = 0; i < bytes.length * 8; i++) {
    if ((bytes[i >> 3] & (0x80 >> (i & 7))) === 0) continue;
    if (i >= size) return undefined;
    set.push(i);
  }
  return set;
}

Deno.test("Bitfield.decode reads what the bit-by-bit reading reads, and refuses what it refuses", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 200 }), fc.uint8Array({ maxLength: 26 }), (size, raw) => {
      // Bytes of the right length most of the time, so that spare bits get tried.
      const bytes = raw.length >= Math.ceil(size / 8) ? raw.slice(0, Math.ceil(size / 8)) : raw;
      const b = Bitfield.decode(base64urlnopad.encode(bytes), size);
      const want = reference(bytes, size);
      assertEquals(b === undefined, want === undefined);
      if (!b || !want) return;
      assertEquals([...b], want);
      assertEquals(b.count, want.length);
      assertEquals(b.bytes(), bytes);
    }),
    { numRuns: 2_000 },
  );
});

Deno.test("a full Bitfield holds every piece and no spare bit", () => {
  for (const size of [0, 1, 7, 8, 9, 15, 16, 17, 262_144, 262_145]) {
    const full = new Bitfield(size, true);
    assertEquals(full.count, size);
    assert(full.complete);
    assert(!full.has(size) && (size === 0 || full.has(size - 1)));
    // The wire form of a full set is the one form the decoder takes back.
    assertEquals(Bitfield.decode(full.encode(), size)?.count, size);
  }
});

Deno.test("Bitfield.decode takes exactly the texts the library's strict decoder takes", () => {
  const chars = [
    ..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    "=",
    "+",
    "/",
    " ",
  ];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 24 }), (picked) => {
      const text = picked.join("");
      let bytes: Uint8Array | undefined;
      try {
        bytes = base64urlnopad.decode(text);
      } catch {
        bytes = undefined;
      }
      // Sized to the bytes, so that a text the library takes is read whole.
      const size = (bytes?.length ?? 0) * 8;
      const b = Bitfield.decode(text, size);
      assertEquals(b?.bytes(), bytes, `"${text}"`);
    }),
    { numRuns: 5_000 },
  );
});
