// Pub/sub, presence and discovery on real workerd: topics fan out once per subscribing
// shard, in per-publisher order, and survive a super-peer restart.
import type { MailEvent, Peer, PresenceMessage, TopicEvent } from "../../../../mod.ts";
import { Identity } from "../../../../mod.ts";
import { shardOf } from "../../../../src/routing/mod.ts";
import { startNetwork } from "../../../../scripts/local_network.ts";
import { MAIL_OVERHEAD } from "../../../../src/seal/envelope.ts";
import { signPublish } from "../../../../src/seal/topic.ts";
import {
  connectPeer,
  identityOnShard,
  nextEvent,
  openBareSocket,
  waitUntil,
} from "../../../support/peers.ts";
import { assert, assertEquals, assertRejects } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SHARDS = 4;

function collect(peer: Peer, type = "topic"): TopicEvent[] {
  const got: TopicEvent[] = [];
  peer.addEventListener(type, (e) => got.push((e as CustomEvent<TopicEvent>).detail));
  return got;
}

Deno.test(
  "pubsub: every subscriber on every shard gets each message once, in order",
  opts,
  async () => {
    const net = await startNetwork({ shards: SHARDS });
    try {
      const subs = await Promise.all(
        [0, 1, 2, 3, 0, 1].map(async (k) =>
          connectPeer(net, { identity: await identityOnShard(k, SHARDS) })
        ),
      );
      const inboxes = subs.map((p) => collect(p));
      await Promise.all(subs.map((p) => p.subscribe("news")));
      const [a, b] = await Promise.all(
        [2, 3].map(async (k) => connectPeer(net, { identity: await identityOnShard(k, SHARDS) })),
      );
      const sent = Array.from({ length: 50 }, (_, i) => i);
      await Promise.all(
        sent.flatMap((i) => [a.publish("news", `a${i}`), b.publish("news", `b${i}`)]),
      );
      await waitUntil(() => inboxes.every((box) => box.length === 100), 10_000);
      for (const box of inboxes) {
        assertEquals(
          box.filter((m) => m.from === a.peerId).map((m) => m.data),
          sent.map((i) => `a${i}`),
        );
        assertEquals(
          box.filter((m) => m.from === b.peerId).map((m) => m.data),
          sent.map((i) => `b${i}`),
        );
      }
      // Bytes travel too, and an unsubscribed peer hears no more.
      await subs[5].unsubscribe("news");
      await a.publish("news", new Uint8Array([1, 2, 3]));
      await waitUntil(() => inboxes[0].length === 101);
      assertEquals(inboxes[0][100].data, new Uint8Array([1, 2, 3]));
      await new Promise((r) => setTimeout(r, 200));
      assertEquals(inboxes[5].length, 100);
      assertEquals(
        ((await assertRejects(a.publish("$presence", "forged"))) as { code: string }).code,
        "RESERVED_TOPIC",
      );
      assertEquals(
        ((await assertRejects(a.subscribe("\u0000"))) as { code: string }).code,
        "BAD_REQUEST",
      );
      for (const p of [...subs, a, b]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "pubsub: a publish sent again after a lost answer is dropped at the topic's home",
  opts,
  async () => {
    const net = await startNetwork({ shards: SHARDS });
    try {
      const sub = await connectPeer(net);
      const me = await Identity.generate();
      const pub = await connectPeer(net, { identity: me });
      const got = collect(sub);
      await sub.subscribe("t");
      // Raw requests, signed as a publisher must (section 13).
      const signed = async (n: number, data: string) => ({
        t: "pub" as const,
        topic: "t",
        n,
        data,
        sig: await signPublish(me, { topic: "t", from: me.peerId, n, data }),
      });
      const first = await pub.request(await signed(7, "once"));
      const again = await pub.request(await signed(7, "once"));
      const older = await pub.request(await signed(5, "late"));
      assertEquals([first, again, older].map((r) => (r as { duplicate: boolean }).duplicate), [
        false,
        true,
        true,
      ]);
      await new Promise((r) => setTimeout(r, 200));
      assertEquals(got.map((m) => m.data), ["once"]);
      sub.close();
      pub.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "pubsub: subscriptions survive a super-peer restart in the middle of traffic",
  opts,
  async () => {
    const net = await startNetwork({ shards: SHARDS });
    try {
      const subs = await Promise.all(
        [0, 1, 2, 3].map(async (k) =>
          connectPeer(net, { identity: await identityOnShard(k, SHARDS) })
        ),
      );
      const inboxes = subs.map((p) => collect(p));
      await Promise.all(subs.map((p) => p.subscribe("live")));
      // A bare client that subscribes once and, after the restart, connects again without
      // subscribing: what it hears then comes from the subscription the super-peer kept.
      const bare = await Identity.generate();
      const heard: string[] = [];
      const open = () => openBareSocket(net, bare, heard);
      const first = await open();
      first.send(JSON.stringify({ t: "sub", id: 1, topic: "live" }));
      await waitUntil(() => heard.some((h) => h.includes("sub.result")));
      const pub = await connectPeer(net);
      let i = 0;
      let stop = false;
      // What the network acknowledged must arrive, restart or not: a message the fan-out
      // sends again after newer ones would be dropped by the client as stale.
      const acked: number[] = [];
      const publishing = (async () => {
        while (!stop) {
          await pub.publish("live", `m${i++}`).then((n) => acked.push(n), () => {});
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await waitUntil(() => inboxes.every((box) => box.length > 10), 10_000);
      const reopened = [...subs, pub].map((p) => nextEvent(p, "open", 20_000));
      await net.restart();
      await Promise.all(reopened);
      const second = await open();
      const mark = i;
      await waitUntil(
        () => inboxes.every((box) => box.some((m) => Number(String(m.data).slice(1)) > mark + 20)),
        20_000,
      );
      stop = true;
      await publishing;
      const has = (box: TopicEvent[]) => new Set(box.map((m) => m.n));
      await waitUntil(() => inboxes.every((box) => acked.every((n) => has(box).has(n))), 10_000)
        .catch(() => {});
      for (const box of inboxes) {
        const missing = acked.filter((n) => !has(box).has(n));
        assertEquals(missing, [], `of ${acked.length} acknowledged`);
      }
      assert(
        heard.slice(heard.findLastIndex((h) => h.includes("welcome"))).some((h) =>
          h.includes('"t":"topic"')
        ),
        "the kept subscription delivered after the restart",
      );
      first.close();
      second.close();
      for (const box of inboxes) {
        const ns = box.map((m) => m.n);
        assertEquals(ns, [...ns].sort((x, y) => x - y), "per-publisher order kept");
        assertEquals(new Set(ns).size, ns.length, "nothing twice");
      }
      for (const p of [...subs, pub]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("presence and discovery: joins, leaves, samples, lookups", opts, async () => {
  const net = await startNetwork({ shards: SHARDS, limits: { PRESENCE_TIMEOUT_MS: 1_500 } });
  try {
    // With a 1.5 s presence timeout, live peers ping every 300 ms.
    const live = { keepaliveIntervalMs: 300 };
    const watcher = await connectPeer(net, live);
    const events: PresenceMessage[] = [];
    watcher.addEventListener("presence", (e) => events.push((e as CustomEvent).detail));
    await watcher.subscribe("$presence");
    const others = await Promise.all(Array.from({ length: 8 }, () => connectPeer(net, live)));
    await waitUntil(() =>
      others.every((o) => events.some((e) => e.peer === o.peerId && e.event === "join"))
    );
    // The network's word: never sealed, and said so.
    assert(events.every((e) => (e as PresenceMessage & { sealed?: boolean }).sealed === false));

    const found = await watcher.findPeers({ count: 64 });
    assert(found.length > 0, "some peers found");
    for (const f of found) {
      assert(others.some((o) => o.peerId === f.peer), "only online peers");
      assertEquals(f.shard, shardOf(f.peer, SHARDS));
    }
    const gone = others.pop()!;
    gone.close();
    await waitUntil(() => events.some((e) => e.peer === gone.peerId && e.event === "leave"));
    const view = await watcher.lookup(gone.peerId);
    assertEquals([view.online, view.shard], [false, shardOf(gone.peerId, SHARDS)]);
    assert(view.lastSeen !== null);
    assertEquals((await watcher.lookup(others[0].peerId)).online, true);
    for (let round = 0; round < 10; round++) {
      assert((await watcher.findPeers({ count: 64 })).every((p) => p.peer !== gone.peerId));
    }
    // Past the presence timeout nothing of it is kept.
    await new Promise((r) => setTimeout(r, 3_000));
    assertEquals((await watcher.lookup(gone.peerId)).lastSeen, null);

    // Within a topic: only its subscribers.
    await others[0].subscribe("room");
    await others[1].subscribe("room");
    const inRoom = await watcher.findPeers({ topic: "room" });
    assertEquals(inRoom.map((p) => p.peer).sort(), [others[0].peerId, others[1].peerId].sort());
    for (const p of [watcher, ...others]) p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "presence: a connection that stops its keepalive is closed within the timeout",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2, limits: { PRESENCE_TIMEOUT_MS: 1_500 } });
    try {
      const watcher = await connectPeer(net, { keepaliveIntervalMs: 300 });
      await watcher.subscribe("$presence");
      const silent = await connectPeer(net, { keepaliveIntervalMs: 60_000, reconnect: false });
      const start = Date.now();
      const left = new Promise<number>((resolve) =>
        watcher.addEventListener("presence", (e) => {
          const d = (e as CustomEvent<PresenceMessage>).detail;
          if (d.peer === silent.peerId && d.event === "leave") resolve(Date.now());
        })
      );
      const closed = nextEvent<{ code: number }>(silent, "close", 10_000);
      assertEquals((await closed).code, 4002);
      // Closed within the timeout of its last frame; the announcement is one hop later.
      assert((await left) - start < 1_500 + 500, `left after ${(await left) - start} ms`);
      watcher.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("mailbox: waits for an offline peer, arrives once, then is gone", opts, async () => {
  const net = await startNetwork({ shards: SHARDS });
  try {
    const sender = await connectPeer(net, { identity: await identityOnShard(0, SHARDS) });
    const recipientId = await identityOnShard(1, SHARDS);
    const notices: { status: string; ref: string }[] = [];
    sender.addEventListener("mail.notice", (e) => notices.push((e as CustomEvent).detail));
    const mids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await sender.sendMail(recipientId.peerId, `m${i}`, { notify: true });
      assertEquals(r.status, "stored");
      mids.push(r.mid);
    }
    const got: MailEvent[] = [];
    const recipient = new (await import("../../../../mod.ts")).Peer({
      url: net.url,
      identity: recipientId,
      network: net.network,
    });
    recipient.addEventListener("mail", (e) => got.push((e as CustomEvent<MailEvent>).detail));
    await recipient.connect();
    await waitUntil(() => got.length === 5);
    assertEquals(got.map((m) => m.data), ["m0", "m1", "m2", "m3", "m4"]);
    await waitUntil(() => notices.length === 5);
    assertEquals(notices.map((n) => n.status), Array(5).fill("delivered"));
    assertEquals(notices.map((n) => n.ref).sort(), [...mids].sort());
    // Acknowledged: a new connection gets nothing again.
    recipient.close();
    const again = await connectPeer(net, { identity: recipientId });
    const more: MailEvent[] = [];
    again.addEventListener("mail", (e) => more.push((e as CustomEvent<MailEvent>).detail));
    await new Promise((r) => setTimeout(r, 500));
    assertEquals(more.length, 0);
    // Online: handed over at once.
    assertEquals((await sender.sendMail(again.peerId, "now")).status, "delivered");
    await waitUntil(() => more.length === 1);
    for (const p of [sender, again]) p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "mailbox: mail that comes with no listener waits, unacknowledged, until one is added",
  opts,
  async () => {
    const net = await startNetwork({ shards: SHARDS });
    try {
      const sender = await connectPeer(net, { identity: await identityOnShard(0, SHARDS) });
      const recipientId = await identityOnShard(1, SHARDS);
      await sender.sendMail(recipientId.peerId, "first");
      // Connected with no `mail` listener: handed over, but not taken, so not acknowledged.
      const unready = await connectPeer(net, { identity: recipientId });
      await sender.sendMail(recipientId.peerId, "second");
      await new Promise((r) => setTimeout(r, 300));
      unready.close();
      // The next connection gets both again; a listener added after the connect takes them.
      const recipient = await connectPeer(net, { identity: recipientId });
      await new Promise((r) => setTimeout(r, 300));
      const got: string[] = [];
      recipient.addEventListener(
        "mail",
        (e) => got.push(String((e as CustomEvent<MailEvent>).detail.data)),
      );
      // Handed to the listener once it is added (opened first: sealed mail opens with
      // WebCrypto, a turn later).
      await waitUntil(() => got.length >= 2);
      assertEquals(got, ["first", "second"], "handed to the listener once it was added");
      // A request answered after the acknowledgement left says it was taken.
      await recipient.lookup(sender.peerId);
      recipient.close();
      // Taken, so acknowledged: nothing comes again.
      const later = await connectPeer(net, { identity: recipientId });
      const more: string[] = [];
      later.addEventListener(
        "mail",
        (e) => more.push(String((e as CustomEvent<MailEvent>).detail.data)),
      );
      const probe = await sender.sendMail(recipientId.peerId, "third");
      assertEquals(probe.status, "delivered");
      await waitUntil(() => more.length >= 1);
      assertEquals(more, ["third"]);
      for (const p of [sender, later]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "mailbox: past the cap the sender gets a code; past the TTL it is told",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 2,
      limits: { MAILBOX_MAX_MESSAGES: 3, MAILBOX_TTL_MS: 1_000 },
    });
    try {
      const sender = await connectPeer(net);
      const offline = (await identityOnShard(1, 2)).peerId;
      const notices: { status: string; to: string }[] = [];
      sender.addEventListener("mail.notice", (e) => notices.push((e as CustomEvent).detail));
      for (let i = 0; i < 3; i++) await sender.sendMail(offline, `m${i}`);
      assertEquals(
        ((await assertRejects(sender.sendMail(offline, "one too many"))) as { code: string }).code,
        "MAILBOX_FULL",
      );
      await waitUntil(() => notices.length === 3, 10_000);
      assertEquals(notices.map((n) => [n.status, n.to]), Array(3).fill(["expired", offline]));
      // Gone: room again, and nothing for the recipient when it comes.
      assertEquals((await sender.sendMail(offline, "fresh")).status, "stored");
      sender.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "mailbox: a relayed frame that asks for it waits for an offline peer, on its shard or another",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 2,
      // 64 bytes of a message, and what sealing it to its recipient adds.
      limits: { MAILBOX_MAX_MESSAGES: 3, MAX_MAIL_BYTES: 64 + MAIL_OVERHEAD },
    });
    try {
      const sender = await connectPeer(net, { identity: await identityOnShard(0, 2) });
      const near = await identityOnShard(0, 2); // the sender's own shard
      const far = await identityOnShard(1, 2); // across shards
      const errors: { code: string; peer?: string; seq?: number }[] = [];
      sender.addEventListener("error", (e) => errors.push((e as CustomEvent).detail));
      const notices: { status: string; to: string }[] = [];
      sender.addEventListener("mail.notice", (e) => notices.push((e as CustomEvent).detail));
      sender.send(near.peerId, "n0", { mailbox: true });
      sender.send(near.peerId, new Uint8Array([1, 2, 3]), { mailbox: true });
      for (const text of ["f0", "f1", "f2", "f3"]) sender.send(far.peerId, text, { mailbox: true });
      sender.send(far.peerId, "no mailbox asked");
      sender.send(near.peerId, "x".repeat(65), { mailbox: true });
      await waitUntil(() => errors.length === 3, 10_000);
      // Each names the frame it refused (numbered as it left: mail is sealed asynchronously,
      // so frames to different peers may leave in another order than they were given).
      assertEquals(
        errors.map((e) => [e.code, e.peer]).sort(),
        [
          ["FRAME_TOO_LARGE", near.peerId],
          ["MAILBOX_FULL", far.peerId],
          ["PEER_NOT_FOUND", far.peerId],
        ],
      );
      assertEquals(new Set(errors.map((e) => e.seq)).size, 3, "three frames, three numbers");
      // The same bound holds for a `mail`, checked at the recipient's home.
      const big = (await assertRejects(sender.sendMail(far.peerId, "y".repeat(65)))) as {
        code: string;
      };
      assertEquals(big.code, "FRAME_TOO_LARGE");
      const { Peer } = await import("../../../../mod.ts");
      const arrive = async (identity: Identity, count: number) => {
        const got: MailEvent[] = [];
        const peer = new Peer({ url: net.url, identity, network: net.network });
        peer.addEventListener("mail", (e) => got.push((e as CustomEvent<MailEvent>).detail));
        const messages: unknown[] = [];
        peer.addEventListener("message", (e) => messages.push((e as CustomEvent).detail));
        await peer.connect();
        await waitUntil(() => got.length === count, 10_000);
        await new Promise((r) => setTimeout(r, 300));
        assertEquals(got.length, count, "each once");
        assertEquals(messages.length, 0, "as mail, not as live messages");
        assert(got.every((m) => m.from === sender.peerId));
        peer.close();
        return got.map((m) => m.data);
      };
      assertEquals(await arrive(near, 2), ["n0", new Uint8Array([1, 2, 3])]);
      assertEquals(await arrive(far, 3), ["f0", "f1", "f2"]);
      await waitUntil(() => notices.length === 5, 10_000);
      assertEquals(
        notices.map((n) => n.status + " " + (n.to === near.peerId ? "near" : "far")).sort(),
        [...Array(3).fill("delivered far"), ...Array(2).fill("delivered near")],
      );
      sender.close();
    } finally {
      await net.dispose();
    }
  },
);
