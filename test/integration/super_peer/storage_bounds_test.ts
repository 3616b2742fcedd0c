// Tables that grow with input stay within their bounds, read straight from the super-peers'
// SQLite files on disk after real traffic on workerd.
import { DatabaseSync } from "node:sqlite";
import { Identity } from "../../../mod.ts";
import { type LocalNetwork, startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, openBareSocket, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function count(dir: string, table: string): Promise<number> {
  let total = 0;
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) total += await count(path, table);
    else if (entry.name.endsWith(".sqlite") && entry.name !== "metadata.sqlite") {
      const db = new DatabaseSync(path, { readOnly: true });
      try {
        const row = db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number };
        total += row.n;
      } catch {
        // This object never made the table.
      } finally {
        db.close();
      }
    }
  }
  return total;
}

/**
 * Runs traffic on a one-shard network whose state is kept on disk, then counts a table's rows
 * in the files it left.
 */
async function rowsAfter(
  table: string,
  limits: Record<string, number>,
  traffic: (net: LocalNetwork) => Promise<void>,
): Promise<number> {
  const persistDir = await Deno.makeTempDir({ prefix: "superpeer-bounds-" });
  try {
    const net = await startNetwork({ shards: 1, persistDir, limits });
    try {
      await traffic(net);
    } finally {
      await net.dispose();
    }
    return await count(persistDir, table);
  } finally {
    await Deno.remove(persistDir, { recursive: true });
  }
}

Deno.test(
  "storage bounds: publishers' numbers on new topics stay within the shard's bound",
  opts,
  async () => {
    const rows = await rowsAfter(
      "topic_seen",
      { MAX_TOPIC_PUBLISHERS_PER_SHARD: 10 },
      async (net) => {
        const peer = await connectPeer(net);
        for (let i = 0; i < 30; i++) await peer.publish(`topic-${i}`, "x");
        peer.close();
      },
    );
    assertEquals(rows, 10);
  },
);

Deno.test(
  "storage bounds: a peer's budget row goes once its buckets are full again",
  opts,
  async () => {
    let during = 0;
    // A sweep every 1.2 s while the gone peer is within its timeout; buckets that take 1.6 s
    // to refill what a `peers` request costs.
    const limits = {
      PRESENCE_TIMEOUT_MS: 6_000,
      RATE_LIMIT_FRAMES_PER_SECOND: 20,
      RATE_LIMIT_BURST_FRAMES: 40,
      RELAY_QUOTA_WINDOW_MS: 200,
    };
    const rows = await rowsAfter("peer_budget", limits, async (net) => {
      const heard: string[] = [];
      const ws = await openBareSocket(net, await Identity.generate(), heard);
      await waitUntil(() => heard.length >= 1);
      ws.send(JSON.stringify({ t: "peers", id: 1, count: 1 }));
      await waitUntil(() => heard.length >= 2);
      ws.close();
      await new Promise((r) => setTimeout(r, 300));
      during = await count(net.persistDir, "peer_budget");
      // Full again after 1.6 s; the next sweep deletes the row.
      await new Promise((r) => setTimeout(r, 3_500));
    });
    assert(during >= 1, "the spending was written down");
    assertEquals(rows, 0);
  },
);

Deno.test(
  "storage bounds: topic messages every subscriber acknowledged leave the backlog at the next sweep",
  opts,
  async () => {
    let during = 0;
    // A sweep every second while a socket is open.
    const limits = { PRESENCE_TIMEOUT_MS: 5_000 };
    const rows = await rowsAfter("topic_backlog", limits, async (net) => {
      const heard: string[] = [];
      const ws = await openBareSocket(net, await Identity.generate(), heard);
      ws.send(JSON.stringify({ t: "sub", id: 1, topic: "t" }));
      await waitUntil(() => heard.some((h) => h.includes("sub.result")));
      const publisher = await connectPeer(net);
      for (let i = 0; i < 20; i++) await publisher.publish("t", `m${i}`);
      const seqs = () =>
        heard.map((h) => JSON.parse(h)).filter((m) => m.t === "topic").map((m) => m.seq);
      await waitUntil(() => seqs().length >= 20);
      during = await count(net.persistDir, "topic_backlog");
      ws.send(JSON.stringify({ t: "topic.ack", seq: Math.max(...seqs()) }));
      await waitUntil(async () => await count(net.persistDir, "topic_backlog") === 0, 4_000);
      ws.close();
      publisher.close();
    });
    assertEquals(during, 20, "kept until acknowledged");
    assertEquals(rows, 0);
  },
);
