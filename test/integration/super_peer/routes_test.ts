// Route reports on real workerd: a peer's `routes` report is summed into its home's figures and
// metrics, its TURN bytes count against its quota, and past the quota it is refused
// `TURN_QUOTA_EXCEEDED` and its next welcome carries no TURN credential.
import { startNetwork } from "../../../scripts/local_network.ts";
import { Identity, type ProtocolError } from "../../../mod.ts";
import type { StatsAnswer } from "../../../src/protocol/mod.ts";
import { shardOf } from "../../../src/routing/mod.ts";
import { assert, assertEquals, assertRejects } from "../../support/assert.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const TURN_URL = "turn:127.0.0.1:3478?transport=udp";

Deno.test(
  "routes: reports are summed, TURN bytes spend a quota, past it no credential",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 2,
      limits: { TURN_QUOTA_BYTES: 10_000, TURN_QUOTA_WINDOW_MS: 600_000 },
      vars: { TURN_SECRET: "turn-secret-for-the-tests", TURN_URLS: TURN_URL },
    });
    try {
      const identity = await Identity.generate();
      const home = shardOf(identity.peerId, 2);
      const stats = async () =>
        await (await fetch(`${net.url}/v1/shards/${home}/stats`)).json() as StatsAnswer;
      const peer = await connectPeer(net, { identity });
      const isTurn = (s: { urls: string | string[] }) => [s.urls].flat().includes(TURN_URL);
      assert(peer.welcome!.iceServers?.some(isTurn), "a TURN credential at first");
      const first = await peer.request({
        t: "routes",
        direct: 2,
        turn: 1,
        relay: 3,
        turnBytes: 4_000,
      });
      assertEquals(first.turnLeft, 6_000);
      assert(first.windowEnds > Date.now() + 500_000, `window ends ${first.windowEnds}`);
      const figures = await stats();
      assertEquals(figures.routes, { direct: 2, turn: 1, relay: 3 });
      assertEquals([figures.turnBytes, figures.turnPeers, figures.turnPeerMaxBytes], [
        4_000,
        1,
        4_000,
      ]);
      const metrics = await (await fetch(`${net.url}/v1/metrics`)).text();
      for (
        const line of [
          `superpeer_pairs{shard="${home}",route="direct"} 2`,
          `superpeer_pairs{shard="${home}",route="relay"} 3`,
          `superpeer_turn_bytes_total{shard="${home}"} 4000`,
        ]
      ) assert(metrics.includes(line), `${line} in\n${metrics.slice(0, 3_000)}`);
      // A count past ROUTES_MAX_PAIRS: refused, nothing counted; a fraction does not parse.
      const bad = await assertRejects(
        peer.request({ t: "routes", direct: 1_025, turn: 0, relay: 0, turnBytes: 9_000 }),
      ) as ProtocolError;
      assertEquals(bad.code, "BAD_REQUEST");
      const odd = await assertRejects(
        peer.request({ t: "routes", direct: 0.5, turn: 0, relay: 0, turnBytes: 0 }),
      ) as ProtocolError;
      assertEquals(odd.code, "BAD_FRAME");
      assertEquals((await stats()).routes, { direct: 2, turn: 1, relay: 3 });
      // Past the quota: counted, refused with the window's end, and no credential any more.
      const over = await assertRejects(
        peer.request({ t: "routes", direct: 0, turn: 1, relay: 0, turnBytes: 7_000 }),
      ) as ProtocolError;
      assertEquals(over.code, "TURN_QUOTA_EXCEEDED");
      assert(over.retryAfter! > 500_000 && over.retryAfter! <= 600_000, `${over.retryAfter}`);
      assertEquals((await stats()).turnPeerMaxBytes, 11_000);
      // A report of no new bytes is not refused: only new use is.
      const none = await peer.request({ t: "routes", direct: 1, turn: 0, relay: 0, turnBytes: 0 });
      assertEquals(none.turnLeft, 0);
      await peer.close();
      // Its pairs leave the sums with it; its quota stays with its budget, across reconnects.
      await waitUntil(async () => (await stats()).routes.turn === 0, 5_000);
      assertEquals((await stats()).routes, { direct: 0, turn: 0, relay: 0 });
      const again = await connectPeer(net, { identity });
      assert(!again.welcome!.iceServers?.some(isTurn), JSON.stringify(again.welcome!.iceServers));
      await again.close();
      const other = await connectPeer(net);
      assert(other.welcome!.iceServers?.some(isTurn), "another peer still gets one");
      await other.close();
    } finally {
      await net.dispose();
    }
  },
);
