// The fan-out of a topic's home keeps each publisher's order to every subscribing shard even
// when a message cannot leave at once: with the queue to a shard held to a few frames, a
// burst of publishes overflows it, and what waits in the outbox must still go before what
// comes after. A client drops a message whose number is below one it already delivered, so
// one overtaken message is one lost: every publish the network acknowledged must arrive.
import type { Peer, TopicEvent } from "../../../../mod.ts";
import { shardOf } from "../../../../src/routing/mod.ts";
import { startNetwork } from "../../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, waitUntil } from "../../../support/peers.ts";
import { assert, assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SHARDS = 2;
const TOPIC = "burst";
const PUBLISHERS = 3;
const EACH = 80;

Deno.test(
  "fan-out: messages that overflow the queue to a shard wait their turn, none overtaken",
  opts,
  async () => {
    const net = await startNetwork({
      shards: SHARDS,
      limits: { MAX_SHARD_QUEUE_FRAMES: 4, RATE_LIMIT_FRAMES_PER_SECOND: 10_000 },
    });
    try {
      const home = shardOf(TOPIC, SHARDS);
      // The subscriber away from the topic's home: every message crosses the fan-out queue.
      const sub = await connectPeer(net, { identity: await identityOnShard(1 - home, SHARDS) });
      const got: TopicEvent[] = [];
      sub.addEventListener("topic", (e) => got.push((e as CustomEvent<TopicEvent>).detail));
      await sub.subscribe(TOPIC);
      const publishers: Peer[] = await Promise.all(
        Array.from(
          { length: PUBLISHERS },
          async () => connectPeer(net, { identity: await identityOnShard(home, SHARDS) }),
        ),
      );
      const acked: string[] = [];
      // All at once: the home takes them in batches, many more than the queue holds.
      await Promise.all(
        publishers.flatMap((p) =>
          Array.from(
            { length: EACH },
            (_, i) =>
              p.publish(TOPIC, `m${i}`).then((n) => acked.push(`${p.peerId} ${n}`), () => {}),
          )
        ),
      );
      assert(acked.length > 4 * PUBLISHERS, `${acked.length} publishes acknowledged`);
      const keys = () => new Set(got.map((m) => `${m.from} ${m.n}`));
      await waitUntil(() => acked.every((k) => keys().has(k)), 20_000).catch(() => {});
      const missing = acked.filter((k) => !keys().has(k));
      assertEquals(missing.length, 0, `${missing.length} of ${acked.length} acknowledged missing`);
      for (const p of publishers) {
        const ns = got.filter((m) => m.from === p.peerId).map((m) => m.n);
        assertEquals(ns, [...ns].sort((a, b) => a - b), "each publisher's order kept");
      }
      console.log(`fan-out: ${acked.length} acknowledged, ${got.length} delivered, in order`);
      for (const p of [sub, ...publishers]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "fan-out: a shard's subscribers coming and going at once never leave it unregistered",
  opts,
  async () => {
    const net = await startNetwork({
      shards: SHARDS,
      limits: { RATE_LIMIT_FRAMES_PER_SECOND: 10_000 },
    });
    try {
      const home = shardOf(TOPIC, SHARDS);
      const away = 1 - home;
      // Two subscribers on one shard hand the topic back and forth: the shard's count goes
      // 1 → 0 → 1 while messages for it are on their way, and its calls to the home race.
      const [a, b] = await Promise.all(
        [0, 1].map(async () => connectPeer(net, { identity: await identityOnShard(away, SHARDS) })),
      );
      const pub = await connectPeer(net, { identity: await identityOnShard(home, SHARDS) });
      let stop = false;
      const publishing = (async () => {
        while (!stop) {
          await pub.publish(TOPIC, "noise").catch(() => {});
        }
      })();
      await a.subscribe(TOPIC);
      for (let i = 0; i < 40; i++) {
        const [from, to] = i % 2 ? [b, a] : [a, b];
        await Promise.all([from.unsubscribe(TOPIC), to.subscribe(TOPIC)]);
      }
      stop = true;
      await publishing;
      // a holds the topic now (the last hand-off went b → a): it must hear what comes next.
      const heard: string[] = [];
      a.addEventListener(
        "topic",
        (e) => heard.push(String((e as CustomEvent<TopicEvent>).detail.data)),
      );
      for (let i = 0; i < 3; i++) await pub.publish(TOPIC, `after${i}`);
      await waitUntil(() => heard.filter((d) => d.startsWith("after")).length === 3, 5_000)
        .catch(() => {});
      assertEquals(heard.filter((d) => d.startsWith("after")), ["after0", "after1", "after2"]);
      for (const p of [a, b, pub]) p.close();
    } finally {
      await net.dispose();
    }
  },
);
