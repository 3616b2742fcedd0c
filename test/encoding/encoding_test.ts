/**
 * Our encodings against a library's (`@scure/base`, which the client used before): the same
 * string for every input, and the same verdict on every string, including those that are not
 * encodings at all.
 */
import { assert, assertEquals } from "../support/assert.ts";
import fc from "fast-check";
import * as scure from "@scure/base";
import { base58, base64urlnopad, hex, isBase58 } from "../../src/encoding/mod.ts";

type Codec = { encode(b: Uint8Array): string; decode(s: string): Uint8Array };

/** What a codec makes of a string: its bytes, or that it refused it. */
function verdict(codec: Codec, s: string): number[] | "refused" {
  try {
    return [...codec.decode(s)];
  } catch {
    return "refused";
  }
}

const CASES: [string, Codec, Codec, string][] = [
  ["base64url", base64urlnopad, scure.base64urlnopad, "ABCXYZabcxyz0189-_+/=A"],
  ["hex", hex, scure.hex, "0123456789abcdefABCDEFxg "],
  ["base58", base58, scure.base58, "123456789ABHJNPZabkmz0OIl+"],
];

for (const [name, ours, theirs, chars] of CASES) {
  Deno.test(`${name}: every byte string encodes as the library encodes it, and back`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const s = ours.encode(bytes);
        assertEquals(s, theirs.encode(bytes));
        assertEquals([...ours.decode(s)], [...bytes]);
      }),
      { numRuns: 2_000 },
    );
  });

  Deno.test(`${name}: every string is refused or decoded as the library does`, () => {
    const text = fc.array(fc.constantFrom(...chars), { maxLength: 60 }).map((a) => a.join(""));
    fc.assert(
      fc.property(text, (s) => assertEquals(verdict(ours, s), verdict(theirs, s))),
      { numRuns: 5_000 },
    );
  });
}

Deno.test("base64url: padding, odd lengths and stray bits are refused", () => {
  for (const s of ["AQ==", "A", "AR", "AQJ", "A B", "é"]) {
    assertEquals(verdict(base64urlnopad, s), "refused", s);
  }
  assertEquals(verdict(base64urlnopad, "AQ"), [1]);
});

Deno.test("hex: odd lengths and non-digits are refused; case is free in, lower out", () => {
  assertEquals(verdict(hex, "abc"), "refused");
  assertEquals(verdict(hex, "0g"), "refused");
  assert(hex.decode("0a")[0] === 10);
  assertEquals(hex.encode(hex.decode("ABcd")), "abcd");
});

Deno.test("isBase58 takes exactly the bytes base58 decodes", () => {
  for (let b = 0; b < 256; b++) {
    const decodes = b < 128 && verdict(base58, String.fromCharCode(b)) !== "refused";
    assertEquals(isBase58(new Uint8Array([b])), decodes, `byte ${b}`);
  }
});
