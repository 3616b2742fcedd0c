// The same client library in a browser (headless Chromium) and in Node, talking to a Deno
// peer through a local network on workerd.
import { launchChromium } from "../../support/chromium.ts";
import { bundleClient, startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, take } from "../../support/peers.ts";
import { assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("runtimes: a browser peer and a Deno peer exchange messages", opts, async () => {
  const net = await startNetwork({ shards: 4 });
  const browser = await launchChromium();
  try {
    const deno = await connectPeer(net);
    const inbox = deno.messages();
    const page = await browser.newPage();
    await page.goto(`${net.url}/v1/health`);
    await page.addScriptTag({ content: await bundleClient("iife") });
    const reply = page.evaluate(async ({ url, to }) => {
      // deno-lint-ignore no-explicit-any
      const { Identity, Peer } = (globalThis as any).superpeer;
      const peer = new Peer({ url, identity: await Identity.generate() });
      const welcome = await peer.connect();
      const next = peer.messages().next();
      peer.send(to, `hello from the browser, shard ${welcome.shard}`);
      const { value } = await next;
      peer.close();
      return { text: value.data, bytes: value.data instanceof Uint8Array };
    }, { url: net.url.replace("http:", "ws:"), to: deno.peerId });
    const [first] = await take(inbox, 1);
    assertEquals(String(first.data).startsWith("hello from the browser"), true);
    deno.send(first.from, "hello browser");
    assertEquals(await reply, { text: "hello browser", bytes: false });
    deno.close();
  } finally {
    await browser.close();
    await net.dispose();
  }
});

Deno.test("runtimes: a Node peer and a Deno peer exchange messages", opts, async () => {
  const net = await startNetwork({ shards: 4 });
  const dir = await Deno.makeTempDir({ prefix: "superpeer-node-" });
  try {
    const deno = await connectPeer(net);
    const inbox = deno.messages();
    await Deno.writeTextFile(`${dir}/superpeer.mjs`, await bundleClient("esm"));
    await Deno.writeTextFile(
      `${dir}/main.mjs`,
      `import { Identity, Peer } from "./superpeer.mjs";
const [url, to] = process.argv.slice(2);
const peer = new Peer({ url, identity: await Identity.generate() });
await peer.connect();
const next = peer.messages().next();
peer.send(to, new Uint8Array([1, 2, 3]));
const { value } = await next;
console.log(JSON.stringify({ from: value.from, data: value.data }));
peer.close();
`,
    );
    // Node 20 has WebSocket behind a flag; later versions have it by default.
    const node = new Deno.Command("node", {
      args: ["--experimental-websocket", "--no-warnings", `${dir}/main.mjs`, net.url, deno.peerId],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const [first] = await take(inbox, 1);
    assertEquals(first.data, new Uint8Array([1, 2, 3]));
    deno.send(first.from, "hello node");
    const { code, stdout, stderr } = await node.output();
    assertEquals(code, 0, new TextDecoder().decode(stderr));
    assertEquals(JSON.parse(new TextDecoder().decode(stdout)), {
      from: deno.peerId,
      data: "hello node",
    });
    deno.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
    await net.dispose();
  }
});
