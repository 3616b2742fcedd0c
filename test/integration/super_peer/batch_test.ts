// Batch frames on real workerd: a peer's frames of one turn leave as one message, the
// super-peer forwards a destination's frames as one message, and each frame inside is still
// admitted, relayed and refused alone; a client that does not ask never sees a batch.
import type { Identity, PeerMessage } from "../../../mod.ts";
import {
  connectUrl,
  decodeFrame,
  encodeBatch,
  encodeFrame,
  type ErrorMessage,
  FRAME_BATCH,
  FRAME_DELIVER,
  FRAME_SEND,
  readBatch,
  signHello,
  type Welcome,
} from "../../../src/protocol/mod.ts";
import { type LocalNetwork, startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SHARDS = 4;

/** A socket with no client library: its welcome, its texts, its binary messages as they came. */
interface Raw {
  ws: WebSocket;
  welcome: Welcome;
  errors: ErrorMessage[];
  messages: Uint8Array[];
  /** The DELIVER frames received, batches opened. */
  frames(): { seq: number; peer: string; payload: Uint8Array }[];
}

async function raw(net: LocalNetwork, identity: Identity, batch: boolean): Promise<Raw> {
  const url = connectUrl(net.url, await signHello(identity, net.network, net.url), { batch });
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const errors: ErrorMessage[] = [];
  const messages: Uint8Array[] = [];
  const welcome = await new Promise<Welcome>((resolve, reject) => {
    ws.onerror = () => reject(new Error("socket failed"));
    ws.onmessage = (e) => {
      if (typeof e.data !== "string") return messages.push(new Uint8Array(e.data));
      const m = JSON.parse(e.data);
      if (m.t === "welcome") resolve(m);
      else if (m.t === "error") errors.push(m);
    };
  });
  const frames = () =>
    messages.flatMap((m) => m[0] === FRAME_BATCH ? readBatch(m).frames : [m]).map((f) => {
      const r = decodeFrame(f);
      assert(r.ok && r.frame.type === FRAME_DELIVER, "every frame inside is a DELIVER");
      return { seq: r.frame.seq, peer: r.frame.peer, payload: r.frame.payload };
    });
  return { ws, welcome, errors, messages, frames };
}

/** Payload sizes from 1 byte to near the frame limit, in a mixed order. */
const SIZES = [1, 700, 20_000, 3, 60_000, 64, 0, 4_096, 12, 33_333];

function payload(i: number): Uint8Array {
  const size = SIZES[i % SIZES.length];
  return new Uint8Array(size).map((_, j) => (i * 31 + j) & 0xff);
}

for (const across of [false, true]) {
  Deno.test(
    `batch: mixed sizes sent in one turn arrive once, in order, in few messages (${
      across ? "across shards" : "one shard"
    })`,
    opts,
    async () => {
      const net = await startNetwork({ shards: SHARDS });
      try {
        // Unsealed: the raw receiver would never answer a handshake.
        const alice = await connectPeer(net, {
          identity: await identityOnShard(0, SHARDS),
          seal: false,
        });
        const bob = await raw(net, await identityOnShard(across ? 1 : 0, SHARDS), true);
        assertEquals(alice.welcome?.batch, true, "the client asks for batches by default");
        assertEquals(bob.welcome.batch, true);
        const n = 300;
        for (let i = 0; i < n; i++) alice.send(bob.welcome.peer, payload(i));
        await waitUntil(() => bob.frames().length >= n, 15_000);
        const got = bob.frames();
        assertEquals(got.length, n);
        assertEquals(got.map((f) => f.seq), Array.from({ length: n }, (_, i) => i));
        for (const [i, f] of got.entries()) {
          assertEquals(f.peer, alice.peerId);
          assertEquals(f.payload, payload(i), `frame ${i}`);
        }
        assert(bob.messages.some((m) => m[0] === FRAME_BATCH), "the relay sent batches");
        assert(
          bob.messages.length < n / 4,
          `${n} frames came in ${bob.messages.length} messages`,
        );
        assertEquals(bob.errors, []);
        alice.close();
        bob.ws.close();
      } finally {
        await net.dispose();
      }
    },
  );
}

Deno.test("batch: a client that does not ask gets one frame per message", opts, async () => {
  const net = await startNetwork({ shards: SHARDS });
  try {
    const alice = await connectPeer(net, {
      identity: await identityOnShard(0, SHARDS),
      seal: false,
    });
    const bob = await raw(net, await identityOnShard(0, SHARDS), false);
    assertEquals(bob.welcome.batch, undefined);
    for (let i = 0; i < 100; i++) alice.send(bob.welcome.peer, `m${i}`);
    await waitUntil(() => bob.messages.length >= 100, 10_000);
    assertEquals(bob.messages.length, 100);
    assert(bob.messages.every((m) => m[0] === FRAME_DELIVER));
    assertEquals(bob.frames().map((f) => f.seq), Array.from({ length: 100 }, (_, i) => i));
    alice.close();
    bob.ws.close();
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "batch: a frame over the limit in the middle is refused alone, by code; the rest go",
  opts,
  async () => {
    const net = await startNetwork({ shards: SHARDS, limits: { MAX_BATCH_FRAMES: 8 } });
    try {
      const alice = await raw(net, await identityOnShard(0, SHARDS), true);
      const bob = await raw(net, await identityOnShard(1, SHARDS), true);
      const to = bob.welcome.peer;
      const send = (seq: number, size: number) =>
        encodeFrame(FRAME_SEND, to, seq, new Uint8Array(size).fill(seq));
      const limit = alice.welcome.limits.MAX_FRAME_BYTES;
      // Frame 2 is one byte over MAX_FRAME_BYTES; frames 8 and 9 lie past MAX_BATCH_FRAMES.
      const frames = Array.from({ length: 10 }, (_, i) => send(i, i === 2 ? 0 : 100 * i));
      frames[2] = new Uint8Array(limit + 1);
      frames[2].set(send(2, 0));
      alice.ws.send(encodeBatch(frames));
      await waitUntil(() => bob.frames().length >= 7 && alice.errors.length >= 3, 10_000);
      await new Promise((r) => setTimeout(r, 200));
      assertEquals(bob.frames().map((f) => f.seq), [0, 1, 3, 4, 5, 6, 7]);
      for (const f of bob.frames()) assertEquals(f.payload.length, 100 * f.seq);
      assertEquals(
        alice.errors.map((e) => [e.code, e.seq, e.peer]),
        [["FRAME_TOO_LARGE", 2, to], ["BATCH_TOO_LARGE", 8, to], ["BATCH_TOO_LARGE", 9, to]],
      );

      // A batch cut short: what parsed goes, the rest is refused as malformed.
      const whole = encodeBatch([send(10, 5), send(11, 5)]);
      alice.ws.send(whole.subarray(0, whole.length - 3));
      // A batch inside a batch, and an empty batch.
      alice.ws.send(encodeBatch([encodeBatch([send(12, 5)]), send(13, 5)]));
      alice.ws.send(new Uint8Array([FRAME_BATCH]));
      await waitUntil(() => alice.errors.length >= 6, 10_000);
      await new Promise((r) => setTimeout(r, 200));
      assertEquals(bob.frames().map((f) => f.seq).slice(7), [10, 13]);
      assertEquals(alice.errors.slice(3).map((e) => e.code), [
        "BAD_FRAME",
        "UNKNOWN_FRAME_TYPE",
        "BAD_FRAME",
      ]);
      alice.ws.close();
      bob.ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "batch: each frame inside pays its cost; a batch does not pass the rate limit",
  opts,
  async () => {
    const net = await startNetwork({
      shards: SHARDS,
      limits: { RATE_LIMIT_BURST_FRAMES: 20, RATE_LIMIT_FRAMES_PER_SECOND: 1 },
    });
    try {
      const alice = await raw(net, await identityOnShard(0, SHARDS), true);
      const bob = await raw(net, await identityOnShard(0, SHARDS), true);
      const frames = Array.from(
        { length: 50 },
        (_, i) => encodeFrame(FRAME_SEND, bob.welcome.peer, i, `r${i}`),
      );
      alice.ws.send(encodeBatch(frames));
      const named = () => alice.errors.reduce((n, e) => n + (e.count ?? 1), 0);
      await waitUntil(() => bob.frames().length + named() >= 50, 10_000);
      const delivered = bob.frames().map((f) => f.seq);
      assert(delivered.length <= 21, `${delivered.length} delivered past a burst of 20`);
      assertEquals(delivered, Array.from({ length: delivered.length }, (_, i) => i));
      // Past the limit, the rest of the batch is refused in one message that names how many.
      assertEquals(alice.errors.length, 1, "one refusal for the rest of the batch");
      const [refused] = alice.errors;
      assertEquals([refused.code, refused.peer], ["RATE_LIMITED", bob.welcome.peer]);
      assert(refused.retryAfter! > 0);
      const covered = Array.from({ length: refused.count ?? 1 }, (_, k) => refused.seq! + k);
      assertEquals(
        [...delivered, ...covered],
        Array.from({ length: 50 }, (_, i) => i),
        "each frame delivered or refused by its number",
      );
      alice.ws.close();
      bob.ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "batch: reliable messages of mixed sizes, in batches across a restart, arrive once and in order",
  opts,
  async () => {
    const net = await startNetwork({ shards: SHARDS });
    try {
      const alice = await connectPeer(net, {
        identity: await identityOnShard(2, SHARDS),
        reliable: true,
      });
      const bob = await connectPeer(net, { identity: await identityOnShard(3, SHARDS) });
      const got: Uint8Array[] = [];
      bob.addEventListener("message", (e) => {
        got.push((e as CustomEvent<PeerMessage>).detail.data as Uint8Array);
      });
      const n = 600;
      let sent = 0;
      // Bursts of 20 per turn, so that batches are on the wire when the network goes down.
      const sending = (async () => {
        while (sent < n) {
          for (let k = 0; k < 20; k++) alice.send(bob.peerId, payload(sent++));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      await waitUntil(() => got.length >= 100, 10_000);
      await net.restart();
      await sending;
      await waitUntil(() => got.length >= n, 60_000);
      await new Promise((r) => setTimeout(r, 1_500));
      assertEquals(got.length, n, "each message once");
      for (const [i, data] of got.entries()) assertEquals(data, payload(i), `message ${i}`);
      alice.close();
      bob.close();
    } finally {
      await net.dispose();
    }
  },
);
