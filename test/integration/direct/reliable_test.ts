// Reliable relay-only pairs on real workerd: stamped messages sent again until acknowledged,
// delivered once and in order across a receiver that was offline and restarts of either side.
import { Identity, type Peer, type PeerMessage } from "../../../mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";
import { assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

function texts(peer: Peer): string[] {
  const got: string[] = [];
  peer.addEventListener(
    "message",
    (e) => got.push(String((e as CustomEvent<PeerMessage>).detail.data)),
  );
  return got;
}

const range = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

Deno.test(
  "reliable: messages to a peer not yet connected arrive once, in order, when it comes",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      const alice = await connectPeer(net, { reliable: true });
      const bobId = await Identity.generate();
      for (const m of range("m", 20)) alice.send(bobId.peerId, m);
      await new Promise((r) => setTimeout(r, 300)); // refused: bob is offline
      const bob = await connectPeer(net, { identity: bobId });
      const got = texts(bob);
      // Sent again after 1 s, then 2 s, 4 s, … while unacknowledged.
      await waitUntil(() => got.length >= 20, 15_000);
      await new Promise((r) => setTimeout(r, 1_500));
      assertEquals(got, range("m", 20));
      for (const p of [alice, bob]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "reliable: a sender that restarts starts a new epoch, and its messages are not taken as repeats",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      const aliceId = await Identity.generate();
      const bob = await connectPeer(net);
      const got = texts(bob);
      const first = await connectPeer(net, { identity: aliceId, reliable: true });
      for (const m of range("a", 50)) first.send(bob.peerId, m);
      await waitUntil(() => got.length === 50);
      first.close();
      // The same peer, restarted: its numbers start again at 1.
      const second = await connectPeer(net, { identity: aliceId, reliable: true });
      for (const m of range("b", 10)) second.send(bob.peerId, m);
      await waitUntil(() => got.length === 60);
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(got, [...range("a", 50), ...range("b", 10)]);
      for (const p of [second, bob]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "reliable: a receiver that restarts takes up from the sender's floor, with no stall",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      const bobId = await Identity.generate();
      const alice = await connectPeer(net, { reliable: true });
      const before = await connectPeer(net, { identity: bobId });
      const gotBefore = texts(before);
      for (const m of range("a", 50)) alice.send(bobId.peerId, m);
      await waitUntil(() => gotBefore.length === 50);
      await new Promise((r) => setTimeout(r, 300)); // acknowledged
      before.close();
      // Restarted: it knows nothing of numbers 1 to 50, and must not wait for them.
      const after = await connectPeer(net, { identity: bobId });
      const gotAfter = texts(after);
      for (const m of range("b", 10)) alice.send(bobId.peerId, m);
      await waitUntil(() => gotAfter.length === 10);
      await new Promise((r) => setTimeout(r, 300));
      assertEquals(gotBefore, range("a", 50));
      assertEquals(gotAfter, range("b", 10));
      for (const p of [alice, after]) p.close();
    } finally {
      await net.dispose();
    }
  },
);
