// Admission on real workerd: every frame, text or binary, is charged by its cost against
// buckets that belong to the peer, not to a connection, and that a reconnect or a restart of
// the super-peer does not refill.
import { Identity } from "../../../mod.ts";
import { DEFAULT_LIMITS, encodeFrame, FRAME_SEND } from "../../../src/protocol/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { shardBusyWait } from "../../../workers/super_peer/admission.ts";
import { openBareSocket, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const { COST_REQUEST, COST_RELAY_FRAME, COST_TX, COST_PER_TRANSFER } = DEFAULT_LIMITS;
// Small buckets, refilling slowly, so that a test sees them run out and stay out: room for 40
// relayed frames.
const BURST = 40 * COST_RELAY_FRAME;
const limits = {
  RATE_LIMIT_FRAMES_PER_SECOND: 1,
  RATE_LIMIT_BURST_FRAMES: BURST,
  PRESENCE_TIMEOUT_MS: 600_000,
};

type Reply = { t: string; code?: string; id?: number; retryAfter?: number; seq?: number };

async function bare(net: Awaited<ReturnType<typeof startNetwork>>, identity: Identity) {
  const heard: string[] = [];
  const ws = await openBareSocket(net, identity, heard);
  await waitUntil(() => heard.length >= 1);
  const replies = () => heard.slice(1).map((t) => JSON.parse(t) as Reply);
  return { ws, replies };
}

/** Sends `n` text frames that are not JSON and waits for as many replies. */
async function junk(peer: Awaited<ReturnType<typeof bare>>, n: number): Promise<Reply[]> {
  const before = peer.replies().length;
  for (let i = 0; i < n; i++) peer.ws.send("not json");
  await waitUntil(() => peer.replies().length >= before + n);
  return peer.replies();
}

Deno.test(
  "admission: text frames are charged too, junk included, with retryAfter",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1, limits });
    try {
      const { ws, replies } = await bare(net, await Identity.generate());
      // As many text frames as the burst holds pass (COST_REQUEST each); 20 more are refused.
      const admitted = Math.floor(BURST / COST_REQUEST);
      for (let i = 0; i < admitted + 20; i++) {
        ws.send(
          i % 2 ? "not json" : JSON.stringify({ t: "nope", id: i }),
        );
      }
      await waitUntil(() => replies().length >= admitted + 20);
      const codes = replies().map((r) => r.code);
      assertEquals(codes.filter((c) => c === "RATE_LIMITED").length, 20);
      const limited = replies().filter((r) => r.code === "RATE_LIMITED");
      assert(limited.every((r) => typeof r.retryAfter === "number" && r.retryAfter > 0));
      ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "admission: a tx is charged per transfer before any signature is checked",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1, limits });
    try {
      const { ws, replies } = await bare(net, await Identity.generate());
      // COST_TX and COST_PER_TRANSFER each: enough forged transfers to be over the burst.
      const forged = { network: "test", from: "x", to: "y", amount: "1", nonce: 1, sig: "z" };
      const over = Math.ceil((BURST - COST_TX) / COST_PER_TRANSFER) + 1;
      ws.send(JSON.stringify({ t: "tx", id: 7, txs: Array(over).fill(forged) }));
      await waitUntil(() => replies().length >= 1);
      assertEquals([replies()[0].code, replies()[0].id], ["RATE_LIMITED", 7]);
      ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "admission: the buckets belong to the peer: a reconnect and a restart do not refill them",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1, limits });
    try {
      const me = await Identity.generate();
      const other = await Identity.generate();
      let { ws, replies } = await bare(net, me);
      const spend = (n: number) => {
        for (let i = 0; i < n; i++) ws.send(encodeFrame(FRAME_SEND, other.peerId, i, "x"));
      };
      spend(40);
      await waitUntil(() => replies().length >= 40);
      assert(replies().every((r) => r.code === "PEER_NOT_FOUND"), "40 frames admitted");
      ws.close();
      // A new connection of the same peer: still spent.
      ({ ws, replies } = await bare(net, me));
      spend(5);
      await waitUntil(() => replies().length >= 5);
      assertEquals(replies().filter((r) => r.code === "RATE_LIMITED").length >= 4, true);
      ws.close();
      await new Promise((r) => setTimeout(r, 400)); // written down within BUDGET_FLUSH_MS
      // The super-peer restarts: still spent.
      await net.restart();
      ({ ws, replies } = await bare(net, me));
      spend(5);
      await waitUntil(() => replies().length >= 5);
      assertEquals(replies().filter((r) => r.code === "RATE_LIMITED").length >= 4, true);
      ws.close();
      // Another peer has its own, full buckets.
      const fresh = await bare(net, other);
      fresh.ws.send(encodeFrame(FRAME_SEND, me.peerId, 1, "x"));
      await waitUntil(() => fresh.replies().length >= 1);
      assertEquals(fresh.replies()[0].code, "PEER_NOT_FOUND");
      fresh.ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "admission: the peers of one client address share its bucket at a shard",
  opts,
  async () => {
    // Each peer could send a hundred text frames; the address, all of them together, ten.
    const net = await startNetwork({
      shards: 1,
      limits: {
        ...limits,
        RATE_LIMIT_BURST_FRAMES: 100 * COST_REQUEST,
        ADDRESS_UNITS_PER_SECOND: 1,
        ADDRESS_BURST_UNITS: 10 * COST_REQUEST,
      },
    });
    try {
      const peers = await Promise.all(
        Array.from({ length: 5 }, async () => bare(net, await Identity.generate())),
      );
      // Five new ids, four text frames each: 20 frames from one address.
      await Promise.all(peers.map((p) => junk(p, 4)));
      const all = peers.flatMap((p) => p.replies());
      const limited = all.filter((r) => r.code === "RATE_LIMITED");
      // Ten pass; the other ten are refused, whichever id sent them.
      assertEquals(limited.length, 10);
      assert(limited.every((r) => typeof r.retryAfter === "number" && r.retryAfter > 0));
      for (const { ws } of peers) ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "admission: a mail.ack pays by its ids, before any is deleted",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1, limits });
    try {
      const { ws, replies } = await bare(net, await Identity.generate());
      // Priced whole, three would pass (3 COST_REQUEST are far under the burst); by their ids
      // (each 4 begun), the third does not.
      const mids = Array.from({ length: 1_024 }, (_, i) => `m${i}`);
      assert(BURST < 3 * (COST_REQUEST + 256 * DEFAULT_LIMITS.COST_MAIL_ACK_IDS) + 34);
      ws.send(JSON.stringify({ t: "mail.ack", mids: ["one"] }));
      for (let i = 0; i < 3; i++) ws.send(JSON.stringify({ t: "mail.ack", mids }));
      await waitUntil(() => replies().length >= 1);
      await new Promise((r) => setTimeout(r, 300));
      // The third big one refused; the others (no answer when admitted) are not.
      assertEquals(replies().map((r) => r.code), ["RATE_LIMITED"]);
      ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "admission: past the shard's budget the heavy spenders wait, a light one passes",
  opts,
  async () => {
    // Room in the shard for ten text frames; each peer could send a hundred on its own.
    const net = await startNetwork({
      shards: 1,
      limits: {
        ...limits,
        RATE_LIMIT_BURST_FRAMES: 100 * COST_REQUEST,
        SHARD_UNITS_PER_SECOND: 1,
        SHARD_BURST_UNITS: 10 * COST_REQUEST,
      },
    });
    try {
      const heavy = await bare(net, await Identity.generate());
      const busy = (await junk(heavy, 60)).filter((r) => r.code === "RATE_LIMITED");
      // The shard's ten pass; past them it waits, having spent a tenth of its own burst.
      assertEquals(busy.length, 50);
      const light = await bare(net, await Identity.generate());
      assertEquals((await junk(light, 5)).filter((r) => r.code === "RATE_LIMITED").length, 0);
      heavy.ws.close();
      light.ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "admission: a heavy spender the busy shard refuses is told to wait a tenth of its burst",
  opts,
  async () => {
    // One request fits again after COST_REQUEST / 100 s; the shard regains a tenth of its
    // burst (4 requests' worth) only after four times that, and that is the wait it tells.
    const shardLimits = {
      ...limits,
      RATE_LIMIT_BURST_FRAMES: 100 * COST_REQUEST,
      SHARD_UNITS_PER_SECOND: 100,
      SHARD_BURST_UNITS: 40 * COST_REQUEST,
    };
    const net = await startNetwork({ shards: 1, limits: shardLimits });
    try {
      const heavy = await bare(net, await Identity.generate());
      const busy = (await junk(heavy, 60)).filter((r) => r.code === "RATE_LIMITED");
      assert(busy.length > 0, "the shard's budget refused none");
      const wait = shardBusyWait(shardLimits);
      assertEquals(wait, 4 * COST_REQUEST * 10);
      for (const r of busy) assert(r.retryAfter! >= wait, `told to retry in ${r.retryAfter} ms`);
      heavy.ws.close();
    } finally {
      await net.dispose();
    }
  },
);
