/**
 * The direct-channel transfer between two pages of headless Chromium, each page its own
 * site (so its own renderer process), beside the same transfer through the relay. Run by
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
    const bytes = new Uint8Array(chunk).fill(9);
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

const samples = { direct: [] as number[], relayed: [] as number[], carried: [] as number[] };
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
  for (let round = -1; round < rounds; round++) {
    const relayed = await transfer(a, b, "relay", relayTo);
    const before = await payloadBytesIn(net.url);
    const direct = await transfer(a, b, "direct", directTo);
    await new Promise((r) => setTimeout(r, 200)); // acknowledgements settle
    const carried = await payloadBytesIn(net.url) - before;
    if (round < 0) continue; // the warm-up: SCTP's congestion window opens
    samples.relayed.push(relayed);
    samples.direct.push(direct);
    samples.carried.push(carried);
  }
} finally {
  await browser.close();
  await net.dispose();
}
console.log(JSON.stringify(samples));
