/**
 * A page's time from its first byte to its first message: a page on another origin imports
 * the client, makes an identity, connects, sends to a Deno peer and waits for its answer, in
 * headless Chromium with a fresh cache each time, over a throttled link (what a phone on a
 * mobile network sees; the bytes count). Two pages side by side in one run: one loads the client
 * as the network serves it (`/v1/client.js`, its parts loaded on first use), the other the
 * client as one module, everything inlined.
 *
 * @module
 */
import { launchChromium } from "../../test/support/chromium.ts";
import { bundleClient, startNetwork } from "../local_network.ts";
import { Identity, Peer } from "../../mod.ts";

/** The link the pages load over: 9 Mbit/s down and up, 40 ms of latency each way. */
const LINK = { latency: 40, downloadThroughput: 9e6 / 8, uploadThroughput: 9e6 / 8 };

/** The two pages: how each imports the client. */
export const PAGE_VARIANTS = ["split", "single"] as const;

/**
 * Measures each page's first-byte-to-first-message time, alternating page by page.
 *
 * @example Usage
 * ```ts ignore
 * const ms = await pageFirstMessage(5); // { split: [..], single: [..] }
 * ```
 *
 * @param rounds Rounds after a warm-up; each loads each page once.
 * @returns Milliseconds per round, by page.
 */
export async function pageFirstMessage(
  rounds: number,
): Promise<Record<typeof PAGE_VARIANTS[number], number[]>> {
  const net = await startNetwork({ shards: 4 });
  const single = await bundleClient("esm-browser");
  const wsUrl = net.url.replace(/^http/, "ws");
  const echo = new Peer({ url: wsUrl, identity: await Identity.generate() });
  await echo.connect();
  const answering = (async () => {
    for await (const m of echo.messages()) echo.send(m.from, "hello page");
  })();
  const page = (client: string) =>
    `<!doctype html><title>first message</title><script type="module">
import { Identity, Peer } from "${client}";
const peer = new Peer({ url: "${wsUrl}", identity: await Identity.generate() });
await peer.connect();
const first = peer.messages().next();
peer.send("${echo.peerId}", "hello");
await first;
const nav = performance.getEntriesByType("navigation")[0];
globalThis.firstMessageMs = performance.now() - nav.responseStart;
</script>`;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/single.js") {
      return new Response(single, {
        headers: { "content-type": "text/javascript", "access-control-allow-origin": "*" },
      });
    }
    const client = path === "/single" ? "/single.js" : `${net.url}/v1/client.js`;
    return new Response(page(client), { headers: { "content-type": "text/html" } });
  });
  const browser = await launchChromium();
  const out = { split: [] as number[], single: [] as number[] };
  try {
    for (let round = -1; round < rounds; round++) {
      for (const variant of PAGE_VARIANTS) {
        // A fresh context: an empty cache, as on a first visit.
        const context = await browser.newContext();
        const tab = await context.newPage();
        const cdp = await context.newCDPSession(tab);
        await cdp.send("Network.enable");
        await cdp.send("Network.emulateNetworkConditions", { offline: false, ...LINK });
        await tab.goto(`http://127.0.0.1:${server.addr.port}/${variant}`);
        await tab.waitForFunction(() => "firstMessageMs" in globalThis, null, { timeout: 30_000 });
        const ms = await tab.evaluate(() =>
          (globalThis as unknown as { firstMessageMs: number }).firstMessageMs
        );
        await context.close();
        if (round >= 0) out[variant].push(ms);
      }
    }
  } finally {
    await browser.close();
    await server.shutdown();
    echo.close();
    await answering.catch(() => {});
    await net.dispose();
  }
  return out;
}
