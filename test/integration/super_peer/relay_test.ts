// The relay on real workerd: peers on one shard, across shards, many at once, and refusals.
import { assert, assertEquals } from "../../support/assert.ts";
import { type ErrorMessage, Identity, type PeerMessage } from "../../../mod.ts";
import { encodeFrame, FRAME_SEND } from "../../../src/protocol/mod.ts";
import { shardOf } from "../../../src/routing/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, nextEvent, take, waitUntil } from "../../support/peers.ts";
import { connectUrl, signHello } from "../../../src/protocol/mod.ts";

const SHARDS = 4;
const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("relay: two peers on one shard exchange text and bytes", opts, async () => {
  const net = await startNetwork({ shards: SHARDS });
  try {
    const alice = await connectPeer(net, { identity: await identityOnShard(1, SHARDS) });
    const bob = await connectPeer(net, { identity: await identityOnShard(1, SHARDS) });
    assertEquals(alice.welcome?.shard, 1);
    assertEquals(bob.welcome?.shard, 1);
    const inbox = bob.messages();
    // Queued behind the pair's first handshake, which takes the first frame numbers.
    assertEquals(alice.send(bob.peerId, "hello bob"), "queued");
    assertEquals(alice.send(bob.peerId, new Uint8Array([0, 1, 2, 255])), "queued");
    const [text, bytes] = await take(inbox, 2);
    assertEquals(text, {
      from: alice.peerId,
      seq: text.seq,
      data: "hello bob",
      via: "relay",
      sealed: true,
    });
    assertEquals(bytes, {
      from: alice.peerId,
      seq: text.seq + 1,
      data: new Uint8Array([0, 1, 2, 255]),
      via: "relay",
      sealed: true,
    });
    assertEquals(alice.send(bob.peerId, "again"), "sent", "the session is made");
    const back = alice.messages();
    bob.send(alice.peerId, "hi alice");
    assertEquals((await take(back, 1))[0].data, "hi alice");
    alice.close();
    bob.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("relay: two peers on different shards exchange messages both ways", opts, async () => {
  const net = await startNetwork({ shards: SHARDS });
  try {
    const alice = await connectPeer(net, { identity: await identityOnShard(0, SHARDS) });
    const bob = await connectPeer(net, { identity: await identityOnShard(3, SHARDS) });
    assertEquals(alice.welcome?.shard, 0);
    assertEquals(bob.welcome?.shard, 3);
    const toBob = bob.messages();
    const toAlice = alice.messages();
    for (let i = 0; i < 50; i++) alice.send(bob.peerId, `a${i}`);
    for (let i = 0; i < 50; i++) bob.send(alice.peerId, `b${i}`);
    const got = await take(toBob, 50);
    assertEquals(got.map((m) => m.data), Array.from({ length: 50 }, (_, i) => `a${i}`));
    assertEquals((await take(toAlice, 50)).map((m) => m.data).at(-1), "b49");
    alice.close();
    bob.close();
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "relay: 100 peers send 20 messages each to random others, exactly once and in order",
  opts,
  async () => {
    const net = await startNetwork({ shards: SHARDS });
    try {
      const peers = await Promise.all(Array.from({ length: 100 }, () => connectPeer(net)));
      const received = new Map<string, PeerMessage[]>();
      for (const p of peers) {
        const list: PeerMessage[] = [];
        received.set(p.peerId, list);
        p.addEventListener("message", (e) => list.push((e as CustomEvent<PeerMessage>).detail));
      }
      const errors: ErrorMessage[] = [];
      for (const p of peers) {
        p.addEventListener("error", (e) => errors.push((e as CustomEvent<ErrorMessage>).detail));
        // A message lost to sealing (a handshake unanswered in time) is told here.
        p.addEventListener(
          "seal.error",
          (e) => errors.push((e as CustomEvent<ErrorMessage>).detail),
        );
      }
      const total = () => [...received.values()].reduce((n, l) => n + l.length, 0);
      // expected[to] = messages in send order, per sender
      const expected = new Map<string, string[]>();
      let crossShard = 0;
      let sent = 0;
      for (let round = 0; round < 20; round++) {
        // A round's first messages to new partners start handshakes (X25519 in JavaScript, a
        // few ms each). Here all 100 peers share one process: 2,000 handshakes started at once
        // queue behind each other past the handshake timeout on a loaded machine, which no
        // peer on its own machine meets. So each round waits for the one before it to arrive.
        await waitUntil(() => total() >= sent, 30_000);
        for (const [i, p] of peers.entries()) {
          let j = Math.floor(Math.random() * 99);
          if (j >= i) j++;
          const to = peers[j].peerId;
          const text = `${p.peerId}:${round}`;
          // "queued" while the pair's first handshake is under way.
          assert(p.send(to, text) !== "dropped");
          expected.set(to, [...(expected.get(to) ?? []), text]);
          sent++;
          if (shardOf(p.peerId, SHARDS) !== shardOf(to, SHARDS)) crossShard++;
        }
      }
      await waitUntil(() => total() >= 2000, 30_000);
      // A little longer, so that a duplicate would have time to show up.
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(errors, []);
      assertEquals(total(), 2000);
      assert(crossShard > 1000, `expected most traffic to cross shards, got ${crossShard}`);
      for (const p of peers) {
        const got = received.get(p.peerId)!;
        const want = expected.get(p.peerId) ?? [];
        assertEquals(got.map((m) => m.data).sort(), [...want].sort(), "exactly once");
        // Per sender, the order of arrival is the order of sending.
        const bySender = new Map<string, number[]>();
        for (const m of got) {
          const round = Number(String(m.data).split(":")[1]);
          bySender.set(m.from, [...(bySender.get(m.from) ?? []), round]);
        }
        for (const rounds of bySender.values()) {
          assertEquals(rounds, [...rounds].sort((a, b) => a - b));
        }
      }
      for (const p of peers) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("relay: refusals come back as codes and the connection keeps working", opts, async () => {
  const net = await startNetwork({ shards: SHARDS });
  try {
    const alice = await connectPeer(net);
    // It takes messages in clear: the raw socket below does not seal.
    const bob = await connectPeer(net, { seal: "preferred" });
    const carol = await connectPeer(net);
    const carolInbox = carol.messages();
    const bobInbox = bob.messages();

    // A raw socket, to send what the client library would refuse to build.
    const raw = await Identity.generate();
    const ws = new WebSocket(connectUrl(net.url, await signHello(raw, net.network, net.url)));
    ws.binaryType = "arraybuffer";
    const replies: Record<string, unknown>[] = [];
    ws.onmessage = (e) => {
      if (typeof e.data === "string" && e.data.startsWith("{")) replies.push(JSON.parse(e.data));
    };
    await new Promise((r) => ws.onopen = r);
    const waitFor = (n: number) => waitUntil(() => replies.length >= n);
    await waitFor(1);
    assertEquals(replies[0].t, "welcome");

    // Over the size limit.
    const big = encodeFrame(FRAME_SEND, bob.peerId, 7, new Uint8Array(70_000));
    ws.send(big);
    // Not valid protocol: a truncated header, an unknown type, junk text.
    ws.send(new Uint8Array([1, 0, 0]));
    ws.send(new Uint8Array([9, 0, 0, 0, 0, 8, 1, 65]));
    ws.send("not json");
    ws.send(JSON.stringify({ t: "launch-missiles" }));
    // To a peer that is not connected.
    const nobody = await Identity.generate();
    ws.send(encodeFrame(FRAME_SEND, nobody.peerId, 11, "anyone?"));
    // Still working: a good frame after all of that.
    ws.send(encodeFrame(FRAME_SEND, bob.peerId, 12, "still here"));
    await waitFor(7);
    const codes = replies.slice(1).map((r) => [r.code, r.seq]);
    assertEquals(codes, [
      ["FRAME_TOO_LARGE", 7],
      ["BAD_FRAME", undefined],
      ["UNKNOWN_FRAME_TYPE", 8],
      ["BAD_FRAME", undefined],
      ["UNKNOWN_FRAME_TYPE", undefined],
      ["PEER_NOT_FOUND", 11],
    ]);
    assertEquals(replies[6].peer, nobody.peerId);
    assertEquals((await take(bobInbox, 1))[0], {
      from: raw.peerId,
      seq: 12,
      data: "still here",
      via: "relay",
      sealed: false,
    });

    // The client library reports the same refusal as an event.
    const refused = nextEvent<ErrorMessage>(alice, "error");
    alice.send(nobody.peerId, "hello?");
    assertEquals((await refused).code, "PEER_NOT_FOUND");
    // And everyone else kept working.
    alice.send(carol.peerId, "fine");
    assertEquals((await take(carolInbox, 1))[0].data, "fine");
    ws.close();
    for (const p of [alice, bob, carol]) p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("relay: a peer that connects twice keeps only its newer session", opts, async () => {
  const net = await startNetwork({ shards: SHARDS });
  try {
    const identity = await Identity.generate();
    const first = await connectPeer(net, { identity });
    const closed = nextEvent<{ code: number }>(first, "close");
    const second = await connectPeer(net, { identity });
    assertEquals((await closed).code, 4001);
    assertEquals(first.state, "closed");
    assert(first.welcome === undefined);
    assert(second.welcome!.session !== undefined);
    const other = await connectPeer(net);
    const inbox = second.messages();
    other.send(identity.peerId, "to the newer one");
    assertEquals((await take(inbox, 1))[0].data, "to the newer one");
    second.close();
    other.close();
  } finally {
    await net.dispose();
  }
});
