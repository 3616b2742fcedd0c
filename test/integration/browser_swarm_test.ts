// File sharing between a Chromium page and a Deno peer: the page shares a File and the Deno
// peer fetches it; the Deno peer shares bytes and the page fetches them into a Blob. The page
// loads the client from the network itself (/v1/client.js).
import { launchChromium } from "../support/chromium.ts";
import { startNetwork } from "../../scripts/local_network.ts";
import { connectPeer } from "../support/peers.ts";
import { assertEquals } from "../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "swarm in a browser: a page shares a File to Deno, and fetches a Blob from it",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    const browser = await launchChromium();
    try {
      const deno = await connectPeer(net);
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on("pageerror", (e) => errors.push(String(e)));
      await tab.goto(`${net.url}/v1/health`);
      const ws = net.url.replace("http:", "ws:");
      // The page: a peer, a File of 100 KB made in the page, shared.
      const shared = await tab.evaluate(async ({ base, ws }) => {
        const { Identity, Peer } = await import(`${base}/v1/client.js`);
        const peer = new Peer({ url: ws, identity: await Identity.generate() });
        await peer.connect();
        const bytes = new Uint8Array(100_000).map((_, i) => (i * 7) & 255);
        const id = await peer.swarm.share(new File([bytes], "made-in-the-page.bin"));
        (globalThis as Record<string, unknown>).peer = peer;
        return id as string;
      }, { base: net.url, ws });
      const got = await deno.swarm.fetch(shared);
      assertEquals(got, new Uint8Array(100_000).map((_, i) => (i * 7) & 255));

      // The other way: Deno shares, the page fetches into a Blob and reports its bytes.
      const bytes = new Uint8Array(70_000).map((_, i) => (i * 13) & 255);
      const id = await deno.swarm.share(bytes);
      const seen = await tab.evaluate(async (id) => {
        // deno-lint-ignore no-explicit-any
        const peer = (globalThis as any).peer;
        const blob = new Blob([await peer.swarm.fetch(id)]);
        const back = new Uint8Array(await blob.arrayBuffer());
        return { size: blob.size, sum: back.reduce((a, b) => (a + b) % 65_521, 0) };
      }, id);
      assertEquals(seen, { size: 70_000, sum: bytes.reduce((a, b) => (a + b) % 65_521, 0) });
      assertEquals(errors, []);
      deno.close();
    } finally {
      await browser.close();
      await net.dispose();
    }
  },
);
