// `peer.on(type, handler)`: the handler gets the event's detail, typed by the event, with no
// `CustomEvent` cast; a wrong type or handler is a type error (checked by `deno check`).
import { Identity } from "../../src/identity/mod.ts";
import { Peer, type PeerMessage, type TopicEvent } from "../../src/client/mod.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("peer.on: typed details, once, and a function that removes the handler", async () => {
  const peer = new Peer({ url: "ws://127.0.0.1:1", identity: await Identity.generate() });
  const texts: string[] = [];
  const off = peer.on("message", (m) => texts.push(`${m.from}:${m.data}`));
  let topics = 0;
  peer.on("topic", (t) => topics += t.n, { once: true });
  const message: PeerMessage = { from: "a", data: "hi", seq: 1, via: "relay", sealed: true };
  const topic: TopicEvent = { topic: "news", from: "a", n: 3, data: "x", sealed: false };
  peer.dispatchEvent(new CustomEvent("message", { detail: message }));
  peer.dispatchEvent(new CustomEvent("topic", { detail: topic }));
  peer.dispatchEvent(new CustomEvent("topic", { detail: topic }));
  off();
  peer.dispatchEvent(new CustomEvent("message", { detail: message }));
  assertEquals([texts, topics], [["a:hi"], 3]);
  assertEquals(peer.listening("message"), false, "removed, and no longer counted");

  // What the compiler refuses.
  // @ts-expect-error: no such event
  peer.on("nope", () => {});
  // @ts-expect-error: a message handler does not take a topic event
  peer.on("message", (t: TopicEvent) => t.topic);
  peer.on("seal.error", (e) => e.code satisfies string);
});
