// The mailbox's storage bounds on real workerd: per sender and recipient, per sender, per
// client address, per shard, with room kept for peers seen here; a short life for mail to ids
// never seen; notices within their own cap; an acknowledgement of many ids. One sender cannot
// take another's place, and nothing stored is dropped for new mail.
import { Identity, Peer, type ProtocolError } from "../../../../mod.ts";
import { connectUrl, signHello } from "../../../../src/protocol/mod.ts";
import { type LocalNetwork, startNetwork } from "../../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../../support/peers.ts";
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
    // Deno's WebSocket takes headers: the address the runtime would have written.
    bare.ws = new WebSocket(
      connectUrl(net.url, await signHello(bare.identity, net.network)),
      { headers: { "cf-connecting-ip": address } } as unknown as string[],
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
    for (const p of [a, c, f, bob]) p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("mail bounds: one mail.ack of many ids deletes them all", opts, async () => {
  const net = await startNetwork({
    shards: 1,
    limits: { MAILBOX_MAX_MESSAGES: 1_024, MAILBOX_MAX_FROM_SENDER: 1_024 },
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
