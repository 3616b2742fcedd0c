// What a direct channel binds of an SDP: every fingerprint line, in order.
import { quietEnough, sdpFingerprint } from "../../../src/client/direct/transport.ts";
import { assertEquals } from "../../support/assert.ts";

Deno.test("sdpFingerprint: every fingerprint line is bound, in order", () => {
  const one = "v=0\r\na=fingerprint:sha-256 AB:CD\r\nm=application 9\r\n";
  assertEquals(sdpFingerprint(one), "sha-256 AB:CD");
  const added = one + "a=fingerprint:sha-256 EF:01\r\n";
  assertEquals(sdpFingerprint(added), "sha-256 AB:CD,sha-256 EF:01");
  assertEquals(sdpFingerprint("v=0\r\n"), undefined);
});

const host = "a=candidate:1 1 udp 2122260223 10.0.0.2 33080 typ host\r\n";
const srflx = "a=candidate:2 1 udp 1686052607 203.0.113.10 33080 typ srflx raddr 10.0.0.2\r\n";
const relay = "a=candidate:3 1 udp 25108479 203.0.113.3 53168 typ relay raddr 203.0.113.10\r\n";

Deno.test("gathering: host candidates alone wait for the stack (or its 5 s)", () => {
  assertEquals(quietEnough(host, 60_000), false);
});

Deno.test("gathering: a STUN server's candidate, then a second of quiet, is enough", () => {
  assertEquals([quietEnough(host + srflx, 999), quietEnough(host + srflx, 1_000)], [false, true]);
});

Deno.test("gathering: a TURN server's candidate, then 300 ms of quiet, is enough", () => {
  assertEquals([quietEnough(host + relay, 299), quietEnough(host + relay, 300)], [false, true]);
  assertEquals(quietEnough(host + srflx + relay, 300), true);
});
