// The mailbox's storage bounds on real workerd: per sender and recipient, per sender, per
// client address, per shard, with room kept for peers seen here; a short life for mail to ids
// never seen; notices within their own cap; an acknowledgement of many ids. One sender cannot
// take another's place, and nothing stored is dropped for new mail.
import { Identity, Peer, type ProtocolError } from "../../../../mod.ts";
import { connectUrl, signHello } from "../../../../src/protocol/mod.ts";
import {
  type LocalNetwork,
  startNetwork,
  TEST_ADDRESS_HEADER,
} from "../../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, waitUntil } from "../../../support/peers.ts";
import { assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

interface Heard {
  t: string;
  id?: number;
  mid?: string;
  code?: string;
  status?: string;
  ref?: string;
}

/** A bare peer, from a client address the test picks: what it hears is what the network said. */
class Bare {
  heard: Heard[] = [];
  ws!: WebSocket;
  #id = 0;

  private constructor(readonly identity: Identity) {}

  static async open(net: LocalNetwork, address: string, identity?: Identity): Promise<Bare> {
    const bare = new Bare(identity ?? await Identity.generate());
    // Deno's WebSocket takes headers: the test-only client address.
    bare.ws = new WebSocket(
      connectUrl(net.url, await signHello(bare.identity, net.network, net.url)),
      { headers: { [TEST_ADDRESS_HEADER]: address } } as unknown as string[],
    );
    bare.ws.onmessage = (e) => typeof e.data === "string" && bare.heard.push(JSON.parse(e.data));
    await waitUntil(() => bare.heard.length >= 1); // the welcome
    return bare;
  }

  get peerId(): string {
    return this.identity.peerId;
  }

  /** What it heard of one type. */
  of(t: string): Heard[] {
    return this.heard.filter((h) => h.t === t);
  }

  /** Sends a request and waits for its answer (or refusal). */
  async request(body: Record<string, unknown>): Promise<Heard> {
    const id = ++this.#id;
    this.ws.send(JSON.stringify({ ...body, id }));
    await waitUntil(() => this.heard.some((h) => h.id === id), 10_000);
    return this.heard.find((h) => h.id === id)!;
  }

  /** Leaves mail; its status, or the code it was refused with. */
  async mail(to: string, notify = false): Promise<string> {
    const r = await this.request({ t: "mail", to, data: "hi", notify });
    return r.status ?? r.code ?? r.t;
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((r) => this.ws.onclose = r);
    this.ws.close();
    await closed;
  }
}

Deno.test("mail bounds: per sender and recipient, per sender, per shard", opts, async () => {
  const net = await startNetwork({
    shards: 1,
    limits: {
      MAILBOX_MAX_MESSAGES: 4,
      MAILBOX_MAX_FROM_SENDER: 2,
      MAIL_MAX_PER_SENDER: 3,
      MAIL_MAX_PER_SHARD: 5,
    },
  });
  try {
    const [a, c, f] = await Promise.all([connectPeer(net), connectPeer(net), connectPeer(net)]);
    const [b, d, e, g] = await Promise.all(Array.from({ length: 4 }, () => Identity.generate()));
    const mail = (from: typeof a, to: Identity) =>
      from.sendMail(to.peerId, "hi").then(
        (r) => r.status,
        (err: ProtocolError) => err.code,
      );
    const outcomes = [];
    // A fills its share of B's mailbox; C's mail to B still fits.
    for (let i = 0; i < 3; i++) outcomes.push(await mail(a, b));
    for (let i = 0; i < 2; i++) outcomes.push(await mail(c, b));
    // A reaches its share of the shard.
    outcomes.push(await mail(a, d), await mail(a, e));
    // The shard holds 5: F is refused, and nothing stored went for it.
    outcomes.push(await mail(f, g));
    assertEquals(outcomes, [
      "stored",
      "stored",
      "MAILBOX_FULL",
      "stored",
      "stored",
      "stored",
      "MAILBOX_FULL",
      "MAILBOX_FULL",
    ]);
    const inbox: string[] = [];
    // Listening before connecting: the mail is handed over right after the welcome.
    const bob = new Peer({ url: net.url, identity: b });
    bob.addEventListener("mail", (ev) => inbox.push((ev as CustomEvent).detail.from));
    await bob.connect();
    await waitUntil(() => inbox.length >= 4, 10_000);
    await new Promise((r) => setTimeout(r, 200)); // and no more
    assertEquals(inbox.sort(), [a.peerId, a.peerId, c.peerId, c.peerId].sort());
    // Bob acknowledged his four: the shard holds one, and F's mail fits now.
    let fits = "";
    await waitUntil(async () => (fits = await mail(f, g)) === "stored", 10_000);
    assertEquals(fits, "stored");
    for (const p of [a, c, f, bob]) p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("mail bounds: one mail.ack of many ids deletes them all", opts, async () => {
  const net = await startNetwork({
    shards: 1,
    limits: {
      MAILBOX_MAX_MESSAGES: 1_024,
      MAILBOX_MAX_FROM_SENDER: 1_024,
      // 250 mails at once: past a peer's burst at COST_MAIL each, and this is not about that.
      RATE_LIMIT_BURST_FRAMES: 1_000_000,
      ADDRESS_BURST_UNITS: 1_000_000,
    },
  });
  try {
    const sender = await Bare.open(net, "203.0.113.1");
    const bob = await Identity.generate();
    // More than two statements' worth of ids, and the last chunk a short one.
    const count = 250;
    const outcomes = new Set<string>();
    for (let i = 0; i < count; i++) outcomes.add(await sender.mail(bob.peerId, true));
    assertEquals([...outcomes], ["stored"]);
    let reader = await Bare.open(net, "203.0.113.2", bob);
    await waitUntil(() => reader.of("mail").length >= count, 10_000);
    const mids = reader.of("mail").map((m) => m.mid);
    assertEquals(new Set(mids).size, count);
    reader.ws.send(JSON.stringify({ t: "mail.ack", mids }));
    // The sender hears of each delivery, and the mailbox is empty on the next connection.
    await waitUntil(() => sender.of("mail.notice").length >= count, 10_000);
    assertEquals(new Set(sender.of("mail.notice").map((n) => n.ref)), new Set(mids));
    await reader.close();
    reader = await Bare.open(net, "203.0.113.2", bob);
    await reader.request({ t: "lookup", peer: bob.peerId });
    assertEquals(reader.of("mail").length, 0);
    for (const p of [sender, reader]) await p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "mail bounds: one mail.ack tells senders on every shard, in calls per home",
  opts,
  async () => {
    const shards = 4;
    const net = await startNetwork({
      shards,
      limits: {
        MAILBOX_MAX_MESSAGES: 1_024,
        MAILBOX_MAX_FROM_SENDER: 1_024,
        MAIL_MAX_NOTICES_PER_SENDER: 1_024,
        RATE_LIMIT_BURST_FRAMES: 1_000_000,
        ADDRESS_BURST_UNITS: 1_000_000,
      },
    });
    try {
      const bob = await identityOnShard(0, shards);
      // A sender at bob's home, and two elsewhere; the first sends more than one call's
      // worth of notices (256), so that its home is told in two calls.
      const senders = [
        await Bare.open(net, "203.0.113.1", await identityOnShard(0, shards)),
        await Bare.open(net, "203.0.113.3", await identityOnShard(1, shards)),
        await Bare.open(net, "203.0.113.4", await identityOnShard(3, shards)),
      ];
      const counts = [30, 300, 20];
      // Sent back to back, answered in order.
      for (let s = 0; s < senders.length; s++) {
        for (let i = 0; i < counts[s]; i++) {
          senders[s].ws.send(
            JSON.stringify({ t: "mail", id: 1_000 + i, to: bob.peerId, data: "hi", notify: true }),
          );
        }
      }
      const refs: string[][] = [];
      for (let s = 0; s < senders.length; s++) {
        await waitUntil(() => senders[s].of("mail.result").length >= counts[s], 10_000);
        const results = senders[s].of("mail.result");
        assertEquals(new Set(results.map((r) => r.status)), new Set(["stored"]));
        refs.push(results.map((r) => r.mid!));
      }
      const reader = await Bare.open(net, "203.0.113.2", bob);
      const total = counts.reduce((a, b) => a + b);
      await waitUntil(() => reader.of("mail").length >= total, 10_000);
      reader.ws.send(JSON.stringify({ t: "mail.ack", mids: reader.of("mail").map((m) => m.mid) }));
      for (let s = 0; s < senders.length; s++) {
        await waitUntil(() => senders[s].of("mail.notice").length >= counts[s], 10_000);
        const notices = senders[s].of("mail.notice");
        assertEquals(notices.map((n) => n.ref).sort(), [...refs[s]].sort(), `sender ${s}`);
        assertEquals(new Set(notices.map((n) => n.status)), new Set(["delivered"]));
      }
      for (const p of [...senders, reader]) await p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "mail bounds: free ids from one address stop at its cap; a seen peer keeps its room",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 1,
      limits: {
        MAIL_MAX_PER_SENDER: 3,
        MAIL_MAX_PER_ADDRESS: 6,
        MAIL_MAX_PER_SHARD: 10,
        MAIL_RESERVED_PER_RECIPIENT: 2,
      },
    });
    try {
      // Carol is a real peer: seen online here, offline now.
      const carol = await Identity.generate();
      await (await Bare.open(net, "198.51.100.9", carol)).close();
      const madeUp = () => Identity.generate().then((i) => i.peerId);
      const flood = async (address: string, ids: number) => {
        const outcomes: string[] = [];
        for (let s = 0; s < ids; s++) {
          const sender = await Bare.open(net, address);
          for (let i = 0; i < 3; i++) outcomes.push(await sender.mail(await madeUp()));
          await sender.close();
        }
        return outcomes.filter((o) => o === "stored").length;
      };
      // Four ids of one address: six stored, whatever the ids.
      assertEquals(await flood("203.0.113.1", 4), 6);
      // Another address fills the shard.
      assertEquals(await flood("203.0.113.2", 2), 4);
      const friend = await Bare.open(net, "198.51.100.7");
      const outcomes = [
        await friend.mail(carol.peerId),
        await friend.mail(carol.peerId),
        await friend.mail(carol.peerId),
        await friend.mail(await madeUp()),
      ];
      assertEquals(outcomes, ["stored", "stored", "MAILBOX_FULL", "MAILBOX_FULL"]);
      const reader = await Bare.open(net, "198.51.100.9", carol);
      await waitUntil(() => reader.of("mail").length >= 2);
      await reader.request({ t: "lookup", peer: carol.peerId });
      assertEquals(reader.of("mail").length, 2);
      for (const p of [friend, reader]) await p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "mail bounds: mail to ids never seen here is capped and expires soon; a seen peer's does not",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 1,
      limits: { MAIL_UNSEEN_TTL_MS: 1_000, MAIL_MAX_UNSEEN_PER_SHARD: 2 },
    });
    try {
      const carol = await Identity.generate();
      await (await Bare.open(net, "198.51.100.9", carol)).close();
      const [x, y, dave] = await Promise.all(Array.from({ length: 3 }, () => Identity.generate()));
      const sender = await Bare.open(net, "198.51.100.7");
      const outcomes = [
        await sender.mail(x.peerId, true),
        await sender.mail(dave.peerId, true),
        await sender.mail(y.peerId, true),
        await sender.mail(carol.peerId, true),
      ];
      // Two for unseen ids at most; Carol's fits.
      assertEquals(outcomes, ["stored", "stored", "MAILBOX_FULL", "stored"]);
      // Dave connects before his mail expires (and does not acknowledge it): it is his now.
      await (await Bare.open(net, "198.51.100.10", dave)).close();
      // X's mail expires unread at the next alarm, and its sender hears of it; no other does.
      await waitUntil(() => sender.of("mail.notice").length >= 1, 10_000);
      await new Promise((r) => setTimeout(r, 1_500)); // and no more
      const notices = sender.of("mail.notice");
      assertEquals(notices.map((n) => n.status), ["expired"]);
      // X's mail is gone and Dave's is a seen peer's: no mail to unseen ids is left, so two fit.
      const z = await Identity.generate();
      assertEquals([await sender.mail(y.peerId), await sender.mail(z.peerId)], [
        "stored",
        "stored",
      ]);
      for (const [who, address] of [[carol, "198.51.100.9"], [dave, "198.51.100.10"]] as const) {
        const reader = await Bare.open(net, address, who);
        await waitUntil(() => reader.of("mail").length >= 1);
        assertEquals(reader.of("mail").length, 1, who.peerId);
        await reader.close();
      }
      await sender.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("mail bounds: notices kept for a sender stay within their cap", opts, async () => {
  const net = await startNetwork({ shards: 1, limits: { MAIL_MAX_NOTICES_PER_SENDER: 3 } });
  try {
    const alice = await Identity.generate();
    let sender = await Bare.open(net, "198.51.100.7", alice);
    const reader = await Bare.open(net, "198.51.100.9");
    for (let i = 0; i < 6; i++) assertEquals(await sender.mail(reader.peerId, true), "delivered");
    await waitUntil(() => reader.of("mail").length >= 6);
    reader.ws.send(JSON.stringify({ t: "mail.ack", mids: reader.of("mail").map((m) => m.mid) }));
    await waitUntil(() => sender.of("mail.notice").length >= 6);
    // Unacknowledged, they wait at Alice's home: the three newest.
    const newest = sender.of("mail.notice").slice(3).map((n) => n.mid);
    await sender.close();
    sender = await Bare.open(net, "198.51.100.7", alice);
    await sender.request({ t: "lookup", peer: alice.peerId });
    assertEquals(sender.of("mail.notice").map((n) => n.mid), newest);
    for (const p of [sender, reader]) await p.close();
  } finally {
    await net.dispose();
  }
});
