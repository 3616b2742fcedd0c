// What a client says when a network cannot be reached: the URL, and why in words, in Deno's
// shape of error and in Node's (whose message ends in the port alone).
import { fetchFrom } from "../../src/client/_util.ts";
import { ProtocolError } from "../../src/protocol/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

async function said(cause: unknown): Promise<string> {
  const failing = () => Promise.reject(Object.assign(new TypeError("fetch failed"), { cause }));
  try {
    await fetchFrom(failing, "http://127.0.0.1:8787/v1/network");
  } catch (error) {
    assert(error instanceof ProtocolError && error.code === "UNREACHABLE");
    return error.message;
  }
  throw new Error("no error");
}

Deno.test("fetchFrom: an unreachable network is named, with the reason in words", async () => {
  const node = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8787"), {
    code: "ECONNREFUSED",
  });
  assertEquals(
    await said(node),
    "Cannot reach http://127.0.0.1:8787/v1/network: connection refused",
  );
  const deno = new Error(
    "client error (Connect): tcp connect error: Connection refused (os error 111)",
  );
  assertEquals(
    await said(deno),
    "Cannot reach http://127.0.0.1:8787/v1/network: Connection refused (os error 111)",
  );
  const unknownCode = Object.assign(new Error("x"), { code: "EWHATEVER" });
  assert((await said(unknownCode)).endsWith(": EWHATEVER"));
});
