import {
  isReservedTopic,
  isTopic,
  parseServerMessage,
  PRESENCE_TOPIC,
} from "../../src/protocol/mod.ts";
import { parseControlRequest } from "../../src/protocol/control_parse.ts";
import { Identity } from "../../src/identity/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import fc from "fast-check";

Deno.test("isTopic() takes 1 to max UTF-8 bytes without control characters", () => {
  assert(isTopic("news", 128));
  assert(isTopic("é".repeat(64), 128), "64 two-byte characters are 128 bytes");
  assert(!isTopic("é".repeat(65), 128));
  assert(!isTopic("", 128));
  assert(!isTopic("a\nb", 128));
  assert(!isTopic(42, 128));
  assert(isReservedTopic(PRESENCE_TOPIC) && !isReservedTopic("news"));
});

Deno.test("parseControlRequest() takes each service request and refuses anything else", () => {
  const good = [
    { t: "sub", id: 1, topic: "a" },
    { t: "unsub", id: 2, topic: "a" },
    { t: "pub", id: 3, topic: "a", n: 1, data: "x", bin: false },
    { t: "peers", id: 4, count: 5 },
    { t: "lookup", id: 5, peer: "6Mk" },
    { t: "mail", id: 6, to: "6Mk", data: "x", notify: true },
    { t: "mail.ack", mids: ["a"] },
  ];
  for (const m of good) assertEquals(parseControlRequest(m), { ok: true, request: m as never });
  for (
    const bad of [
      { t: "sub", id: -1, topic: "a" },
      { t: "pub", id: 1, topic: "a", n: 0, data: "x" },
      { t: "pub", id: 1, topic: "a", n: 1 },
      { t: "peers", id: 1, count: 0 },
      { t: "mail.ack", mids: "a" },
      { t: "nope" },
    ]
  ) {
    assertEquals(parseControlRequest(bad).ok, false, JSON.stringify(bad));
  }
  fc.assert(fc.property(fc.anything(), (v) => {
    // Never throws, whatever arrives.
    parseControlRequest(v);
  }));
});

Deno.test("parseControlRequest() refuses a malformed request as BAD_FRAME, a bad account id as BAD_REQUEST", async () => {
  const account = (await Identity.generate()).peerId;
  assertEquals(parseControlRequest({ t: "account", id: 1, account }).ok, true);
  // Well formed, but the string names no account (PROTOCOL section 7).
  const notAccount = parseControlRequest({ t: "account", id: 2, account: "not-an-account" });
  assertEquals(notAccount.ok ? "" : [notAccount.code, notAccount.id], ["BAD_REQUEST", 2]);
  const malformed = parseControlRequest({ t: "account", id: 3, account: 42 });
  assertEquals(malformed.ok ? "" : [malformed.code, malformed.id], ["BAD_FRAME", 3]);
});

Deno.test("the client parses every service message the network sends", () => {
  const messages = [
    { t: "sub.result", id: 1, topic: "a" },
    { t: "pub.result", id: 3, topic: "a", n: 9, duplicate: false },
    { t: "peers.result", id: 4, peers: [{ peer: "6Mk", shard: 1 }] },
    { t: "lookup.result", id: 5, peer: "6Mk", shard: 1, online: false, lastSeen: null },
    { t: "mail.result", id: 6, mid: "m", status: "stored" },
    { t: "topic", topic: "a", from: "6Mk", n: 9, data: "x" },
    { t: "presence", peer: "6Mk", event: "leave", shard: 1, ts: 5 },
    { t: "mail", mid: "m", from: "6Mk", ts: 5, data: "x", bin: true },
    { t: "mail.notice", mid: "n", ref: "m", to: "6Mk", status: "expired", ts: 5 },
  ];
  for (const m of messages) assertEquals(parseServerMessage(JSON.stringify(m)), m as never);
  assertEquals(parseServerMessage(JSON.stringify({ t: "presence", peer: "x" })), undefined);
});
