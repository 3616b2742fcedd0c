// File sharing between a Chromium page and a Deno peer, both with WebRTC, in a network
// namespace that has only loopback: the page shares a File that Deno fetches; Deno shares
// content the page fetches into IndexedDB; reloaded half-way, the page resumes from what it
// kept. A page also loads the client from the network itself (/v1/client.js).
import { launchChromium } from "../../support/chromium.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { runIsolated } from "../../../scripts/isolated_namespace.ts";
import { connectPeer } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const PIECE = 16_384;

Deno.test("swarm in a browser: WebRTC both ways, and a fetch resumed after a reload", async () => {
  const script = new URL("../../support/browser_swarm_check.ts", import.meta.url).pathname;
  // It takes about 12 s; a hang fails the test instead of holding the suite.
  const out = await runIsolated(script, { timeoutMs: 120_000 });
  assertEquals(out.code, 0, out.stderr.slice(-2_000));
  const r = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
  console.log(
    `browser swarm: Deno got the page's File with ${r.fromPage.direct} B direct, ` +
      `${r.fromPage.relay} B by relay; the page was reloaded at ${r.atReload} of 96 pieces, ` +
      `resumed ${r.resumed}, then fetched ${r.uploadedAfterReload / PIECE} ` +
      `(${r.directBefore} B direct before the reload, ${r.second.direct} B after)`,
  );
  assert(r.fromPage.same, "Deno's copy of the page's File is exact");
  assert(r.fromPage.direct > 0, "some of it over the browser's WebRTC");
  assertEquals({ size: r.second.size, sum: r.second.sum }, r.expected);
  assert(r.resumed >= r.atReload - 1 && r.resumed < 96, "the reload resumed from IndexedDB");
  assertEquals(r.uploadedAfterReload, (96 - r.resumed) * PIECE, "only what it lacked");
  // Before or after the reload, depending on how soon each run's channel opened.
  assert(r.directBefore + r.second.direct > 0, "the page fetched over its WebRTC too");
  assertEquals(r.errors, []);
});

Deno.test("swarm in a browser: the module from /v1/client.js shares a File", opts, async () => {
  const net = await startNetwork({ shards: 4 });
  const browser = await launchChromium();
  try {
    const deno = await connectPeer(net);
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(String(e)));
    await tab.goto(`${net.url}/v1/health`);
    const ws = net.url.replace("http:", "ws:");
    const shared = await tab.evaluate(async ({ base, ws }) => {
      const { Identity, Peer } = await import(`${base}/v1/client.js`);
      const peer = new Peer({ url: ws, identity: await Identity.generate() });
      await peer.connect();
      const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) & 255);
      (globalThis as Record<string, unknown>).peer = peer;
      return await peer.swarm.share(new File([bytes], "made-in-the-page.bin")) as string;
    }, { base: net.url, ws });
    const got = await deno.swarm.fetch(shared);
    assertEquals(got, new Uint8Array(100_000).map((_, i) => (i * 7) & 255));
    assertEquals(errors, []);
    deno.close();
  } finally {
    await browser.close();
    await net.dispose();
  }
});
