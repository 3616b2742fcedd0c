/**
 * The direct-channel transfer between two pages of headless Chromium, each page its own
 * site (so its own renderer process), beside the same transfer through the relay and over a
 * bare data channel between the same pages (no code of ours: what the browser itself can do). Run by
 * `direct.ts` inside an isolated network namespace (see `../isolated_namespace.ts`); prints
 * one JSON line of per-round samples.
 *
 * Usage: `deno run -A scripts/bench/browser_direct.ts <rounds> <totalBytes> <chunkBytes>`
 *
 * @module
 */
import type { Page } from "playwright-core";
import { launchChromium } from "../../test/support/chromium.ts";
import { bundleClient, startNetwork } from "../local_network.ts";
import { UNTHROTTLED } from "./common.ts";
import { payloadBytesIn } from "./direct_common.ts";

const [rounds, total, chunk] = Deno.args.map(Number);
const net = await startNetwork({ shards: 2, network: "bench", limits: UNTHROTTLED });
const browser = await launchChromium([
  "--allow-loopback-in-peer-connection",
  "--disable-features=WebRtcHideLocalIpsWithMdns",
]);
const client = await bundleClient("iife");
const url = net.url.replace("http:", "ws:");

// Two hosts for one server make two sites, and Chromium gives each site its own process.
async function open(host: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${net.url.replace("127.0.0.1", host)}/v1/health`);
  await page.addScriptTag({ content: client });
  return page;
}

function peerIn(page: Page, name: string, direct: boolean): Promise<string> {
  return page.evaluate(async ({ url, name, direct }) => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const { Identity, Peer } = g.superpeer;
    const peer = new Peer({
      url,
      network: "bench",
      identity: await Identity.generate(),
      direct: direct ? { threshold: 0 } : undefined,
    });
    await peer.connect();
    (g.peers ??= {})[name] = peer;
    return peer.peerId;
  }, { url, name, direct });
}

/** Bytes per second of one transfer from `a`'s peer `name` to `b`'s peer `name`. */
async function transfer(a: Page, b: Page, name: string, to: string): Promise<number> {
  await b.evaluate(({ name, total }) => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const peer = g.peers[name];
    g.done = new Promise<number>((resolve) => {
      let n = 0;
      const on = (e: CustomEvent) => {
        n += e.detail.data.length;
        if (n < total) return;
        peer.removeEventListener("message", on);
        resolve(performance.timeOrigin + performance.now());
      };
      peer.addEventListener("message", on);
    });
  }, { name, total });
  const start = await a.evaluate(({ name, to, total, chunk }) => {
    // deno-lint-ignore no-explicit-any
    const peer = (globalThis as any).peers[name];
    // Random bytes, as sealed or compressed data are: constant bytes shrink under the
    // WebSocket's permessage-deflate, and the relayed figure doubled with them.
    const bytes = new Uint8Array(chunk);
    for (let i = 0; i < chunk; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
    const t = performance.timeOrigin + performance.now();
    for (let sent = 0; sent < total; sent += chunk) {
      peer.send(to, bytes.subarray(0, Math.min(chunk, total - sent)));
    }
    return t;
  }, { name, to, total, chunk });
  // deno-lint-ignore no-explicit-any
  const end = await b.evaluate(() => (globalThis as any).done as Promise<number>);
  return total / ((end - start) / 1000);
}

/** The page's globals, as the functions below (run inside the pages) use them. */
// deno-lint-ignore no-explicit-any
type PageGlobals = any;

/**
 * A bare data channel between the two pages, signaled by this script: the browser's own
 * ceiling, with no sequencing, acknowledgement or framing of ours.
 */
async function bareChannel(a: Page, b: Page): Promise<void> {
  const setup = (offerer: boolean) => {
    const g: PageGlobals = globalThis;
    g.pc = new RTCPeerConnection();
    g.candidates = [];
    g.pc.onicecandidate = (e: RTCPeerConnectionIceEvent) =>
      e.candidate && g.candidates.push(e.candidate.toJSON());
    const adopt = (channel: RTCDataChannel) => {
      channel.binaryType = "arraybuffer";
      g.bare = channel;
    };
    if (offerer) adopt(g.pc.createDataChannel("bare", { ordered: true }));
    else g.pc.ondatachannel = (e: RTCDataChannelEvent) => adopt(e.channel);
  };
  await a.evaluate(setup, true);
  await b.evaluate(setup, false);
  const offer = await a.evaluate(async () => {
    const g: PageGlobals = globalThis;
    await g.pc.setLocalDescription(await g.pc.createOffer());
    return g.pc.localDescription.toJSON();
  });
  const answer = await b.evaluate(async (offer) => {
    const g: PageGlobals = globalThis;
    await g.pc.setRemoteDescription(offer);
    await g.pc.setLocalDescription(await g.pc.createAnswer());
    return g.pc.localDescription.toJSON();
  }, offer);
  await a.evaluate((answer) => (globalThis as PageGlobals).pc.setRemoteDescription(answer), answer);
  // Candidates are traded until both ends are open; trickled ones may come late.
  const deadline = Date.now() + 15_000;
  const traded = [new Set<string>(), new Set<string>()];
  while (Date.now() < deadline) {
    for (const [i, [from, to]] of [[a, b], [b, a]].entries()) {
      const all: RTCIceCandidateInit[] = await from.evaluate(() =>
        (globalThis as PageGlobals).candidates
      );
      const fresh = all.filter((c) => !traded[i].has(JSON.stringify(c)));
      for (const c of fresh) traded[i].add(JSON.stringify(c));
      await to.evaluate(async (cs) => {
        for (const c of cs) await (globalThis as PageGlobals).pc.addIceCandidate(c);
      }, fresh);
    }
    const open = (page: Page) =>
      page.evaluate(() => (globalThis as PageGlobals).bare?.readyState === "open");
    if (await open(a) && await open(b)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("The bare data channel did not open");
}

/** Bytes per second of one transfer over the bare channel, from `a` to `b`. */
async function bareTransfer(a: Page, b: Page): Promise<number> {
  await b.evaluate((total) => {
    const g: PageGlobals = globalThis;
    g.done = new Promise<number>((resolve) => {
      let n = 0;
      g.bare.onmessage = (e: MessageEvent<ArrayBuffer>) => {
        n += e.data.byteLength;
        if (n >= total) resolve(performance.timeOrigin + performance.now());
      };
    });
  }, total);
  const start = await a.evaluate(({ total, chunk }) => {
    const g: PageGlobals = globalThis;
    // Random bytes, as sealed or compressed data are: constant bytes shrink under the
    // WebSocket's permessage-deflate, and the relayed figure doubled with them.
    const bytes = new Uint8Array(chunk);
    for (let i = 0; i < chunk; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
    const t = performance.timeOrigin + performance.now();
    for (let sent = 0; sent < total; sent += chunk) {
      g.bare.send(bytes.subarray(0, Math.min(chunk, total - sent)));
    }
    return t;
  }, { total, chunk });
  const end = await b.evaluate(() => (globalThis as PageGlobals).done as Promise<number>);
  return total / ((end - start) / 1000);
}

const samples = {
  direct: [] as number[],
  relayed: [] as number[],
  carried: [] as number[],
  bare: [] as number[],
};
try {
  const a = await open("127.0.0.1");
  const b = await open("localhost");
  await peerIn(a, "relay", false);
  const relayTo = await peerIn(b, "relay", false);
  await peerIn(a, "direct", true);
  const directTo = await peerIn(b, "direct", true);
  await a.evaluate(async (to) => {
    // deno-lint-ignore no-explicit-any
    const peer = (globalThis as any).peers.direct;
    peer.upgrade(to);
    const deadline = Date.now() + 15_000;
    while (!peer.isDirect(to) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (!peer.isDirect(to)) throw new Error("The browser pair did not go direct");
  }, directTo);
  await bareChannel(a, b);
  // Each transfer is followed by the same pause (acknowledgements settle, the receiver's
  // buffers are collected). A round alternates the direct and the bare channel PAIRS times,
  // the one going first taking turns, and keeps bytes over summed time for each: one 8 MiB
  // transfer here took anywhere from 0.7x to 1.4x the one beside it, the scheduling of five
  // processes on two cores, and the alternation spreads that over both.
  const settle = () => new Promise((r) => setTimeout(r, 200));
  const PAIRS = 3;
  for (let round = -1; round < rounds; round++) {
    const relayed = await transfer(a, b, "relay", relayTo);
    await settle();
    let directSeconds = 0, bareSeconds = 0, carried = 0;
    const viaDirect = async () => {
      const before = await payloadBytesIn(net.url);
      directSeconds += total / await transfer(a, b, "direct", directTo);
      await settle();
      carried += await payloadBytesIn(net.url) - before;
    };
    const viaBare = async () => {
      bareSeconds += total / await bareTransfer(a, b);
      await settle();
    };
    for (let k = 0; k < PAIRS; k++) {
      if ((round + k) % 2 === 0) await viaDirect().then(viaBare);
      else await viaBare().then(viaDirect);
    }
    const direct = PAIRS * total / directSeconds;
    const bare = PAIRS * total / bareSeconds;
    if (round < 0) continue; // the warm-up: SCTP's congestion window opens
    samples.relayed.push(relayed);
    samples.direct.push(direct);
    samples.carried.push(carried);
    samples.bare.push(bare);
  }
} finally {
  await browser.close();
  await net.dispose();
}
console.log(JSON.stringify(samples));
