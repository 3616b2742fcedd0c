// What a direct channel binds of an SDP: every fingerprint line, in order.
import { sdpFingerprint } from "../../../src/client/direct/transport.ts";
import { assertEquals } from "../../support/assert.ts";

Deno.test("sdpFingerprint: every fingerprint line is bound, in order", () => {
  const one = "v=0\r\na=fingerprint:sha-256 AB:CD\r\nm=application 9\r\n";
  assertEquals(sdpFingerprint(one), "sha-256 AB:CD");
  const added = one + "a=fingerprint:sha-256 EF:01\r\n";
  assertEquals(sdpFingerprint(added), "sha-256 AB:CD,sha-256 EF:01");
  assertEquals(sdpFingerprint("v=0\r\n"), undefined);
});
