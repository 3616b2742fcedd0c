// Finding a request's id without parsing it: where clients put it, and never inside a string.
import fc from "fast-check";
import { REQUEST_ID_SCAN_CHARS, requestIdOf } from "../../src/protocol/mod.ts";
import { assertEquals } from "../support/assert.ts";

const id = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const text = fc.string({ maxLength: 300 });

Deno.test("requestIdOf: an id first or last is found, whatever the fields between", () => {
  fc.assert(fc.property(id, text, text, (n, a, b) => {
    assertEquals(requestIdOf(JSON.stringify({ id: n, t: "mail", to: a, data: b })), n);
    assertEquals(requestIdOf(JSON.stringify({ t: "mail", to: a, data: b, id: n })), n);
  }));
});

Deno.test("requestIdOf: text that only looks like an id is not taken for one", () => {
  fc.assert(fc.property(id, text, (n, a) => {
    // Inside a string, at either end: its quotes are escaped.
    const fake = `,"id":${n},`;
    assertEquals(requestIdOf(JSON.stringify({ t: "pub", data: fake + a + fake })), undefined);
  }));
  // Too deep in a long frame: not looked for.
  const pad = "x".repeat(REQUEST_ID_SCAN_CHARS);
  assertEquals(requestIdOf(JSON.stringify({ t: "lookup", a: pad, id: 3, b: pad })), undefined);
  // Not a whole number from 0.
  assertEquals(requestIdOf('{"t":"lookup","id":-1}'), undefined);
  assertEquals(requestIdOf('{"t":"lookup","id":"7"}'), undefined);
  assertEquals(requestIdOf("not json"), undefined);
});
