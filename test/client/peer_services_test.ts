// The client half of the services, against a scripted host: what it sends, when it sends it
// again, and what reaches the application once.
import { PeerServices, type RequestMessage, type ServicesHost } from "../../src/client/mod.ts";
import {
  type ControlReplies,
  type ControlType,
  ProtocolError,
  type Reply,
} from "../../src/protocol/mod.ts";
import { ListenedTarget } from "../../src/client/listened_target.ts";
import { assertEquals } from "../support/assert.ts";

class Host extends ListenedTarget implements ServicesHost {
  connected = true;
  sent: { t: string; [k: string]: unknown }[] = [];
  controls: unknown[] = [];
  answer: (m: { t: string; [k: string]: unknown }) => Promise<Reply> = (m) =>
    Promise.resolve({ t: "sub.result", id: 0, topic: String(m.topic) });
  request<T extends ControlType>(m: RequestMessage<T>): Promise<ControlReplies[T]> {
    const sent = m as unknown as { t: string; [k: string]: unknown };
    this.sent.push(sent);
    return this.answer(sent) as Promise<ControlReplies[T]>;
  }
  sendControl(m: unknown): boolean {
    this.controls.push(m);
    return this.connected;
  }
}

/** Lets what is under way settle (mail is told a step at a time, asynchronously). */
const turn = (ms = 0) => new Promise((r) => setTimeout(r, ms));

Deno.test("services: a topic message reaches the application once, a late one within the window too", async () => {
  const host = new Host();
  const services = new PeerServices(host);
  const got: unknown[] = [];
  host.addEventListener("topic", (e) => got.push((e as CustomEvent).detail.data));
  const m = (from: string, n: number, data: string) =>
    services.receive({ t: "topic", topic: "a", from, n, data });
  m("p", 1, "p1");
  m("q", 5, "q5");
  m("p", 1, "again");
  m("p", 2, "p2");
  m("q", 4, "q4, late"); // overtaken on its way: taken, once
  m("q", 4, "q4 again");
  m("q", 200, "q200");
  m("q", 100, "stale"); // further behind than TOPIC_REORDER_WINDOW
  services.receive({ t: "topic", topic: "b", from: "p", n: 1, data: "other topic" });
  services.receive({ t: "topic", topic: "a", from: "p", n: 3, data: "AQID", bin: true });
  await new Promise((r) => setTimeout(r, 0)); // each is checked in turn, then delivered
  assertEquals(got, [
    "p1",
    "q5",
    "p2",
    "q4, late",
    "q200",
    "other topic",
    new Uint8Array([1, 2, 3]),
  ]);
});

Deno.test("services: a lost connection keeps subscriptions and unacknowledged publishes for the next", async () => {
  const host = new Host();
  const services = new PeerServices(host);
  await services.subscribe("a");
  // The first publish is answered; the next two are lost with the connection.
  host.answer = (m) =>
    Promise.resolve({ t: "pub.result", id: 0, topic: "a", n: m.n as number, duplicate: false });
  const first = await services.publish("a", "one");
  host.answer = () => Promise.reject(new ProtocolError("SHARD_UNAVAILABLE", "lost"));
  host.connected = false;
  const two = services.publish("a", "two");
  const three = services.publish("a", "three");
  await new Promise((r) => setTimeout(r, 0)); // each is made ready in turn
  assertEquals(services.unacknowledged, 2);
  host.connected = true;
  host.sent = [];
  host.answer = (m) =>
    Promise.resolve(
      m.t === "pub"
        ? { t: "pub.result", id: 0, topic: "a", n: m.n as number, duplicate: false }
        : { t: "sub.result", id: 0, topic: "a" },
    );
  services.resume();
  assertEquals(host.sent.map((m) => [m.t, m.topic, m.data ?? null]), [
    ["sub", "a", null],
    ["pub", "a", "two"],
    ["pub", "a", "three"],
  ]);
  const [n2, n3] = await Promise.all([two, three]);
  assertEquals(n2 > first && n3 > n2, true, "numbers keep rising");
  assertEquals(services.unacknowledged, 0);
});

Deno.test("services: a refused subscription is not kept; mail is acknowledged and delivered once", async () => {
  const host = new Host();
  const services = new PeerServices(host);
  host.answer = () => Promise.reject(new ProtocolError("BAD_REQUEST", "bad topic"));
  await services.subscribe("\u0000").catch(() => {});
  assertEquals(services.topics, []);

  const mail: unknown[] = [];
  host.addEventListener("mail", (e) => mail.push((e as CustomEvent).detail.data));
  const one = { t: "mail" as const, mid: "m1", from: "p", ts: 1, data: "hi" };
  services.receive(one);
  services.receive(one); // handed over again on a reconnect before the ack was seen
  await turn();
  assertEquals(mail, ["hi"]);
  // Both handovers acknowledged (each as it is told), the mail delivered once.
  const acked = host.controls.flatMap((c) => (c as { mids?: string[] }).mids ?? []);
  assertEquals(acked, ["m1", "m1"]);
});

Deno.test("services: topic messages are acknowledged by their highest seq, after 64 or 100 ms", async () => {
  const host = new Host();
  const services = new PeerServices(host);
  for (let seq = 1; seq <= 64; seq++) services.took(seq);
  assertEquals(host.controls, [{ t: "topic.ack", seq: 64 }], "64 taken: at once");
  services.took(70);
  services.took(65); // an older number changes nothing
  assertEquals(host.controls.length, 1);
  await new Promise((r) => setTimeout(r, 150));
  assertEquals(host.controls.at(-1), { t: "topic.ack", seq: 70 }, "the rest within 100 ms");
  // A new connection: what was left goes first, then numbers start again.
  services.took(71);
  services.resume();
  assertEquals(host.controls.at(-1), { t: "topic.ack", seq: 71 });
  services.took(3);
  services.close();
  await new Promise((r) => setTimeout(r, 150));
  assertEquals(host.controls.length, 3, "nothing after close");
});

Deno.test("services: mail with no listener is held, unacknowledged, until one is added", async () => {
  const host = new Host();
  const services = new PeerServices(host);
  services.receive({ t: "mail", mid: "m1", from: "p", ts: 1, data: "hi" });
  await turn();
  assertEquals(host.controls, [], "not acknowledged");
  const got: unknown[] = [];
  host.addEventListener("mail", (e) => got.push((e as CustomEvent).detail.data), { once: true });
  // The ListenedTarget tells its owner of a new listener; the peer wires it to release().
  services.release("mail");
  // Another comes before the first is told: the once listener takes the first alone.
  services.receive({ t: "mail", mid: "m2", from: "p", ts: 2, data: "again" });
  await turn();
  assertEquals(got, ["hi"], "the once listener is gone: held again");
  await turn(150);
  assertEquals(host.controls, [{ t: "mail.ack", mids: ["m1"] }], "the second not acknowledged");
  host.addEventListener("mail", (e) => got.push((e as CustomEvent).detail.data));
  services.release("mail");
  await turn();
  assertEquals(got, ["hi", "again"]);
});

Deno.test("services: mail held before a listener is told before mail that came after it", async () => {
  // The first comes with no listener and is held; the second is on its way in when a listener
  // is added, whose release takes its turn after the second's: the first is still told first.
  const host = new Host();
  const services = new PeerServices(host);
  const got: unknown[] = [];
  services.receive({ t: "mail", mid: "m1", from: "p", ts: 1, data: "first" });
  services.receive({ t: "mail", mid: "m2", from: "p", ts: 2, data: "second" });
  await Promise.resolve(); // the first's turn: no listener, held
  host.addEventListener("mail", (e) => got.push((e as CustomEvent).detail.data));
  services.release("mail");
  await turn();
  assertEquals(got, ["first", "second"]);
  await turn(150);
  const acked = (host.controls as { mids: string[] }[]).flatMap((c) => c.mids);
  assertEquals(acked, ["m1", "m2"], "each acknowledged once");
});

Deno.test("services: mail held, then one of it handed over again, keeps its order", async () => {
  // A and B are held (no listener); after a reconnect A comes again, and a listener is added
  // before its turn: A, then B.
  const host = new Host();
  const services = new PeerServices(host);
  const got: unknown[] = [];
  services.receive({ t: "mail", mid: "A", from: "p", ts: 1, data: "A" });
  services.receive({ t: "mail", mid: "B", from: "p", ts: 2, data: "B" });
  await turn();
  services.receive({ t: "mail", mid: "A", from: "p", ts: 1, data: "A" });
  host.addEventListener("mail", (e) => got.push((e as CustomEvent).detail.data));
  services.release("mail");
  await turn();
  assertEquals(got, ["A", "B"]);
});

Deno.test("services: mail and topic events say whether they came sealed", async () => {
  const host = new Host();
  const services = new PeerServices(host);
  const events: { type: string; sealed: boolean }[] = [];
  for (const type of ["topic", "mail"]) {
    host.addEventListener(type, (e) => events.push({ type, ...(e as CustomEvent).detail }));
  }
  services.receive({ t: "topic", topic: "a", from: "p", n: 1, data: "clear" });
  // Sealed with the topic's key: the host's guard opens it (here, none: taken as sent).
  services.receive({
    t: "topic",
    topic: "a",
    from: "p",
    n: 2,
    data: "AQID",
    bin: true,
    sealed: true,
  });
  services.receive({ t: "mail", mid: "m1", from: "p", ts: 1, data: "clear" });
  services.receive({
    t: "mail",
    mid: "m2",
    from: "p",
    ts: 1,
    data: "AQID",
    bin: true,
    sealed: true,
  });
  await new Promise((r) => setTimeout(r, 0));
  // Mail is handed over at once, topic messages once checked: compared by kind.
  const sealed = (type: string) => events.filter((e) => e.type === type).map((e) => e.sealed);
  assertEquals([sealed("topic"), sealed("mail")], [[false, true], [false, true]]);
});

Deno.test("services: sealed mail whose listener goes while it opens is held opened, opened once", async () => {
  const host = new Host() as Host & { openMail(m: { data: string }): Promise<string> };
  let opens = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  // Opening takes a while (WebCrypto), and spends the mail's key: it must happen once.
  host.openMail = async (m) => (opens++, await gate, `opened ${m.data}`);
  const services = new PeerServices(host);
  const listener = (e: Event) => got.push((e as CustomEvent).detail.data);
  const got: unknown[] = [];
  host.addEventListener("mail", listener);
  services.receive({ t: "mail", mid: "m1", from: "p", ts: 1, data: "x", sealed: true });
  await turn();
  host.removeEventListener("mail", listener); // gone while it opens
  release();
  await turn(150);
  assertEquals([got, host.controls], [[], []], "told to no one, not acknowledged");
  // Handed over again (a reconnect) and a listener back: the opened copy, once.
  services.receive({ t: "mail", mid: "m1", from: "p", ts: 1, data: "x", sealed: true });
  host.addEventListener("mail", listener);
  services.release("mail");
  await turn(150);
  assertEquals(got, ["opened x"]);
  assertEquals(opens, 1);
  assertEquals(host.controls, [{ t: "mail.ack", mids: ["m1"] }]);
});
