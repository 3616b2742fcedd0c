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
  deno.addEventListener("message", (e) => {
    const m = (e as CustomEvent<PeerMessage>).detail;
    atDeno.push(m);
    deno.send(m.from, `echo ${m.data}`); // answer each, by whatever path the pair uses
  });
  const page = await browser.newPage();
  await page.goto(`${net.url}/v1/health`);
  await page.addScriptTag({ content: await bundleClient("iife") });
  const atBrowser = await page.evaluate(async ({ url, to }) => {
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
      peer.send(to, `b${i}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const deadline = Date.now() + 15_000;
    while (got.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const direct = peer.isDirect(to);
    peer.close();
    return { got, direct };
  }, { url: net.url.replace("http:", "ws:"), to: deno.peerId });
  console.log(JSON.stringify({
    denoGot: atDeno.map((m) => ({ data: m.data, via: m.via })),
    browserGot: atBrowser.got,
    browserDirect: atBrowser.direct,
  }));
  deno.close();
} finally {
  await browser.close();
  await net.dispose();
}
