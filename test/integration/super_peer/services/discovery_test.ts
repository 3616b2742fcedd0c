// Discovery asks only the shards with peers online: a lone peer on a large network is found
// every time, at a bounded cost, and a shard whose peers all left is no longer asked.
import type { StatsAnswer } from "../../../../src/protocol/mod.ts";
import { startNetwork } from "../../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, waitUntil } from "../../../support/peers.ts";
import { assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "discovery: on 64 shards, with 8 asked per query, two lone peers find each other every time",
  opts,
  async () => {
    const shards = 64;
    const net = await startNetwork({ shards });
    try {
      const alice = await connectPeer(net, { identity: await identityOnShard(3, shards) });
      const bob = await connectPeer(net, { identity: await identityOnShard(41, shards) });
      // The shards tell the list's home as their first peer connects (after the welcome).
      await waitUntil(async () => (await alice.findPeers({ count: 4 })).length === 1);
      let found = 0;
      for (let i = 0; i < 20; i++) {
        const peers = await alice.findPeers({ count: 4 });
        if (peers.length === 1 && peers[0].peer === bob.peerId) found++;
      }
      assertEquals(found, 20, "bob found by every query");
      console.log(`discovery: 64 shards, 2 peers online: found in ${found} of 20 queries`);
      // Bob leaves: his shard has no one left and drops off the list.
      bob.close();
      await waitUntil(async () => (await alice.findPeers({ count: 4 })).length === 0);
      assertEquals(await alice.findPeers({ count: 4 }), []);
      alice.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "discovery: a shard restarted with no sockets takes itself off the list",
  opts,
  async () => {
    const shards = 16;
    const net = await startNetwork({ shards });
    try {
      const alice = await connectPeer(net, { identity: await identityOnShard(2, shards) });
      // Bob, on shard 9, does not come back after the restart.
      await connectPeer(net, {
        identity: await identityOnShard(9, shards),
        reconnect: false,
      });
      await waitUntil(async () => (await alice.findPeers({ count: 4 })).length === 1);
      const occupied = async (k: number) =>
        ((await (await fetch(`${net.url}/v1/shards/${k}/stats`)).json()) as StatsAnswer).occupied;
      assertEquals([await occupied(2), await occupied(9)], [true, true]);
      // Every super-peer restarts; bob does not come back, alice does. Bob's shard never heard
      // him leave: on its next wake it finds no socket and takes itself off the list.
      const reopened = new Promise((r) => alice.addEventListener("open", r, { once: true }));
      await net.restart();
      await reopened;
      await waitUntil(async () => !await occupied(9), 10_000);
      assertEquals([await occupied(2), await occupied(9)], [true, false]);
      assertEquals(await alice.findPeers({ count: 4 }), []);
      alice.close();
    } finally {
      await net.dispose();
    }
  },
);
