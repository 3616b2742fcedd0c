// Keepalive, rate limits and control frame bounds, on real workerd.
import { type ErrorMessage, Identity, type PeerMessage } from "../../../mod.ts";
import { shardOf } from "../../../src/routing/mod.ts";
import { connectUrl, DEFAULT_LIMITS, signHello } from "../../../src/protocol/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function stats(url: string, shard: number) {
  const res = await fetch(`${url}/v1/shards/${shard}/stats`);
  assertEquals(res.status, 200);
  return await res.json();
}

Deno.test(
  "limits: the keepalive is answered without reaching the super-peer's code",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      const me = await identityOnShard(1, 2);
      const ws = new WebSocket(connectUrl(net.url, await signHello(me, net.network, net.url)));
      const texts: string[] = [];
      ws.onmessage = (e) => texts.push(e.data);
      await new Promise((r) => ws.onopen = r);
      for (let i = 0; i < 10; i++) ws.send("ping");
      await waitUntil(() => texts.length >= 11);
      assertEquals(texts.slice(1), Array(10).fill("pong"));
      const before = await stats(net.url, 1);
      assertEquals([before.framesIn, before.peers], [0, 1], "pings never reached webSocketMessage");
      // A text frame that is not the keepalive does reach it, and is refused by size or type.
      ws.send("x".repeat(140_000));
      ws.send("é".repeat(50_000)); // 50,000 characters, 100,000 bytes: within the limit
      await waitUntil(() => texts.length >= 13);
      assertEquals(texts.slice(11).map((t) => JSON.parse(t).code), [
        "FRAME_TOO_LARGE",
        "BAD_FRAME",
      ]);
      assertEquals((await stats(net.url, 1)).framesIn, 2);
      ws.close();
      const missing = await fetch(`${net.url}/v1/shards/2/stats`);
      assertEquals([missing.status, (await missing.json()).code], [404, "NOT_FOUND"]);
    } finally {
      await net.dispose();
    }
  },
);

const COST = DEFAULT_LIMITS.COST_RELAY_FRAME;

Deno.test(
  "limits: a peer over its rate limit gets RATE_LIMITED per frame and recovers",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 2,
      // Room for three frames sent alone (COST_RELAY_FRAME each), or a batch of seven.
      limits: {
        RATE_LIMIT_FRAMES_PER_SECOND: 2 * COST,
        RATE_LIMIT_BURST_FRAMES: DEFAULT_LIMITS.COST_BATCH + 7 * DEFAULT_LIMITS.COST_BATCH_ENTRY,
      },
    });
    try {
      // Unsealed: these count relay frames, and a handshake would add its own.
      const alice = await connectPeer(net, { seal: false });
      const bob = await connectPeer(net, { seal: false });
      const refused: ErrorMessage[] = [];
      const delivered: PeerMessage[] = [];
      alice.addEventListener("error", (e) => refused.push((e as CustomEvent<ErrorMessage>).detail));
      bob.addEventListener(
        "message",
        (e) => delivered.push((e as CustomEvent<PeerMessage>).detail),
      );
      for (let i = 0; i < 20; i++) alice.send(bob.peerId, `m${i}`);
      // A refusal names its frame and, in a batch, how many from it on it refuses.
      const named = () =>
        refused.flatMap((r) => [...Array(r.count ?? 1).keys()].map((k) => r.seq! + k));
      await waitUntil(() => named().length + delivered.length >= 20);
      assertEquals(named().length + delivered.length, 20, "every frame delivered or refused");
      assert(delivered.length >= 2 && delivered.length <= 9, `delivered ${delivered.length}`);
      assert(refused.every((r) => r.code === "RATE_LIMITED"));
      assertEquals(
        [...delivered.map((m) => m.seq!), ...named()].sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i),
        "each refusal names its frames",
      );
      // Others are not limited by alice's bucket.
      const carol = await connectPeer(net, { seal: false });
      const before = delivered.length;
      carol.send(bob.peerId, "carol");
      await new Promise((r) => setTimeout(r, 1_000));
      alice.send(bob.peerId, "after a pause");
      await waitUntil(() => delivered.length >= before + 2);
      assertEquals(delivered.slice(before).map((m) => m.data).sort(), ["after a pause", "carol"]);
      for (const p of [alice, bob, carol]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("limits: stats count relayed and refused frames per shard", opts, async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    // Unsealed: the counts are of relay frames, and a handshake would add its own.
    const alice = await connectPeer(net, { identity: await identityOnShard(0, 2), seal: false });
    const bob = await connectPeer(net, { identity: await identityOnShard(1, 2), seal: false });
    const got = bob.messages();
    alice.send(bob.peerId, "one");
    const nobody = (await Identity.generate()).peerId;
    alice.send(nobody, "nobody");
    await got.next();
    await new Promise((r) => setTimeout(r, 200));
    const [s0, s1] = [await stats(net.url, 0), await stats(net.url, 1)];
    // Both frames came in at alice's home; the one to bob crossed to shard 1, and so did the
    // one to nobody if nobody's home is shard 1. Either way alice's home sent the refusal.
    const viaShard1 = shardOf(nobody, 2) === 1 ? 2 : 1;
    const quiet = {
      directOffers: 0,
      directAnswers: 0,
      turnBytes: 0,
      routes: { direct: 0, turn: 0, relay: 0 },
      turnPeers: 0,
      turnPeerMaxBytes: 0,
      transfersApplied: 0,
      blocksSealed: 0,
      statsCalls: 1,
      head: null,
      receiptsPending: 0,
      mailWaiting: 0,
      subscriptions: 0,
      topicBacklog: 0,
    };
    assertEquals(s0, {
      ...quiet,
      framesIn: 2,
      payloadBytesIn: "one".length + "nobody".length,
      delivered: 0,
      forwarded: viaShard1,
      refused: 1,
      refusals: { PEER_NOT_FOUND: 1 },
      peers: 1,
      occupied: true,
      shard: 0,
    });
    assertEquals(s1, {
      ...quiet,
      framesIn: 0,
      payloadBytesIn: 0,
      delivered: 1,
      forwarded: 0,
      refused: 0,
      refusals: {},
      peers: 1,
      occupied: true,
      shard: 1,
    });
    alice.close();
    bob.close();
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "limits: past its relay quota a peer gets RESOURCE_LIMIT_EXCEEDED, signaling still passes",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2, limits: { RELAY_QUOTA_BYTES: 1_000 } });
    try {
      // Unsealed: these count relay frames, and a handshake would add its own.
      const alice = await connectPeer(net, { seal: false });
      const bob = await connectPeer(net, { seal: false });
      const refused: ErrorMessage[] = [];
      const delivered: PeerMessage[] = [];
      const signals: unknown[] = [];
      alice.addEventListener("error", (e) => refused.push((e as CustomEvent<ErrorMessage>).detail));
      bob.addEventListener(
        "message",
        (e) => delivered.push((e as CustomEvent<PeerMessage>).detail),
      );
      bob.addEventListener("signal", (e) => signals.push((e as CustomEvent).detail.data));
      // Each frame: 7 header bytes + 47 id bytes + 150 payload bytes = 204 bytes.
      for (let i = 0; i < 6; i++) alice.send(bob.peerId, "x".repeat(150));
      alice.sendSignal(bob.peerId, JSON.stringify({ t: "offer", sdp: "…" }));
      await waitUntil(() => delivered.length + refused.length >= 6 && signals.length === 1);
      assertEquals(delivered.length, 4);
      assertEquals(refused.map((r) => [r.code, r.seq]), [["RESOURCE_LIMIT_EXCEEDED", 4], [
        "RESOURCE_LIMIT_EXCEEDED",
        5,
      ]]);
      assertEquals(signals.length, 1, "signaling is not counted against the quota");
      alice.close();
      bob.close();
    } finally {
      await net.dispose();
    }
  },
);
