// File sharing over direct channels: two Deno peers with WebRTC (werift, loopback only) move
// pieces off the relay once their channel opens; a channel that dies mid-download leaves
// its unanswered requests to the relay, and the copy is exact.
import { PIECE_BYTES } from "../../../src/swarm/mod.ts";
import { weriftTransport } from "../../../src/client/direct/werift_transport.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const loopback = weriftTransport({ hostAddresses: ["127.0.0.1"] });

function content(bytes: number): Uint8Array {
  return new Uint8Array(bytes).map((_, i) => (Math.imul(i, 2654435761) >>> 9) & 255);
}

async function framesIn(url: string, shards: number): Promise<number> {
  let total = 0;
  for (let k = 0; k < shards; k++) {
    total += (await (await fetch(`${url}/v1/shards/${k}/stats`)).json()).framesIn;
  }
  return total;
}

Deno.test("swarm direct: pieces leave the relay once the pair's channel opens", opts, async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const direct = { transport: loopback, threshold: 4 };
    // 2 MiB/s: the channel opens while the first pieces still come by relay.
    const seeder = await connectPeer(net, { direct, swarm: { uploadBytesPerSecond: 2 << 20 } });
    const me = await connectPeer(net, { direct });
    const bytes = content(128 * PIECE_BYTES + 5);
    const id = await seeder.swarm.share(bytes);
    const got = await me.swarm.fetch(id);
    assertEquals(got, bytes);
    const { relay, direct: viaDirect } = me.swarm.downloaded;
    console.log(`swarm direct: ${viaDirect} B direct, ${relay} B by relay`);
    assertEquals(relay + viaDirect, bytes.length, "every piece once");
    // How much comes direct depends on how soon the channel opens on a busy machine (49% to
    // most of it here); that pieces move to it at all is the point, and the fetch below shows
    // that once direct the relay carries no piece.
    assert(viaDirect > 0, `pieces came direct once the channel opened (${viaDirect} B)`);
    // Once direct, fetching more costs the relay nothing per piece.
    const before = await framesIn(net.url, 2);
    const more = content(64 * PIECE_BYTES).reverse();
    const second = await seeder.swarm.share(more);
    assertEquals(await me.swarm.fetch(second), more);
    const after = await framesIn(net.url, 2);
    assert(after - before < 16, `${after - before} relay frames for 64 pieces: the control only`);
    for (const p of [seeder, me]) p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("swarm direct: a channel lost mid-download, the rest comes by relay", opts, async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const direct = { transport: loopback, threshold: 4, retryMs: 60_000 };
    const seeder = await connectPeer(net, { direct, swarm: { uploadBytesPerSecond: 1 << 20 } });
    const me = await connectPeer(net, { direct });
    const bytes = content(160 * PIECE_BYTES - 77);
    const id = await seeder.swarm.share(bytes);
    let dropped = false;
    const got = await me.swarm.fetch(id, {
      onProgress: () => {
        // Lost once it has carried pieces, whenever it opened: the rest must come by relay.
        if (!dropped && me.isDirect(seeder.peerId) && me.swarm.downloaded.direct > 0) {
          dropped = true;
          me.dropDirect(seeder.peerId);
        }
      },
    });
    assertEquals(got, bytes);
    assert(dropped, "the channel was open, then dropped");
    await waitUntil(() => !me.isDirect(seeder.peerId), 2_000);
    const { relay, direct: viaDirect } = me.swarm.downloaded;
    console.log(`swarm direct, dropped: ${viaDirect} B direct, ${relay} B by relay`);
    assert(viaDirect > 0 && relay > 0, "both paths carried pieces");
    for (const p of [seeder, me]) p.close();
  } finally {
    await net.dispose();
  }
});
