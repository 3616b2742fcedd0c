// Provider records at a content's home, on real workerd: recorded, sampled, renewed, dropped
// on unprovide, on expiry and when the provider is gone; bounded per peer, per content; bad
// ids and bitfields refused by code.
import { Identity, type ProtocolError } from "../../../../mod.ts";
import { PieceTree } from "../../../../src/swarm/mod.ts";
import type { Peer } from "../../../../src/client/mod.ts";
import { startNetwork } from "../../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../../support/peers.ts";
import { assert, assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

const content = (n: number) => PieceTree.of(new Uint8Array(40_000).fill(n)).id.text;

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    return (error as ProtocolError).code;
  }
  return "accepted";
}

const provide = (peer: Peer, root: string, have?: string) =>
  peer.request({ t: "provide", root, ...(have === undefined ? {} : { have }) });
const providers = (peer: Peer, root: string, count = 16) =>
  peer.request({ t: "providers", root, count });

Deno.test(
  "providers: recorded at the content's home, sampled, dropped on unprovide",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    try {
      const [seeder, partial, asker] = await Promise.all([
        connectPeer(net),
        connectPeer(net),
        connectPeer(net),
      ]);
      const root = content(1);
      const done = await provide(seeder, root);
      assert(done.expires > Date.now(), "recorded until some time ahead");
      // Three pieces, the first two held: "wA" is 0b11000000.
      await provide(partial, root, "wA");
      const found = await providers(asker, root);
      const byPeer = Object.fromEntries(found.providers.map((p) => [p.peer, p.pieces]));
      assertEquals(byPeer, { [seeder.peerId]: 3, [partial.peerId]: 2 });
      // `count` may be left out: up to MAX_PROVIDERS_PER_QUERY.
      const all = await asker.request({ t: "providers", root });
      assertEquals(all.providers.length, 2);
      assertEquals(
        (await providers(seeder, root)).providers.map((p) => p.peer),
        [partial.peerId],
        "never the asker",
      );
      await seeder.request({ t: "unprovide", root });
      assertEquals((await providers(asker, root)).providers.map((p) => p.peer), [partial.peerId]);
      assertEquals((await providers(asker, content(2))).providers, [], "no one provides it");
      for (const p of [seeder, partial, asker]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "providers: bad ids and bitfields are refused by code, nothing recorded",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      const peer = await connectPeer(net);
      const root = content(3);
      assertEquals(await refused(provide(peer, "abc")), "CONTENT_ID_MALFORMED");
      assertEquals(await refused(providers(peer, "ab".repeat(32) + ".-1")), "CONTENT_ID_MALFORMED");
      assertEquals(await refused(provide(peer, root, "////")), "BAD_REQUEST");
      assertEquals(await refused(provide(peer, root, "8A")), "BAD_REQUEST", "a spare bit set");
      assertEquals(await refused(provide(peer, root, "AAAA")), "BAD_REQUEST", "wrong length");
      const other = await connectPeer(net);
      assertEquals((await providers(other, root)).providers, []);
      peer.close();
      other.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "providers: bounded per peer and per content; a flood leaves those recorded",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 2,
      limits: { MAX_PROVIDES_PER_PEER: 2, MAX_PROVIDERS_PER_ROOT: 3 },
    });
    try {
      const peer = await connectPeer(net);
      await provide(peer, content(1));
      await provide(peer, content(2));
      await provide(peer, content(2)); // renewing is not a new one
      assertEquals(await refused(provide(peer, content(3))), "RESOURCE_LIMIT_EXCEEDED");
      await peer.request({ t: "unprovide", root: content(2) });
      await provide(peer, content(3));
      // Providers of one content: the first three recorded, the flood refused.
      const root = content(9);
      const crowd = await Promise.all(Array.from({ length: 6 }, () => connectPeer(net)));
      const outcomes = [];
      for (const p of crowd) outcomes.push(await refused(provide(p, root)));
      assertEquals(outcomes, [
        "accepted",
        "accepted",
        "accepted",
        ...Array(3).fill("RESOURCE_LIMIT_EXCEEDED"),
      ]);
      const seen = (await providers(peer, root)).providers.map((p) => p.peer).sort();
      assertEquals(seen, crowd.slice(0, 3).map((p) => p.peerId).sort());
      for (const p of [peer, ...crowd]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "providers: a record not renewed expires",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 4,
      limits: { PROVIDER_TTL_MS: 1_000, PRESENCE_TIMEOUT_MS: 2_000 },
    });
    try {
      const asker = await connectPeer(net);
      const lapsing = await connectPeer(net);
      await provide(lapsing, content(1));
      assertEquals((await providers(asker, content(1))).providers.length, 1);
      await waitUntil(
        async () => (await providers(asker, content(1))).providers.length === 0,
        5_000,
      );
      assertEquals((await providers(asker, content(1))).providers.length, 0, "expired");
      asker.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("providers: a provider gone past the presence timeout is dropped", opts, async () => {
  // Records live two minutes; the provider's leave past the timeout is what drops this one:
  // back after that, it is not offered (while back within it, it is: the test below).
  const net = await startNetwork({ shards: 4, limits: { PRESENCE_TIMEOUT_MS: 2_000 } });
  try {
    const asker = await connectPeer(net);
    const identity = await Identity.generate();
    const leaving = await connectPeer(net, { identity });
    const root = content(2);
    await provide(leaving, root);
    assertEquals((await providers(asker, root)).providers.length, 1);
    leaving.close();
    await new Promise((r) => setTimeout(r, 4_000));
    const back = await connectPeer(net, { identity });
    await provide(back, content(6)); // a round trip after its connect's work
    assertEquals((await providers(asker, root)).providers, [], "dropped, not only away");
    back.close();
    asker.close();
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "providers: one whose socket closed is not offered, and is again once it is back",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    try {
      const asker = await connectPeer(net);
      const identity = await Identity.generate();
      const provider = await connectPeer(net, { identity });
      const root = content(5);
      await provide(provider, root);
      assertEquals((await providers(asker, root)).providers.map((p) => p.peer), [identity.peerId]);
      provider.close();
      await waitUntil(async () => (await providers(asker, root)).providers.length === 0, 5_000);
      assertEquals((await providers(asker, root)).providers, [], "away: not offered");
      const back = await connectPeer(net, { identity });
      await waitUntil(async () => (await providers(asker, root)).providers.length === 1, 5_000);
      assertEquals((await providers(asker, root)).providers.map((p) => p.peer), [identity.peerId]);
      back.close();
      asker.close();
    } finally {
      await net.dispose();
    }
  },
);
