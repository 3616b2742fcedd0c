/**
 * Benchmarks, side by side in one run on a local workerd, written to `docs/BENCHMARKS.md`
 * and `docs/benchmarks.json`. The machine is shared and noisy, so every figure is compared
 * with its baseline measured in the same run, in interleaved rounds, and the median kept.
 *
 * Usage: `deno task bench [--frames 20000] [--rounds 5]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { Miniflare } from "miniflare";
import { Identity } from "../src/identity/mod.ts";
import { connectUrl, encodeFrame, FRAME_SEND, signHello } from "../src/protocol/mod.ts";
import { shardOf } from "../src/routing/mod.ts";
import { COMPATIBILITY_DATE, startNetwork } from "./local_network.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    frames: { type: "string", default: "20000" },
    rounds: { type: "string", default: "5" },
    out: { type: "string", default: "docs" },
  },
});
const FRAMES = Number(values.frames);
const ROUNDS = Number(values.rounds);
/** Payload bytes per frame. */
const PAYLOAD_BYTES = 64;
/** Frames a sender lets be in flight (sent, not yet received), as a windowed client would. */
const WINDOW = 1_024;
const SHARDS = 8;

/** One entry of `docs/benchmarks.json`. */
interface Entry {
  name: string;
  unit: string;
  value: number;
  baseline: string | null;
  baseline_value: number | null;
  ratio: number | null;
  target?: string;
}

interface Pair {
  sender: WebSocket;
  receiver: WebSocket;
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

/** Sends `FRAMES` frames through a pair with at most `WINDOW` in flight; returns frames/s. */
async function pump({ sender, receiver, frame }: Pair): Promise<number> {
  let received = 0;
  let refused = 0;
  let wake: (() => void) | undefined;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`Timed out: ${received} of ${FRAMES} received, ${refused} refused`)),
      120_000,
    );
    receiver.onmessage = (event) => {
      if (typeof event.data === "string") return;
      received++;
      wake?.();
      if (received === FRAMES) {
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
  while (sent < FRAMES) {
    while (sent < FRAMES && sent - received < WINDOW) {
      sender.send(frame);
      sent++;
    }
    if (sent < FRAMES) await new Promise<void>((r) => wake = r);
  }
  await done;
  const seconds = (performance.now() - start) / 1000;
  if (refused > 0) throw new Error(`${refused} frames were refused`);
  sender.close();
  receiver.close();
  return FRAMES / seconds;
}

async function identityOn(shard: number): Promise<Identity> {
  for (;;) {
    const id = await Identity.generate();
    if (shardOf(id.peerId, SHARDS) === shard) return id;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// --- the systems under test -------------------------------------------------------------

const net = await startNetwork({
  shards: SHARDS,
  network: "bench",
  // The default per-peer rate limit (2,000 frames/s) would cap the figure at the limit.
  limits: {
    RATE_LIMIT_FRAMES_PER_SECOND: 1_000_000,
    RATE_LIMIT_BURST_FRAMES: 1_000_000,
    RATE_LIMIT_BYTES_PER_SECOND: 1_000_000_000,
    RATE_LIMIT_BURST_BYTES: 1_000_000_000,
  },
});
const bare = new Miniflare({
  host: "127.0.0.1",
  port: 0,
  modules: true,
  scriptPath: new URL("./bench/bare_relay.js", import.meta.url).pathname,
  compatibilityDate: COMPATIBILITY_DATE,
  durableObjects: { BARE: { className: "BareRelay", useSQLite: true } },
});
const bareUrl = (await bare.ready).toString().replace(/^http/, "ws").replace(/\/$/, "");
const wsRelay = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", new URL("./bench/ws_relay.ts", import.meta.url).pathname],
  stdout: "piped",
}).spawn();
const wsPort = (await wsRelay.stdout.pipeThrough(new TextDecoderStream()).getReader().read()).value!
  .trim();
const wsUrl = `ws://127.0.0.1:${wsPort}`;

const home = [await identityOn(0), await identityOn(0), await identityOn(1)];
const payload = new Uint8Array(PAYLOAD_BYTES).fill(7);

async function superpeerPair(from: Identity, to: Identity): Promise<Pair> {
  const receiver = await open(connectUrl(net.url, await signHello(to, net.network)), true);
  const sender = await open(connectUrl(net.url, await signHello(from, net.network)), true);
  return { sender, receiver, frame: encodeFrame(FRAME_SEND, to.peerId, 0, payload) };
}

async function plainPair(base: string): Promise<Pair> {
  const receiver = await open(`${base}/?role=b`, false);
  const sender = await open(`${base}/?role=a`, false);
  // The same bytes as a superpeer SEND frame, so every relay moves the same frame size.
  return { sender, receiver, frame: encodeFrame(FRAME_SEND, home[1].peerId, 0, payload) };
}

const variants: Record<string, () => Promise<Pair>> = {
  "relay.same_shard": () => superpeerPair(home[0], home[1]),
  "relay.bare_do": () => plainPair(bareUrl),
  "relay.ws": () => plainPair(wsUrl),
  "relay.cross_shard": () => superpeerPair(home[0], home[2]),
};

const samples: Record<string, number[]> = Object.fromEntries(
  Object.keys(variants).map((k) => [k, []]),
);
try {
  // One warm-up pass, then interleaved rounds.
  for (const make of Object.values(variants)) await pump(await make());
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, make] of Object.entries(variants)) {
      const rate = await pump(await make());
      samples[name].push(rate);
      console.log(`round ${round + 1}: ${name} ${Math.round(rate)} frames/s`);
    }
  }
} finally {
  await net.dispose();
  await bare.dispose();
  wsRelay.kill();
  await wsRelay.status;
}

const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
const entry = (name: string, baseline: string | null, target?: string): Entry => ({
  name,
  unit: "frames/s",
  value: Math.round(m[name]),
  baseline,
  baseline_value: baseline ? Math.round(m[baseline]) : null,
  ratio: baseline ? Number((m[name] / m[baseline]).toFixed(3)) : null,
  ...(target ? { target } : {}),
});
const entries: Entry[] = [
  entry("relay.same_shard", "relay.bare_do", ">= 0.9"),
  entry("relay.bare_do", null),
  entry("relay.ws", "relay.same_shard"),
  entry("relay.cross_shard", "relay.same_shard", ">= 0.5"),
];

const describe: Record<string, string> = {
  "relay.same_shard": "superpeer, 1→1, both peers on one shard",
  "relay.bare_do": "bare Durable Object relay (two sockets, forward unparsed)",
  "relay.ws": "plain Deno WebSocket relay, one process",
  "relay.cross_shard": "superpeer, 1→1, peers on two shards (RPC between super-peers)",
};
const met = (e: Entry) => {
  if (!e.target || e.ratio === null) return "";
  const want = Number(e.target.replace(">= ", ""));
  return e.ratio >= want ? `${e.target} ✓` : `${e.target} ✗`;
};
const cores = navigator.hardwareConcurrency;
const md = `# Benchmarks

Written by \`deno task bench\` on ${new Date().toISOString().slice(0, 10)}; do not edit by hand.
Each figure is the median of ${ROUNDS} interleaved rounds after a warm-up, in one run on one
machine (${cores} cores, Deno ${Deno.version.deno}, workerd through Miniflare, all on loopback).
A round sends ${FRAMES} frames of ${PAYLOAD_BYTES} payload bytes (${
  encodeFrame(FRAME_SEND, home[1].peerId, 0, payload).length
} bytes on the wire) from one
sender to one receiver, at most ${WINDOW} in flight; the rate is frames received per second.
Absolute figures depend on the machine; the ratios are what to compare. \`ratio\` is
\`value / baseline_value\`.

The superpeer network here runs with its per-peer rate limits raised (the default,
2,000 frames/s, would cap the figure at the limit); everything else is as deployed.

| entry | what | frames/s | baseline | ratio | target |
| --- | --- | ---: | --- | ---: | --- |
${
  entries.map((e) =>
    `| \`${e.name}\` | ${describe[e.name]} | ${e.value} | ${
      e.baseline ? `\`${e.baseline}\`` : "—"
    } | ${e.ratio ?? "—"} | ${met(e)} |`
  ).join("\n")
}

Samples (frames/s, per round):

${
  Object.entries(samples).map(([k, v]) => `- \`${k}\`: ${v.map((x) => Math.round(x)).join(", ")}`)
    .join("\n")
}
`;
await Deno.mkdir(values.out!, { recursive: true });
await Deno.writeTextFile(`${values.out}/BENCHMARKS.md`, md);
await Deno.writeTextFile(`${values.out}/benchmarks.json`, JSON.stringify(entries, null, 2) + "\n");
console.log(md);
