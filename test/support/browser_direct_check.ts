/**
 * Run inside a network namespace that has only loopback (see `browser_direct_test.ts`): a
 * local network on workerd, a page in headless Chromium and a Deno peer that go direct with
 * each other. Prints one JSON line with what each side received and by which path.
 *
 * @module
 */
import { launchChromium } from "./chromium.ts";
import { Identity, Peer, type PeerMessage } from "../../mod.ts";
import { weriftTransport } from "../../src/client/direct/werift_transport.ts";
import { bundleClient, startNetwork } from "../../scripts/local_network.ts";

/** Messages in the browser's burst, and the size of each (about 17 MiB in all). */
const BURST = 330;
function burstSize(i: number): number {
  return i % 10 === 0 ? 1 + i : 60_000;
}
/** Whether `bytes` are burst message `i`, byte for byte. */
function isBurstMessage(bytes: Uint8Array, i: number): boolean {
  if (bytes.length !== burstSize(i)) return false;
  for (let j = 0; j < bytes.length; j++) if (bytes[j] !== ((i * 31 + j) & 255)) return false;
  return true;
}

const net = await startNetwork({ shards: 2 });
// Loopback is all this namespace has; let WebRTC use it, and show addresses plainly.
const browser = await launchChromium([
  "--allow-loopback-in-peer-connection",
  "--disable-features=WebRtcHideLocalIpsWithMdns",
]);
try {
  const deno = new Peer({
    url: net.url,
    identity: await Identity.generate(),
    direct: { transport: weriftTransport({ hostAddresses: ["127.0.0.1"] }), threshold: 2 },
  });
  await deno.connect();
  const atDeno: PeerMessage[] = [];
  const burstAtDeno: { size: number; ok: boolean; via: string }[] = [];
  deno.addEventListener("message", (e) => {
    const m = (e as CustomEvent<PeerMessage>).detail;
    if (typeof m.data !== "string") {
      const i = burstAtDeno.length; // in order, or the check fails
      burstAtDeno.push({ size: m.data.length, ok: isBurstMessage(m.data, i), via: m.via });
      return;
    }
    atDeno.push(m);
    deno.send(m.from, `echo ${m.data}`); // answer each, by whatever path the pair uses
  });
  const page = await browser.newPage();
  await page.goto(`${net.url}/v1/health`);
  await page.addScriptTag({ content: await bundleClient("iife") });
  const atBrowser = await page.evaluate(async ({ url, to, burst }) => {
    // deno-lint-ignore no-explicit-any
    const { Identity, Peer } = (globalThis as any).superpeer;
    const peer = new Peer({ url, identity: await Identity.generate(), direct: { threshold: 2 } });
    await peer.connect();
    const got: { data: string; via: string }[] = [];
    peer.addEventListener(
      "message",
      (e: CustomEvent) => got.push({ data: e.detail.data, via: e.detail.via }),
    );
    for (let i = 0; i < 40; i++) {
      // The last 5 leave once the channel is open, however long a loaded machine takes to
      // open it (the first 35 were sent over the relay meanwhile, or over the channel).
      // A first attempt that failed is asked again (after the client's retry wait): nothing
      // else would, since no message leaves meanwhile.
      for (let w = 0; i === 35 && !peer.isDirect(to) && w < 400; w++) {
        peer.upgrade(to);
        await new Promise((r) => setTimeout(r, 50));
      }
      peer.send(to, `b${i}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const deadline = Date.now() + 15_000;
    while (got.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const direct = peer.isDirect(to);
    // A burst of binary messages of mixed sizes, all in one turn and more than the 16 MiB a
    // browser's channel holds unsent: each byte says which message it belongs to.
    const results: Record<string, number> = {};
    for (let i = 0; i < burst; i++) {
      const bytes = new Uint8Array(i % 10 === 0 ? 1 + i : 60_000); // burstSize(i)
      for (let j = 0; j < bytes.length; j++) bytes[j] = (i * 31 + j) & 255;
      try {
        const r = peer.send(to, bytes);
        results[r] = (results[r] ?? 0) + 1;
      } catch (e) {
        results[String(e)] = (results[String(e)] ?? 0) + 1;
      }
    }
    return { got, direct, results };
  }, { url: net.url.replace("http:", "ws:"), to: deno.peerId, burst: BURST });
  const deadline = Date.now() + 60_000;
  while (burstAtDeno.length < BURST && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log(JSON.stringify({
    denoGot: atDeno.map((m) => ({ data: m.data, via: m.via })),
    browserGot: atBrowser.got,
    browserDirect: atBrowser.direct,
    burstSent: atBrowser.results,
    burstAtDeno,
  }));
  await page.close();
  deno.close();
} finally {
  await browser.close();
  await net.dispose();
}
