// The last hop of pub/sub: a subscriber's home keeps each topic message until the subscriber
// acknowledges it (`topic.ack`), and sends again, first thing on a new connection, whatever a
// dropped socket did not acknowledge. Driven with bare sockets, so that what is acknowledged
// is what the test says.
import { Identity } from "../../../../mod.ts";
import { type LocalNetwork, startNetwork } from "../../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, openBareSocket, waitUntil } from "../../../support/peers.ts";
import { assert, assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

interface Numbered {
  t: string;
  data?: string;
  seq?: number;
  id?: number;
}

/** A bare subscriber: its socket, and the topic messages it heard. */
class Subscriber {
  heard: string[] = [];
  ws!: WebSocket;
  #id = 100;

  constructor(readonly net: LocalNetwork, readonly identity: Identity) {}

  async open(): Promise<void> {
    this.heard = [];
    this.ws = await openBareSocket(this.net, this.identity, this.heard);
    await waitUntil(() => this.heard.length >= 1);
  }

  get topics(): Numbered[] {
    return this.heard.map((h) => JSON.parse(h) as Numbered).filter((m) => m.t === "topic");
  }

  /**
   * Sends a request and waits for its answer: the super-peer answers a socket's frames in
   * order, so everything sent before it (and everything sent on connecting) came first.
   */
  async request(body: Record<string, unknown>): Promise<void> {
    const id = ++this.#id;
    this.ws.send(JSON.stringify({ ...body, id }));
    await waitUntil(() => this.heard.some((h) => (JSON.parse(h) as Numbered).id === id));
    const answer = this.heard.find((h) => (JSON.parse(h) as Numbered).id === id)!;
    assert(!answer.includes('"error"'), answer);
  }

  /** Closes the socket and waits until its home has seen it go. */
  async close(): Promise<void> {
    const closed = new Promise((r) => this.ws.onclose = r);
    this.ws.close();
    await closed;
  }
}

Deno.test(
  "topic backlog: what a dropped subscriber did not acknowledge comes again, in order, and only that",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      // Subscriber and publisher homed on different shards: the message crosses shards.
      const sub = new Subscriber(net, await identityOnShard(0, 2));
      const publisher = await connectPeer(net, { identity: await identityOnShard(1, 2) });
      await sub.open();
      await sub.request({ t: "sub", topic: "news" });
      for (let i = 1; i <= 5; i++) await publisher.publish("news", `p${i}`);
      await waitUntil(() => sub.topics.length >= 5);
      const first = sub.topics;
      assertEquals(first.map((m) => m.data), ["p1", "p2", "p3", "p4", "p5"]);
      const seqs = first.map((m) => m.seq!);
      assert(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), `numbers rise: ${seqs}`);

      // Three taken; the socket dies before the rest are acknowledged.
      await sub.request({ t: "sub", topic: "news" });
      sub.ws.send(JSON.stringify({ t: "topic.ack", seq: seqs[2] }));
      await sub.close();
      await sub.open();
      await sub.request({ t: "sub", topic: "news" });
      assertEquals(sub.topics.map((m) => m.data), ["p4", "p5"], "sent again, in order");
      assertEquals(sub.topics.map((m) => m.seq), seqs.slice(3), "under the same numbers");

      // All taken: a new connection gets nothing again.
      sub.ws.send(JSON.stringify({ t: "topic.ack", seq: seqs[4] }));
      await sub.close();
      await sub.open();
      await sub.request({ t: "sub", topic: "news" });
      assertEquals(sub.topics, [], "nothing acknowledged comes again");

      // Live messages still flow, numbered after the others.
      await publisher.publish("news", "p6");
      await waitUntil(() => sub.topics.length >= 1);
      assertEquals(sub.topics.map((m) => m.data), ["p6"]);
      assert(sub.topics[0].seq! > seqs[4]);
      await sub.close();
      publisher.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "topic backlog: a subscription starts when it is made, and an acknowledgement past what was sent is ignored",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1 });
    try {
      const early = new Subscriber(net, await Identity.generate());
      const late = new Subscriber(net, await Identity.generate());
      const publisher = await connectPeer(net);
      await early.open();
      await early.request({ t: "sub", topic: "t" });
      await publisher.publish("t", "before");
      await waitUntil(() => early.topics.length >= 1);
      await late.open();
      await late.request({ t: "sub", topic: "t" });

      // The late one reconnects: "before" was never its own.
      await late.close();
      await late.open();
      await late.request({ t: "sub", topic: "t" });
      assertEquals(late.topics, []);

      // The early one claims a number never given: its unacknowledged message still comes.
      early.ws.send(JSON.stringify({ t: "topic.ack", seq: 1e12 }));
      await early.close();
      await early.open();
      await early.request({ t: "sub", topic: "t" });
      assertEquals(early.topics.map((m) => m.data), ["before"]);

      // A malformed acknowledgement is answered, like any bad frame.
      early.ws.send(JSON.stringify({ t: "topic.ack", seq: -1 }));
      await waitUntil(() => early.heard.some((h) => h.includes("BAD_FRAME")));
      assert(early.heard.some((h) => h.includes("BAD_FRAME")));
      await early.close();
      await late.close();
      publisher.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "topic backlog: past its bound the oldest go, and a returning subscriber gets the newest in order",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1, limits: { TOPIC_BACKLOG_MESSAGES: 16 } });
    try {
      const sub = new Subscriber(net, await Identity.generate());
      const publisher = await connectPeer(net);
      await sub.open();
      await sub.request({ t: "sub", topic: "t" });
      await sub.close();
      for (let i = 1; i <= 40; i++) await publisher.publish("t", `m${i}`);
      await sub.open();
      await sub.request({ t: "sub", topic: "t" });
      const got = sub.topics.map((m) => Number(m.data!.slice(1)));
      assert(got.length > 0 && got.length <= 16, `kept ${got.length} of 40, at most 16`);
      assertEquals(got.at(-1), 40, "the newest is kept");
      assert(got.every((n, i) => i === 0 || n === got[i - 1] + 1), `in order: ${got}`);
      console.log(
        `topic backlog: 40 published to an absent subscriber, ${got.length} kept (bound 16)`,
      );
      await sub.close();
      publisher.close();
    } finally {
      await net.dispose();
    }
  },
);
