// Refusals a client can act on, on real workerd: a request refused before it is read still
// names its id; the wait a refusal names is one after which the whole request passes; and a
// peer that heeds every wait is never closed for flooding, however often it loses its turn.
import { Identity } from "../../../mod.ts";
import { DEFAULT_LIMITS, encodeFrame, FRAME_SEND } from "../../../src/protocol/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { openBareSocket, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const { COST_REQUEST, COST_SUBSCRIBE, COST_RELAY_FRAME } = DEFAULT_LIMITS;

type Reply = { t: string; code?: string; id?: number; retryAfter?: number };

async function bare(net: Awaited<ReturnType<typeof startNetwork>>) {
  const heard: string[] = [];
  const ws = await openBareSocket(net, await Identity.generate(), heard);
  await waitUntil(() => heard.length >= 1);
  let closed: number | undefined;
  ws.addEventListener("close", (e) => closed = e.code);
  const replies = () => heard.slice(1).map((t) => JSON.parse(t) as Reply);
  /** Sends a frame and waits for its reply (the next text, no polling: timing matters). */
  const ask = (frame: string | Uint8Array) =>
    new Promise<Reply>((resolve) => {
      if (closed !== undefined) return resolve({ t: "closed" });
      ws.addEventListener("message", (e) => resolve(JSON.parse(e.data)), { once: true });
      ws.addEventListener("close", () => resolve({ t: "closed" }), { once: true });
      ws.send(frame);
    });
  return { ws, replies, ask, closed: () => closed };
}

Deno.test(
  "admission: a request refused before it is read names its id, from either end",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 1,
      limits: { RATE_LIMIT_FRAMES_PER_SECOND: 1, RATE_LIMIT_BURST_FRAMES: 1 },
    });
    try {
      const peer = await bare(net);
      const pad = "x".repeat(200);
      const first = await peer.ask(JSON.stringify({ id: 5, t: "lookup", peer: pad }));
      const last = await peer.ask(JSON.stringify({ t: "lookup", peer: pad, id: 6 }));
      const middle = await peer.ask(JSON.stringify({ t: "lookup", peer: pad, id: 7, x: pad }));
      const quoted = await peer.ask(JSON.stringify({ t: "lookup", peer: `${pad},"id":8}` }));
      assertEquals(
        [first, last, middle, quoted].map((r) => [r.code, r.id]),
        [["RATE_LIMITED", 5], ["RATE_LIMITED", 6], ["RATE_LIMITED", undefined], [
          "RATE_LIMITED",
          undefined,
        ]],
      );
      peer.ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "admission: a request refused for the rest of its price is told when all of it fits",
  opts,
  async () => {
    // Room for one subscription and one more text frame's first part; a unit every 4 ms, so
    // that the second subscription, sent at once, finds the rest of its price missing.
    const net = await startNetwork({
      shards: 1,
      limits: {
        RATE_LIMIT_FRAMES_PER_SECOND: 250,
        RATE_LIMIT_BURST_FRAMES: COST_SUBSCRIBE + COST_REQUEST,
      },
    });
    try {
      const peer = await bare(net);
      const sub = (id: number) => JSON.stringify({ t: "sub", topic: `t${id}`, id });
      assertEquals((await peer.ask(sub(1))).t, "sub.result");
      const refused = await peer.ask(sub(2));
      assertEquals([refused.code, refused.id], ["RATE_LIMITED", 2]);
      // Its first part was paid; the wait is for the whole price, which then passes.
      assert(refused.retryAfter! >= 4 * COST_SUBSCRIBE, `told ${refused.retryAfter} ms`);
      await new Promise((r) => setTimeout(r, refused.retryAfter! + 5));
      assertEquals((await peer.ask(sub(3))).t, "sub.result");
      peer.ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "admission: a peer that heeds every wait is never closed; one that does not is",
  opts,
  async () => {
    // Both peers come from one address, whose bucket holds one relayed frame and refills one
    // every 50 ms: whenever the heeding peer's wait is over, the other takes the frame first.
    const net = await startNetwork({
      shards: 1,
      limits: { ADDRESS_UNITS_PER_SECOND: 20 * COST_RELAY_FRAME, ADDRESS_BURST_UNITS: 7 },
    });
    try {
      const taker = await bare(net);
      const heeding = await bare(net);
      const nobody = (await Identity.generate()).peerId;
      const frame = (i: number) => encodeFrame(FRAME_SEND, nobody, i, "x");
      const MAX = DEFAULT_LIMITS.MAX_REFUSALS_BEFORE_CLOSE;
      // Refused more times in a row than any flooder is allowed (a frame that got through on a
      // slow turn starts the row again), each after waiting what it was told.
      let inRow = 0;
      for (let i = 0; inRow <= MAX && i < 4 * MAX; i++) {
        await peerTakes(taker.ask, frame(i));
        const r = await heeding.ask(frame(i));
        assertEquals(heeding.closed(), undefined, `closed after ${inRow} refusals in a row`);
        if (r.code !== "RATE_LIMITED") {
          inRow = 0;
          continue;
        }
        inRow++;
        await new Promise((res) => setTimeout(res, r.retryAfter! + 1));
      }
      assert(inRow > MAX, `refused ${inRow} times in a row`);
      assertEquals(heeding.closed(), undefined);
      // The same peer, sending without waiting: closed once it is past the run.
      for (let i = 0; i < 4 * MAX; i++) heeding.ws.send(frame(i));
      await waitUntil(() => heeding.closed() !== undefined);
      assertEquals(heeding.closed(), 4003);
      taker.ws.close();
    } finally {
      await net.dispose();
    }
  },
);

/** The taker's frame passes the address's bucket once the bucket has refilled. */
async function peerTakes(ask: (f: Uint8Array) => Promise<Reply>, frame: Uint8Array) {
  for (;;) {
    const r = await ask(frame);
    if (r.code !== "RATE_LIMITED") return;
  }
}
