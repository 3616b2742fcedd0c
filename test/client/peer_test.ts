// Peer's own behaviour against a network that misbehaves in ways real workerd will not on
// request: a loopback server that welcomes, then goes silent.
import { Identity, Peer, type ReconnectingDetail } from "../../mod.ts";
import { nextEvent } from "../support/peers.ts";
import { assert, assertEquals } from "../support/assert.ts";

function silentNetwork() {
  let connections = 0;
  const pings: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (new URL(req.url).pathname === "/v1/network") {
      return Response.json({ network: "silent", shards: 1, protocol: 1 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    const n = ++connections;
    socket.onopen = () =>
      socket.send(JSON.stringify({
        t: "welcome",
        protocol: 1,
        network: "silent",
        peer: new URL(req.url).searchParams.get("peer"),
        session: `s${n}`,
        shard: 0,
        shards: 1,
        limits: {},
      }));
    socket.onmessage = (e) => {
      if (e.data === "ping") pings.push(n); // and never answered
    };
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}`,
    get connections() {
      return connections;
    },
    pings,
    close: () => server.shutdown(),
  };
}

Deno.test("Peer pings, notices a silent connection, and reconnects with a fresh hello", async () => {
  const net = silentNetwork();
  const peer = new Peer({
    url: net.url,
    identity: await Identity.generate(),
    keepaliveIntervalMs: 40,
    keepaliveTimeoutMs: 150,
    reconnect: { minDelayMs: 10, maxDelayMs: 20 },
  });
  try {
    const first = await peer.connect();
    assertEquals(first.session, "s1");
    assertEquals(first.network, "silent", "network id fetched from /v1/network");
    const dropped = await nextEvent<ReconnectingDetail>(peer, "reconnecting", 5_000);
    assertEquals(dropped.code, 4000);
    const again = await nextEvent<{ session: string }>(peer, "open", 5_000);
    assertEquals(again.session, "s2");
    assert(net.pings.filter((n) => n === 1).length >= 2, "pinged while waiting");
  } finally {
    peer.close();
    await net.close();
  }
});

Deno.test("Peer queues while connecting, bounds the queue, and drops after close", async () => {
  const net = silentNetwork();
  // Unsealed: this is the connection's frame queue, not the handshake's message queue.
  const peer = new Peer({
    url: net.url,
    identity: await Identity.generate(),
    sendQueueFrames: 2,
    seal: false,
  });
  try {
    const to = (await Identity.generate()).peerId;
    assertEquals([peer.send(to, "a"), peer.send(to, "b"), peer.send(to, "c")], [
      "queued",
      "queued",
      "dropped",
    ]);
    assertEquals(peer.queued, 2);
    await peer.connect();
    assertEquals(peer.queued, 0, "flushed on welcome");
    assertEquals(peer.send(to, "d"), "sent");
    try {
      peer.send("nope", "x");
      assert.fail("expected TypeError");
    } catch (e) {
      assert(e instanceof TypeError);
    }
    try {
      peer.send(to, new Uint8Array(70_000));
      assert.fail("expected RangeError");
    } catch (e) {
      assert(e instanceof RangeError);
    }
    const closed = nextEvent<{ code: number }>(peer, "close");
    peer.close();
    assertEquals((await closed).code, 1000);
    assertEquals(peer.send(to, "e"), "dropped");
  } finally {
    peer.close();
    await net.close();
  }
});
