/**
 * Pub/sub fan-out: publishes to 1,000 subscribers spread over the shards, beside a bare
 * Durable Object that broadcasts to 1,000 sockets, in interleaved rounds.
 *
 * @module
 */
import { Miniflare } from "miniflare";
import { Identity } from "../../src/identity/mod.ts";
import { connectUrl, signHello } from "../../src/protocol/mod.ts";
import { startNetwork } from "../local_network.ts";
import { bareObjectOptions } from "./bare_object.ts";
import { type SectionResult, UNTHROTTLED } from "./common.ts";
import { openSockets } from "./sockets.ts";

const SUBSCRIBERS = 1_000;
const PUBLISHES = 20;
const SHARDS = 8;
const DATA = "x".repeat(64);

/** Sends `PUBLISHES` messages; resolves with deliveries per second once all have arrived. */
function round(
  publisher: WebSocket,
  subscribers: WebSocket[],
  message: (i: number) => string,
): Promise<number> {
  const expected = PUBLISHES * subscribers.length;
  let received = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Timed out: ${received} of ${expected} delivered`)),
      120_000,
    );
    const start = performance.now();
    const on = (event: MessageEvent) => {
      if (typeof event.data !== "string" || event.data === "pong") return;
      if (++received < expected) return;
      clearTimeout(timer);
      for (const ws of subscribers) ws.onmessage = null;
      resolve(expected / ((performance.now() - start) / 1000));
    };
    for (const ws of subscribers) ws.onmessage = on;
    for (let i = 0; i < PUBLISHES; i++) publisher.send(message(i));
  });
}

/**
 * Runs the pub/sub section.
 *
 * @param rounds Rounds after the warm-up.
 * @returns The samples.
 */
export async function pubsubBench(rounds: number): Promise<SectionResult> {
  const net = await startNetwork({ shards: SHARDS, network: "bench", limits: UNTHROTTLED });
  const bare = new Miniflare(bareObjectOptions("bare_broadcast.js", "BARE", "BareBroadcast"));
  const bareUrl = (await bare.ready).toString().replace(/^http/, "ws");
  const samples: Record<string, number[]> = { "pubsub.fanout": [], "pubsub.bare_do": [] };
  try {
    const url = net.url.replace("http:", "ws:");
    const hello = async () =>
      connectUrl(url, await signHello(await Identity.generate(), "bench", url));
    const subs = await openSockets(
      SUBSCRIBERS,
      hello,
      (ws) => ws.send(JSON.stringify({ t: "sub", id: 1, topic: "bench" })),
      (text) => text.includes("sub.result"),
    );
    const [publisher] = await openSockets(1, hello);
    const bareSubs = await openSockets(SUBSCRIBERS, () => Promise.resolve(bareUrl));
    const [barePublisher] = await openSockets(1, () => Promise.resolve(bareUrl));
    let n = 0;
    const ours = () =>
      round(
        publisher,
        subs,
        (i) => JSON.stringify({ t: "pub", id: i, topic: "bench", n: ++n, data: DATA }),
      );
    // The bare object sends what the topic's subscribers get: the same text, the same size.
    const text = JSON.stringify({
      t: "topic",
      topic: "bench",
      from: "x".repeat(47),
      n: 1,
      data: DATA,
    });
    const theirs = () => round(barePublisher, bareSubs, () => text);
    await ours();
    await theirs();
    for (let r = 0; r < rounds; r++) {
      const a = await ours();
      const b = await theirs();
      samples["pubsub.fanout"].push(a);
      samples["pubsub.bare_do"].push(b);
      console.log(
        `round ${r + 1}: fan-out ${Math.round(a)} deliveries/s, bare ${Math.round(b)} deliveries/s`,
      );
    }
    for (const ws of [...subs, publisher, ...bareSubs, barePublisher]) ws.close();
  } finally {
    await net.dispose();
    await bare.dispose();
  }
  return {
    title: "Pub/sub fan-out",
    method: [
      `A round publishes ${PUBLISHES} messages of ${DATA.length} bytes, back to back, on one topic`,
      `with ${SUBSCRIBERS} subscribers whose homes are spread over ${SHARDS} shards; the rate is`,
      "deliveries (messages received by subscribers) per second, from the first publish to the last",
      `delivery. The baseline is one bare Durable Object holding ${SUBSCRIBERS} hibernating sockets`,
      "that sends each message it gets to all of them (from an array it keeps, no lookups), the",
      "same text, in the same run; one Deno process holds all the subscribers of both and counts",
      "what arrives. All the shards share one workerd process here, so the path (publisher's",
      "home, topic's home, one call per subscribing shard, a loop over that shard's subscribers)",
      "is measured against a single loop on one machine, not the spread of a real deployment.",
    ].join(" "),
    samples,
    entries: [
      {
        name: "pubsub.fanout",
        unit: "deliveries/s",
        what: `one topic, ${SUBSCRIBERS} subscribers on ${SHARDS} shards`,
        baseline: "pubsub.bare_do",
        target: ">= 0.8",
      },
      {
        name: "pubsub.bare_do",
        unit: "deliveries/s",
        what: `bare Durable Object broadcast to ${SUBSCRIBERS} sockets`,
        baseline: null,
      },
    ],
  };
}
