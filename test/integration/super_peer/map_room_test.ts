// The slot map on real workerd: shard 0 keeps it and publishes each new version, signed, to
// every shard; each shard writes down what it adopted, so that a restart does not fall back to
// the first map; the edge serves the keeper's map and routes hellos by it, and a shard handed a
// peer whose slot it gave away answers MOVED with the newer map.
import { Identity } from "../../../mod.ts";
import type { NetworkInfo } from "../../../src/protocol/mod.ts";
import { type SignedSlotMap, SlotMap, slotOf, verifySlotMap } from "../../../src/routing/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { handoffRequest } from "../../../workers/handoff.ts";
import { connectPeer } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function served(url: string): Promise<NetworkInfo> {
  return await (await fetch(`${url}/v1/network`)).json();
}

Deno.test(
  "map: published by shard 0, followed by every shard and the edge, kept across a restart",
  opts,
  async () => {
    const net = await startNetwork({ shards: 8 });
    try {
      const first = await served(net.url);
      assertEquals([first.slotMap?.version, first.shards], [1, 8]);
      const key = first.slotMap!.key;
      assert(await verifySlotMap(net.network, first.slotMap, key) instanceof SlotMap);

      // A new peer's slot goes to a ninth shard, which holds nothing yet.
      const identity = await Identity.generate();
      const slot = slotOf(identity.peerId);
      const from = slot % 8;
      const next = SlotMap.initial(8).assign(new Map([[slot, 8]]));
      const published = await net.callShard(0, "mapPublish", next.toJSON()) as {
        map: SignedSlotMap;
        unreached: number[];
      };
      assertEquals([published.map.version, published.unreached], [2, []]);
      assert(await verifySlotMap(net.network, published.map, key) instanceof SlotMap);
      // An old version again changes nothing anywhere.
      assertEquals(await net.callShard(3, "mapAdopt", first.slotMap), false);
      for (let k = 0; k < 9; k++) {
        const held = await net.callShard(k, "mapCurrent") as SignedSlotMap;
        assertEquals(held.version, 2, `shard ${k}`);
      }
      const now = await served(net.url);
      assertEquals([now.slotMap?.version, now.shards, now.shardKeys.length], [2, 9, 9]);
      assertEquals(now.slotMap?.moved, [[slot, 8]]);

      const peer = await connectPeer(net, { identity });
      assertEquals([peer.welcome?.shard, peer.welcome?.mapVersion, peer.welcome?.shards], [
        8,
        2,
        9,
      ]);
      // The new shard is a shard like the others: its routes answer, its blocks can be
      // watched, and the network's figures count it.
      assertEquals((await fetch(`${net.url}/v1/shards/8/stats`)).status, 200);
      assertEquals((await fetch(`${net.url}/v1/shards/9/stats`)).status, 404);
      assertEquals(await peer.ledger.watchBlocks(8), null); // watched: nothing sealed there yet
      const metrics = await (await fetch(`${net.url}/v1/metrics`)).text();
      assert(metrics.includes("superpeer_shards 9"), "the observer gathers 9 shards");
      assert(metrics.includes('superpeer_peers{shard="8"} 1'), "the peer is counted on shard 8");
      peer.close();

      // Restarted, every isolate starts at the first map; the shards read theirs back.
      await net.restart();
      const handoff = handoffRequest({
        peer: identity.peerId,
        nonce: "n",
        ts: Date.now(),
        address: "203.0.113.1",
        batch: false,
      });
      const headers = Object.fromEntries(handoff.headers);
      const moved = await net.callShard(from, "fetch", handoff.url, { headers }) as Response;
      assertEquals(moved.status, 421);
      const body = await moved.json();
      assertEquals([body.code, body.version, body.slotMap.version], ["MOVED", 2, 2]);
      assert(await verifySlotMap(net.network, body.slotMap, key) instanceof SlotMap);
      const again = await connectPeer(net, { identity });
      assertEquals([again.welcome?.shard, again.welcome?.mapVersion], [8, 2]);
      assertEquals((await served(net.url)).slotMap?.version, 2);
      again.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("map: only shard 0 publishes, and only the next version", opts, async () => {
  const net = await startNetwork({ shards: 4 });
  try {
    const next = SlotMap.initial(4).assign(new Map([[0, 4]]));
    const refused = async (
      shard: number,
      json: unknown,
    ) => (await net.callShard(shard, "mapPublish", json) as { code?: string; message?: string });
    const elsewhere = await refused(1, next.toJSON());
    assertEquals(elsewhere.code, "BAD_SLOT_MAP");
    assert(elsewhere.message?.includes("Only shard 0"));
    const skip = next.assign(new Map([[1, 4]])); // version 3 while 1 is current
    assert((await refused(0, skip.toJSON())).message?.includes("not the next"));
    assertEquals((await refused(0, { ...next.toJSON(), base: 3 })).code, "BAD_SLOT_MAP");
    assertEquals((await served(net.url)).slotMap?.version, 1);
  } finally {
    await net.dispose();
  }
});
