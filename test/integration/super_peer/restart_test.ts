// Super-peers restarted under connected peers: workerd stopped and started on the same
// persisted state; the clients reconnect by themselves and carry on.
import {
  type ErrorMessage,
  Identity,
  type PeerMessage,
  type ReconnectingDetail,
  type Welcome,
} from "../../../mod.ts";
import { connectUrl, signHello } from "../../../src/protocol/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import {
  connectPeer,
  identityOnShard,
  nextEvent,
  take,
  UPGRADE_HEADERS,
  waitUntil,
} from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SHARDS = 4;

Deno.test("restart: peers reconnect by themselves and carry on", opts, async () => {
  const net = await startNetwork({ shards: SHARDS });
  try {
    const alice = await connectPeer(net, { identity: await identityOnShard(0, SHARDS) });
    const bob = await connectPeer(net, { identity: await identityOnShard(1, SHARDS) });
    const carol = await connectPeer(net, { identity: await identityOnShard(0, SHARDS) });
    const peers = [alice, bob, carol];
    const bobInbox = bob.messages();
    const carolInbox = carol.messages();
    alice.send(bob.peerId, "before");
    assertEquals((await take(bobInbox, 1))[0].data, "before");
    const sessions = peers.map((p) => p.welcome!.session);

    // A hello used before the restart, to show the super-peer's state survived it.
    const used = await signHello(await Identity.generate(), net.network, net.url);
    const ws = new WebSocket(connectUrl(net.url, used));
    await new Promise((r) => ws.onopen = r);
    ws.close();

    const reconnecting = peers.map((p) => nextEvent<ReconnectingDetail>(p, "reconnecting", 20_000));
    await net.restart();
    for (const detail of await Promise.all(reconnecting)) assert(detail.attempt === 0);
    const reopened = await Promise.all(peers.map((p) => nextEvent<Welcome>(p, "open", 20_000)));
    for (const [i, welcome] of reopened.entries()) {
      assert(welcome.session !== sessions[i], "a fresh session after the restart");
    }

    for (let i = 0; i < 10; i++) {
      alice.send(bob.peerId, `x${i}`);
      bob.send(carol.peerId, `y${i}`);
    }
    assertEquals(
      (await take(bobInbox, 10)).map((m) => m.data),
      Array.from({ length: 10 }, (_, i) => `x${i}`),
    );
    assertEquals((await take(carolInbox, 10)).map((m) => m.data).at(-1), "y9");

    const replay = await fetch(connectUrl(net.url, used).replace(/^ws/, "http"), {
      headers: UPGRADE_HEADERS,
    });
    assertEquals(replay.status, 401, "the nonce table was persisted across the restart");
    await replay.body?.cancel();
    for (const p of peers) p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("restart: frames sent while the network is down wait in the queue", opts, async () => {
  const net = await startNetwork({ shards: SHARDS });
  try {
    // Unsealed: this follows relay frames through the queue, numbered as they were sent.
    const alice = await connectPeer(net, {
      identity: await identityOnShard(2, SHARDS),
      seal: false,
    });
    const bob = await connectPeer(net, { identity: await identityOnShard(3, SHARDS), seal: false });
    const bobInbox = bob.messages();
    const down = nextEvent(alice, "reconnecting", 20_000);
    const bobBack = nextEvent(bob, "open", 20_000);
    // Keep the network down until alice has queued, then bring it back.
    const restarting = net.restart();
    await down;
    const results = Array.from({ length: 5 }, (_, i) => alice.send(bob.peerId, `q${i}`));
    assertEquals(results, ["queued", "queued", "queued", "queued", "queued"]);
    // Each queued frame either reaches bob or comes back to alice with a code (bob may
    // return after alice has flushed): none is lost without a word.
    const refused: number[] = [];
    alice.addEventListener("error", (e) => {
      const detail = (e as CustomEvent<ErrorMessage>).detail;
      assertEquals(detail.code, "PEER_NOT_FOUND");
      refused.push(detail.seq!);
    });
    const delivered: PeerMessage[] = [];
    bob.addEventListener("message", (e) => delivered.push((e as CustomEvent<PeerMessage>).detail));
    await restarting;
    await bobBack;
    if (alice.state !== "open") await nextEvent(alice, "open", 20_000);
    await waitUntil(() => refused.length + delivered.length >= 5, 10_000);
    assertEquals([...refused, ...delivered.map((m) => m.seq)].sort(), [0, 1, 2, 3, 4]);
    assertEquals(delivered.map((m) => m.data), delivered.map((m) => `q${m.seq}`));
    // And once both are back, a new frame goes through.
    alice.send(bob.peerId, "after");
    assertEquals((await take(bobInbox, delivered.length + 1)).at(-1)?.data, "after");
    alice.close();
    bob.close();
  } finally {
    await net.dispose();
  }
});
