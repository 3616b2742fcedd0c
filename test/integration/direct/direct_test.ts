// Direct channels between two Deno peers on loopback: signaling through the relay on real
// workerd, then werift data channels that each side authenticates.
import { ProtocolError } from "../../../mod.ts";
import { DirectLink } from "../../../src/client/direct/mod.ts";
import { weriftTransport } from "../../../src/client/direct/werift_transport.ts";
import type { Peer } from "../../../src/client/mod.ts";
import { type LocalNetwork, startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals, assertRejects } from "../../support/assert.ts";
import { Identity } from "../../../mod.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
// Candidates on loopback only: the test never sends to another address.
const loopback = weriftTransport({ hostAddresses: ["127.0.0.1"] });

function link(peer: Peer, identity: Identity, remote: string, role: "offerer" | "answerer") {
  return new DirectLink({
    sendSignal: (to, data) => peer.sendSignal(to, data),
    identity,
    remote,
    role,
    transport: loopback({}),
    timeoutMs: 8_000,
  });
}

/**
 * Two connected peers and a direct link each, alice offering; what bob is given of her
 * signaling passes `rewrite` first (a relay that changes it).
 */
async function linkedPair(
  net: LocalNetwork,
  aliceId: Identity,
  bobId: Identity,
  rewrite: (data: string) => string = (data) => data,
) {
  const alice = await connectPeer(net, { identity: aliceId });
  const bob = await connectPeer(net, { identity: bobId });
  const a = link(alice, aliceId, bob.peerId, "offerer");
  const b = link(bob, bobId, alice.peerId, "answerer");
  alice.addEventListener("signal", (e) => a.handleSignal((e as CustomEvent).detail));
  bob.addEventListener("signal", (e) => {
    const detail = (e as CustomEvent).detail;
    b.handleSignal({ ...detail, data: rewrite(String(detail.data)) });
  });
  return { alice, bob, a, b };
}

async function stats(url: string, shard: number) {
  return await (await fetch(`${url}/v1/shards/${shard}/stats`)).json();
}

Deno.test(
  "direct: two peers open an authenticated channel; the relay then carries no payload",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    const aliceId = await identityOnShard(0, 2);
    const bobId = await identityOnShard(1, 2);
    try {
      const { alice, bob, a, b } = await linkedPair(net, aliceId, bobId);
      await Promise.all([a.connect(), b.connect()]);
      assert(a.open && b.open);
      // Read from werift's statistics: host candidates on both ends, no TURN server.
      assertEquals([await a.route(), await b.route()], ["direct", "direct"]);
      const before = [await stats(net.url, 0), await stats(net.url, 1)];
      const atBob: unknown[] = [];
      const atAlice: unknown[] = [];
      b.addEventListener("message", (e) => atBob.push((e as CustomEvent).detail));
      a.addEventListener("message", (e) => atAlice.push((e as CustomEvent).detail));
      for (let i = 0; i < 50; i++) a.send(`a${i}`);
      a.send(new Uint8Array([1, 2, 3]));
      b.send("hello alice");
      await waitUntil(() => atBob.length === 51 && atAlice.length === 1, 10_000);
      assertEquals(atBob.slice(0, 50), Array.from({ length: 50 }, (_, i) => `a${i}`));
      assertEquals(atBob[50], new Uint8Array([1, 2, 3]));
      assertEquals(atAlice, ["hello alice"]);
      const after = [await stats(net.url, 0), await stats(net.url, 1)];
      assertEquals(
        after.map((s) => s.framesIn),
        before.map((s) => s.framesIn),
        "no frame through the relay",
      );
      // Signaling went through the relay, sealed: a hello and an accept, then one offer and
      // one answer.
      assertEquals(before[0].framesIn + before[1].framesIn, 4);
      a.close();
      b.close();
      alice.close();
      bob.close();
    } finally {
      await net.dispose();
    }
  },
);

/**
 * Alice offers a channel to bob through a "relay" that rewrites the SDPs bob is given; both
 * ends must refuse the channel.
 */
async function refusedWhenRelayRewrites(rewrite: (data: string) => string): Promise<void> {
  const net = await startNetwork({ shards: 2 });
  const aliceId = await Identity.generate();
  const bobId = await Identity.generate();
  try {
    const { alice, bob, a, b } = await linkedPair(net, aliceId, bobId, rewrite);
    const results = await Promise.all([assertRejects(a.connect()), assertRejects(b.connect())]);
    for (const error of results) {
      assert(error instanceof ProtocolError, String(error));
      assert(["DIRECT_AUTH_FAILED", "DIRECT_FAILED"].includes(error.code), error.code);
    }
    assert(!a.open && !b.open);
    alice.close();
    bob.close();
  } finally {
    await net.dispose();
  }
}

Deno.test(
  "direct: an SDP whose fingerprint was rewritten on the way is refused",
  opts,
  () =>
    refusedWhenRelayRewrites((data) =>
      data.replace(
        /(a=fingerprint:sha-256 )([0-9A-F]{2})/,
        (_m, p, h) => p + (h === "00" ? "01" : "00"),
      )
    ),
);

Deno.test(
  "direct: an SDP given a second fingerprint on the way is refused",
  opts,
  // A fingerprint of the relay's own after the genuine one (the JSON's \r\n).
  () =>
    refusedWhenRelayRewrites((data) =>
      data.replace(
        /(a=fingerprint:sha-256 [0-9A-F:]+)/,
        `$1\\r\\na=fingerprint:sha-256 ${Array(32).fill("AB").join(":")}`,
      )
    ),
);

Deno.test(
  "direct: a channel whose other end cannot prove the expected key is refused",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    const aliceId = await Identity.generate();
    const bobId = await Identity.generate();
    const carolId = await Identity.generate(); // who bob believes he is talking to
    try {
      const alice = await connectPeer(net, { identity: aliceId });
      const bob = await connectPeer(net, { identity: bobId });
      // A relay that passes alice off as carol: what bob sends to "carol" goes to alice, and
      // what alice sends arrives as carol's. The DTLS session is sound, but the key proven
      // over it is alice's, not carol's.
      const misrouted = {
        sendSignal: (_to: string, data: string) => bob.sendSignal(alice.peerId, data),
      } as unknown as Peer;
      const a = link(alice, aliceId, bob.peerId, "offerer");
      const b = link(misrouted, bobId, carolId.peerId, "answerer");
      alice.addEventListener("signal", (e) => a.handleSignal((e as CustomEvent).detail));
      bob.addEventListener(
        "signal",
        (e) => b.handleSignal({ ...(e as CustomEvent).detail, from: carolId.peerId }),
      );
      const [aliceError, bobError] = await Promise.all([
        assertRejects(a.connect()),
        assertRejects(b.connect()),
      ]);
      assert(aliceError instanceof ProtocolError && bobError instanceof ProtocolError);
      assertEquals(bobError.code, "DIRECT_AUTH_FAILED", bobError.message);
      // Bob signed the roles he saw (offerer "carol"); alice checks the ones she saw.
      assertEquals(aliceError.code, "DIRECT_AUTH_FAILED", aliceError.message);
      assert(!a.open && !b.open);
      alice.close();
      bob.close();
    } finally {
      await net.dispose();
    }
  },
);
