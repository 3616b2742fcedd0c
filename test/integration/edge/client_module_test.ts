// The client as ES modules served by the network at /v1/client.js: a page from another origin
// imports it in headless Chromium and talks to a Deno peer; the module carries cache and
// cross-origin headers. The ledger's code comes only when the page first uses it, from a module
// of its own under /v1/client/, named by its hash and kept for good.
import { launchChromium } from "../../support/chromium.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, take } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "client module: a page on another origin imports /v1/client.js and talks",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    const browser = await launchChromium();
    const moduleUrl = `${net.url}/v1/client.js`;
    // The page's own origin: another port on loopback.
    const page = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () =>
        new Response(
          `<!doctype html><title>elsewhere</title><script type="module">
import { Identity, Peer } from "${moduleUrl}";
const deno = new URL(location.href).searchParams.get("to");
const peer = new Peer({ url: "${
            net.url.replace("http:", "ws:")
          }", identity: await Identity.generate() });
const welcome = await peer.connect();
const next = peer.messages().next();
peer.send(deno, "hello from another origin, shard " + welcome.shard);
const { value } = await next;
globalThis.result = value.data;
await new Promise((r) => globalThis.useLedger = r);
globalThis.shards = (await peer.ledger.network()).shards;
</script>`,
          { headers: { "content-type": "text/html" } },
        ),
    );
    try {
      const head = await fetch(moduleUrl);
      const body = await head.text();
      assertEquals(head.headers.get("content-type"), "text/javascript; charset=utf-8");
      assertEquals(head.headers.get("access-control-allow-origin"), "*");
      assert(head.headers.get("cache-control")!.startsWith("public, max-age="));
      const etag = head.headers.get("etag")!;
      const again = await fetch(moduleUrl, { headers: { "if-none-match": etag } });
      assertEquals(again.status, 304);
      await again.body?.cancel();
      console.log(`client module: ${body.length} bytes, etag ${etag}`);

      const deno = await connectPeer(net);
      const inbox = deno.messages();
      const tab = await browser.newPage();
      const loaded: string[] = [];
      tab.on("request", (r) => loaded.push(new URL(r.url()).pathname));
      const errors: string[] = [];
      tab.on("pageerror", (e) => errors.push(String(e)));
      tab.on("console", (m) => errors.push(`console: ${m.text()}`));
      await tab.goto(`http://127.0.0.1:${page.addr.port}/?to=${deno.peerId}`);
      const [first] = await take(inbox, 1).catch((e) => {
        throw new Error(`${e.message}; page said: ${errors.join(" | ")}`);
      });
      assert(String(first.data).startsWith("hello from another origin"), String(first.data));
      deno.send(first.from, "hello page");
      await tab.waitForFunction(() => (globalThis as { result?: string }).result !== undefined);
      assertEquals(
        await tab.evaluate(() => (globalThis as { result?: string }).result),
        "hello page",
      );
      // Talking loaded no part of the client that talking does not need.
      const parts = () => loaded.filter((p) => p.startsWith("/v1/client/"));
      const onUse = /\/(peer_ledger|peer_swarm|link|browser_transport|proof|file_store|scrypt)-/;
      assertEquals(parts().filter((p) => onUse.test(p)), [], loaded.join(" "));
      // And each module it loaded holds code: none is fetched for nothing.
      for (const path of parts()) {
        const text = await (await fetch(`${net.url}${path}`)).text();
        assert(text.trim().length > 0, `${path} is empty`);
      }
      await tab.evaluate(() => (globalThis as { useLedger?: () => void }).useLedger!());
      await tab.waitForFunction(() => (globalThis as { shards?: number }).shards !== undefined);
      assertEquals(await tab.evaluate(() => (globalThis as { shards?: number }).shards), 4);
      const ledger = parts().find((p) => /^\/v1\/client\/peer_ledger-\w+\.js$/.test(p));
      assert(ledger, `the ledger's module was loaded on first use: ${parts().join(" ")}`);
      const part = await fetch(`${net.url}${ledger}`);
      await part.body?.cancel();
      assertEquals(part.headers.get("cache-control"), "public, max-age=31536000, immutable");
      assertEquals(part.headers.get("access-control-allow-origin"), "*");
      const none = await fetch(`${net.url}/v1/client/peer_ledger-NOSUCHHASH.js`);
      assertEquals([none.status, (await none.json()).code], [404, "NOT_FOUND"]);
      console.log(`client module: loaded at start ${loaded.length} files; then ${ledger}`);
      assertEquals(errors, []);
      deno.close();
    } finally {
      await page.shutdown();
      await browser.close();
      await net.dispose();
    }
  },
);
