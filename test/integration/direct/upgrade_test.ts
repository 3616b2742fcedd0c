// Peers that move their traffic onto a direct channel by themselves, and back to the relay
// when it dies: every message once, in order. Werift on loopback, relay on real workerd.
import type { PeerMessage } from "../../../mod.ts";
import { weriftTransport } from "../../../src/client/direct/werift_transport.ts";
import type {
  DirectTransport,
  DirectTransportOptions,
} from "../../../src/client/direct/transport.ts";
import { DIRECT_KEEPALIVE_MS, DIRECT_SILENCE_MS } from "../../../src/client/constants.ts";
import { type LocalNetwork, startNetwork } from "../../../scripts/local_network.ts";
import { DEFAULT_LIMITS } from "../../../src/protocol/mod.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const direct = {
  transport: weriftTransport({ hostAddresses: ["127.0.0.1"] }),
  threshold: 4,
  retryMs: 300,
};

async function framesIn(url: string): Promise<number> {
  let n = 0;
  for (const k of [0, 1]) n += (await (await fetch(`${url}/v1/shards/${k}/stats`)).json()).framesIn;
  return n;
}

/** Two peers that may go direct, and what the second receives. */
async function directPair(net: LocalNetwork, options = direct) {
  const alice = await connectPeer(net, { direct: options });
  const bob = await connectPeer(net, { direct: options });
  return { alice, bob, got: collect(bob) };
}

function collect(peer: EventTarget): PeerMessage[] {
  const got: PeerMessage[] = [];
  peer.addEventListener("message", (e) => got.push((e as CustomEvent<PeerMessage>).detail));
  return got;
}

Deno.test(
  "upgrade: past the threshold a pair goes direct, and the relay carries no payload",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      const { alice, bob, got } = await directPair(net);
      assertEquals(await alice.route(bob.peerId), "relay");
      for (let i = 0; i < 20; i++) alice.send(bob.peerId, `m${i}`);
      await waitUntil(() => alice.isDirect(bob.peerId) && bob.isDirect(alice.peerId), 20_000);
      assert(alice.isDirect(bob.peerId), "alice went direct");
      assertEquals(await alice.route(bob.peerId), "direct");
      await waitUntil(() => got.length === 20);
      const before = await framesIn(net.url);
      for (let i = 20; i < 70; i++) {
        alice.send(
          bob.peerId,
          i % 2 ? `m${i}` : new TextEncoder().encode(`m${i}`),
        );
      }
      await waitUntil(() => got.length === 70, 20_000);
      await new Promise((r) => setTimeout(r, 300)); // acknowledgements, if any went by relay
      assertEquals(await framesIn(net.url), before, "after the upgrade no frame reached the relay");
      assertEquals(
        got.map((m) => typeof m.data === "string" ? m.data : new TextDecoder().decode(m.data)),
        Array.from({ length: 70 }, (_, i) => `m${i}`),
      );
      assert(got.slice(20).every((m) => m.via === "direct"));
      assert(got.slice(0, 3).every((m) => m.via === "relay"));
      alice.close();
      bob.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "upgrade: a direct channel killed mid-stream falls back and comes back, nothing lost or doubled",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      const { alice, bob, got } = await directPair(net);
      for (let i = 0; i < 10; i++) alice.send(bob.peerId, `m${i}`);
      await waitUntil(() => alice.isDirect(bob.peerId), 20_000);
      let sent = 10;
      for (; sent < 300; sent++) {
        alice.send(bob.peerId, `m${sent}`);
        if (sent === 150) alice.dropDirect(bob.peerId); // the channel dies with messages in flight
        if (sent % 25 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await waitUntil(() => got.length >= 300, 15_000);
      await new Promise((r) => setTimeout(r, 300)); // time for a duplicate to show
      assertEquals(got.map((m) => m.data), Array.from({ length: 300 }, (_, i) => `m${i}`));
      assert(got.slice(151).some((m) => m.via === "relay"), "some fell back to the relay");
      // And later the pair goes direct again.
      await new Promise((r) => setTimeout(r, 400));
      for (let i = 0; i < 10; i++) alice.send(bob.peerId, `n${i}`);
      await waitUntil(() => alice.isDirect(bob.peerId), 20_000);
      assert(alice.isDirect(bob.peerId), "re-upgraded");
      for (let i = 10; i < 20; i++) alice.send(bob.peerId, `n${i}`);
      await waitUntil(() => got.length === 320, 20_000);
      assertEquals(
        got.slice(300).map((m) => m.data),
        Array.from({ length: 20 }, (_, i) => `n${i}`),
      );
      assert(got.slice(310).every((m) => m.via === "direct"));
      alice.close();
      bob.close();
    } finally {
      await net.dispose();
    }
  },
);

/** The transports a factory makes, each of which can go silent: nothing sent or heard. */
function silenceable(factory: (options: DirectTransportOptions) => DirectTransport) {
  const cuts: { cut: boolean }[] = [];
  const make = (options: DirectTransportOptions) => {
    const t = factory(options);
    const state = { cut: false };
    cuts.push(state);
    const send = t.send.bind(t);
    t.send = (data) => state.cut ? undefined : send(data);
    const joined = t.sendJoined?.bind(t);
    if (joined) t.sendJoined = (head, body) => state.cut ? undefined : joined(head, body);
    let handler: DirectTransport["onmessage"];
    Object.defineProperty(t, "onmessage", {
      get: () => handler,
      set: (h: DirectTransport["onmessage"]) =>
        handler = h && ((data) => state.cut ? undefined : h(data)),
    });
    return t;
  };
  return { make, silence: () => cuts.forEach((c) => c.cut = true) };
}

Deno.test(
  "upgrade: an idle channel stays; one that goes silent without closing is dropped, nothing lost",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      // The path dies as a NAT that dropped its mapping kills it: WebRTC sees nothing for 30 s.
      const paths = silenceable(direct.transport);
      const { alice, bob, got } = await directPair(net, { ...direct, transport: paths.make });
      for (let i = 0; i < 10; i++) alice.send(bob.peerId, `m${i}`);
      await waitUntil(() => alice.isDirect(bob.peerId) && bob.isDirect(alice.peerId), 20_000);
      await waitUntil(() => got.length === 10);
      // Idle past a keepalive and a silence window: pings answered, the channel stays.
      await new Promise((r) => setTimeout(r, DIRECT_KEEPALIVE_MS + DIRECT_SILENCE_MS + 1_500));
      assert(alice.isDirect(bob.peerId) && bob.isDirect(alice.peerId), "an idle channel stays");
      paths.silence();
      const cut = Date.now();
      for (let i = 10; i < 20; i++) alice.send(bob.peerId, `m${i}`); // lost on the channel
      await waitUntil(() => !alice.isDirect(bob.peerId) && !bob.isDirect(alice.peerId), 15_000);
      const noticed = Date.now() - cut;
      assert(noticed < DIRECT_SILENCE_MS + 3 * DIRECT_KEEPALIVE_MS, `noticed after ${noticed} ms`);
      await waitUntil(() => got.length === 20, 15_000);
      assertEquals(got.map((m) => m.data), Array.from({ length: 20 }, (_, i) => `m${i}`));
      assert(got.slice(10).every((m) => m.via === "relay"), "sent again by the relay");
      alice.close();
      bob.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "upgrade: sequenced messages the relay refused are sent again, each delivered once in order",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 2,
      // Four frames a second, and a burst of about two (one text request's price).
      limits: {
        RATE_LIMIT_FRAMES_PER_SECOND: 4 * DEFAULT_LIMITS.COST_RELAY_FRAME,
        RATE_LIMIT_BURST_FRAMES: DEFAULT_LIMITS.COST_REQUEST,
      },
    });
    try {
      // Direct never happens here (threshold 0, no request): the relay is the only path.
      const relayOnly = { ...direct, threshold: 0 };
      const { alice, bob, got } = await directPair(net, relayOnly);
      const refused: string[] = [];
      alice.addEventListener("error", (e) => refused.push((e as CustomEvent).detail.code));
      alice.send(bob.peerId, "m0");
      await waitUntil(() => got.length === 1, 20_000); // the pair's session is made
      // One message per turn, so one sealed frame each (a turn's messages would go as one).
      for (let i = 1; i < 30; i++) {
        alice.send(bob.peerId, `m${i}`);
        await new Promise((r) => setTimeout(r, 0));
      }
      await waitUntil(() => got.length === 30, 20_000);
      assert(refused.includes("RATE_LIMITED"), "the relay refused some at first");
      await new Promise((r) => setTimeout(r, 1_500)); // a needless resend would show up as a repeat
      assertEquals(got.map((m) => m.data), Array.from({ length: 30 }, (_, i) => `m${i}`));
      assert(got.every((m) => m.via === "relay"));
      alice.close();
      bob.close();
    } finally {
      await net.dispose();
    }
  },
);
