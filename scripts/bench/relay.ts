/**
 * Relay benchmarks: frames per second 1→1 through superpeer on one shard and across shards,
 * beside a bare Durable Object relay and a plain WebSocket relay, in interleaved rounds.
 *
 * @module
 */
import { Miniflare } from "miniflare";
import type { Identity } from "../../src/identity/mod.ts";
import { connectUrl, encodeFrame, FRAME_SEND, signHello } from "../../src/protocol/mod.ts";
import { COMPATIBILITY_DATE, startNetwork } from "../local_network.ts";
import { identityOn, type SectionResult, UNTHROTTLED } from "./common.ts";
import { clientSender, framesIn, peerPair, type Receiver, type Sender } from "./client_pair.ts";

/** Payload bytes per frame. */
const PAYLOAD_BYTES = 64;
/** Frames a sender lets be in flight (sent, not yet received), as a windowed client would. */
const WINDOW = 1_024;
const SHARDS = 8;

interface Pair {
  sender: Sender;
  receiver: Receiver;
  frame: Uint8Array;
}

function open(url: string, waitForText: boolean): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    ws.onerror = () => reject(new Error(`Cannot open ${url.slice(0, 80)}`));
    if (waitForText) ws.onmessage = () => resolve(ws); // the welcome
    else ws.onopen = () => resolve(ws);
  });
}

/** Sends `frames` frames through a pair with at most `WINDOW` in flight; returns frames/s. */
async function pump({ sender, receiver, frame }: Pair, frames: number): Promise<number> {
  let received = 0;
  let refused = 0;
  let wake: (() => void) | undefined;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Timed out: ${received} of ${frames} received, ${refused} refused`)),
      120_000,
    );
    receiver.onmessage = (event) => {
      if (typeof event.data === "string") return;
      received += framesIn(event.data);
      wake?.();
      if (received === frames) {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  sender.onmessage = (event) => {
    if (typeof event.data === "string" && event.data.startsWith("{")) refused++;
  };
  const start = performance.now();
  let sent = 0;
  while (sent < frames) {
    while (sent < frames && sent - received < WINDOW) {
      sender.send(frame);
      sent++;
    }
    if (sent < frames) await new Promise<void>((r) => wake = r);
  }
  await done;
  const seconds = (performance.now() - start) / 1000;
  if (refused > 0) throw new Error(`${refused} frames were refused`);
  sender.close();
  receiver.close();
  return frames / seconds;
}

/** Messages one at a time per latency round, after a warm-up of a tenth as many. */
const LATENCY_MESSAGES = 2_000;

/** The value at a quantile of sorted numbers (nearest rank). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * One message at a time through a pair: each sent once the last arrived. Sender and receiver
 * are in this process, so one clock times each message from send to arrival (one way).
 *
 * @returns p50 and p99 of the one-way times, in ms.
 */
async function latency({ sender, receiver, frame }: Pair): Promise<{ p50: number; p99: number }> {
  let arrived: (() => void) | undefined;
  receiver.onmessage = (event) => {
    if (typeof event.data !== "string") arrived?.();
  };
  const times: number[] = [];
  for (let i = 0; i < LATENCY_MESSAGES * 1.1; i++) {
    const got = new Promise<void>((r) => arrived = r);
    const t0 = performance.now();
    sender.send(frame);
    await got;
    if (i >= LATENCY_MESSAGES * 0.1) times.push(performance.now() - t0);
  }
  sender.close();
  receiver.close();
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99) };
}

/**
 * Runs the relay section.
 *
 * @param frames Frames per round.
 * @param rounds Rounds after the warm-up.
 * @returns The samples.
 */
export async function relayBench(frames: number, rounds: number): Promise<SectionResult> {
  const net = await startNetwork({
    shards: SHARDS,
    network: "bench",
    limits: UNTHROTTLED,
  });
  const bare = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: new URL("./bare_relay.js", import.meta.url).pathname,
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: { BARE: { className: "BareRelay", useSQLite: true } },
  });
  const bareUrl = (await bare.ready).toString().replace(/^http/, "ws").replace(/\/$/, "");
  const wsRelay = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./ws_relay.ts", import.meta.url).pathname],
    stdout: "piped",
  }).spawn();
  const wsPort = (await wsRelay.stdout.pipeThrough(new TextDecoderStream()).getReader().read())
    .value!
    .trim();
  const wsUrl = `ws://127.0.0.1:${wsPort}`;

  const home = [
    await identityOn(0, SHARDS),
    await identityOn(0, SHARDS),
    await identityOn(1, SHARDS),
  ];
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(7);

  async function superpeerPair(from: Identity, to: Identity): Promise<Pair> {
    const receiver = await open(connectUrl(net.url, await signHello(to, net.network)), true);
    const sender = await open(connectUrl(net.url, await signHello(from, net.network)), true);
    return { sender, receiver, frame: encodeFrame(FRAME_SEND, to.peerId, 0, payload) };
  }

  // The reference client as sender (batching or not), a raw socket that asked for batches
  // (or not) as receiver.
  async function clientPair(from: Identity, to: Identity, batch: boolean): Promise<Pair> {
    const hello = await signHello(to, net.network);
    const receiver = await open(connectUrl(net.url, hello, { batch }), true);
    const sender = await clientSender(net.url, net.network, from, batch);
    return { sender, receiver, frame: encodeFrame(FRAME_SEND, to.peerId, 0, payload) };
  }

  // Two reference peers, sealing or not: what an application sees, messages in and out.
  async function peers(from: Identity, to: Identity, seal: "required" | false): Promise<Pair> {
    const pair = await peerPair(net.url, net.network, from, to, payload, seal);
    return { ...pair, frame: payload };
  }

  async function plainPair(base: string, across = false): Promise<Pair> {
    const receiver = await open(`${base}/?role=b${across ? "&obj=B" : ""}`, false);
    const sender = await open(`${base}/?role=a${across ? "&obj=A&to=B" : ""}`, false);
    // The same bytes as a superpeer SEND frame, so every relay moves the same frame size.
    return { sender, receiver, frame: encodeFrame(FRAME_SEND, home[1].peerId, 0, payload) };
  }

  const variants: Record<string, () => Promise<Pair>> = {
    "relay.same_shard": () => superpeerPair(home[0], home[1]),
    "relay.bare_do": () => plainPair(bareUrl),
    "relay.ws": () => plainPair(wsUrl),
    "relay.cross_shard": () => superpeerPair(home[0], home[2]),
    "relay.batched": () => clientPair(home[0], home[1], true),
    "relay.sealed": () => peers(home[0], home[1], "required"),
    "relay.peers_unsealed": () => peers(home[0], home[1], false),
  };

  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(variants).map((k) => [k, []]),
  );
  try {
    // One warm-up pass, then interleaved rounds.
    for (const make of Object.values(variants)) await pump(await make(), frames);
    for (let round = 0; round < rounds; round++) {
      for (const [name, make] of Object.entries(variants)) {
        const rate = await pump(await make(), frames);
        samples[name].push(rate);
        console.log(`round ${round + 1}: ${name} ${Math.round(rate)} frames/s`);
      }
    }
    // Latency: one message at a time, same shard, across shards and through the bare object.
    const one: Record<string, () => Promise<Pair>> = {
      "relay.latency": () => superpeerPair(home[0], home[1]),
      "relay.latency_cross": () => superpeerPair(home[0], home[2]),
      "relay.bare_latency": () => plainPair(bareUrl),
      "relay.bare_cross_latency": () => plainPair(bareUrl, true),
      "relay.latency_client": () => clientPair(home[0], home[1], false),
      "relay.latency_batched": () => clientPair(home[0], home[1], true),
    };
    for (const name of Object.keys(one)) samples[`${name}_p50`] = [], samples[`${name}_p99`] = [];
    for (let round = 0; round < rounds; round++) {
      for (const [name, make] of Object.entries(one)) {
        const { p50, p99 } = await latency(await make());
        samples[`${name}_p50`].push(p50);
        samples[`${name}_p99`].push(p99);
        console.log(
          `round ${round + 1}: ${name} p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`,
        );
      }
    }
  } finally {
    await net.dispose();
    await bare.dispose();
    wsRelay.kill();
    await wsRelay.status;
  }
  const wire = encodeFrame(FRAME_SEND, home[1].peerId, 0, payload).length;
  return {
    title: "Relay",
    method:
      `A round sends ${frames} frames of ${PAYLOAD_BYTES} payload bytes (${wire} bytes on the ` +
      `wire) from one sender to one receiver, at most ${WINDOW} in flight; the rate is frames ` +
      "received per second. The superpeer network runs with its per-peer rate limits raised " +
      "(the default, 2,000 frames/s, would cap the figure at the limit); everything else is as deployed. " +
      `Latency: ${LATENCY_MESSAGES} messages one at a time (each sent when the last arrived), ` +
      "sender and receiver in one process so one clock times each one way; p50 and p99 per " +
      "round, the median over rounds. A cross-shard message crosses two objects: it is compared " +
      "with a bare relay across two objects (one RPC call from one to the other). " +
      "`relay.sealed` sends the same payload as messages between two reference peers that seal " +
      "(the default): each is sealed by the sender and opened by the receiver (section 13 of " +
      "`PROTOCOL.md`), counted as the receiving application gets it, the pair's handshake done " +
      "before the clock starts; `relay.peers_unsealed` is the same two peers with `seal: false`. " +
      "Both peers run in this one process, so one process pays both ends' AEAD (AES-256-GCM " +
      "through WebCrypto; ChaCha20-Poly1305 in JavaScript before `superpeer/seal/v2`). Sealed " +
      "one by one with ChaCha20-Poly1305, a 64-byte message cost about 10 µs each way here (25 µs sealed and opened with " +
      "the session's bookkeeping), which held `relay.sealed` to 0.75× `relay.same_shard`; the " +
      "messages a turn sends to one peer are now sealed together as one batch (section 13), so " +
      "the AEAD's fixed cost is paid once per batch and the relay carries one frame for them.",
    samples,
    entries: [
      {
        name: "relay.same_shard",
        unit: "frames/s",
        what: "superpeer, 1→1, both peers on one shard",
        baseline: "relay.bare_do",
        target: ">= 0.9",
      },
      {
        name: "relay.bare_do",
        unit: "frames/s",
        what: "bare Durable Object relay (two sockets, forward unparsed)",
        baseline: null,
      },
      {
        name: "relay.ws",
        unit: "frames/s",
        what: "plain Deno WebSocket relay, one process",
        baseline: "relay.same_shard",
      },
      {
        name: "relay.cross_shard",
        unit: "frames/s",
        what: "superpeer, 1→1, peers on two shards (RPC between super-peers)",
        baseline: "relay.same_shard",
        target: ">= 0.5",
      },
      {
        name: "relay.batched",
        unit: "frames/s",
        what: "superpeer, 1→1, one shard, the client batching the frames of each turn",
        baseline: "relay.ws",
        target: ">= 1.0",
      },
      {
        name: "relay.sealed",
        unit: "messages/s",
        what: "two reference peers, 1→1, one shard, every message sealed and opened",
        baseline: "relay.same_shard",
        target: ">= 0.8",
      },
      {
        name: "relay.peers_unsealed",
        unit: "messages/s",
        what: "the same two peers with `seal: false`: what sealing itself costs",
        baseline: "relay.sealed",
      },
      {
        name: "relay.latency_p50",
        unit: "ms",
        what: "one message at a time, one way, same shard: median",
        baseline: "relay.bare_latency_p50",
      },
      {
        name: "relay.latency_p99",
        unit: "ms",
        what: "the same: 99th percentile",
        baseline: "relay.bare_latency_p99",
        target: "<= 1.2x",
      },
      {
        name: "relay.latency_cross_p50",
        unit: "ms",
        what: "one message at a time, one way, across shards: median",
        baseline: "relay.bare_cross_latency_p50",
      },
      {
        name: "relay.latency_cross_p99",
        unit: "ms",
        what: "the same: 99th percentile",
        baseline: "relay.bare_cross_latency_p99",
        target: "<= 1.2x",
      },
      {
        name: "relay.bare_latency_p50",
        unit: "ms",
        what: "bare Durable Object relay, one message at a time: median",
        baseline: null,
      },
      {
        name: "relay.bare_latency_p99",
        unit: "ms",
        what: "the same: 99th percentile",
        baseline: null,
      },
      {
        name: "relay.bare_cross_latency_p50",
        unit: "ms",
        what: "bare relay across two objects (one RPC call), one at a time: median",
        baseline: "relay.bare_latency_p50",
      },
      {
        name: "relay.bare_cross_latency_p99",
        unit: "ms",
        what: "the same: 99th percentile",
        baseline: "relay.bare_latency_p99",
      },
      {
        name: "relay.latency_client_p50",
        unit: "ms",
        what: "one message at a time through the client, batching off: median",
        baseline: null,
      },
      {
        name: "relay.latency_batched_p50",
        unit: "ms",
        what: "the same with batching on (a lone frame leaves at the end of its turn)",
        baseline: "relay.latency_client_p50",
        target: "<= 1.05x",
      },
    ],
  };
}
