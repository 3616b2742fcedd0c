/**
 * Run inside a network namespace that has only loopback (see `browser_swarm_test.ts`): a
 * local network on workerd, a page in headless Chromium and a Deno peer, both with WebRTC.
 * The page shares a `File` that the Deno peer fetches; the Deno peer shares content that the
 * page fetches into IndexedDB, the page is reloaded half-way, and the fetch resumes. Prints
 * one JSON line with what each side saw.
 *
 * @module
 */
import { launchChromium } from "./chromium.ts";
import { Identity, Peer } from "../../mod.ts";
import { PIECE_BYTES } from "../../src/swarm/mod.ts";
import { weriftTransport } from "../../src/client/direct/werift_transport.ts";
import { bundleClient, startNetwork } from "../../scripts/local_network.ts";

const net = await startNetwork({ shards: 2 });
const browser = await launchChromium([
  "--allow-loopback-in-peer-connection",
  "--disable-features=WebRtcHideLocalIpsWithMdns",
]);
const ws = net.url.replace("http:", "ws:");
const client = await bundleClient("iife");
const fill = (n: number, k: number) => new Uint8Array(n).map((_, i) => (i * k + (i >> 9)) & 255);
const sum = (b: Uint8Array) => b.reduce((a, x) => (a * 31 + x) % 1_000_003, 0);
try {
  const deno = new Peer({
    url: ws,
    identity: await Identity.generate(),
    direct: { transport: weriftTransport({ hostAddresses: ["127.0.0.1"] }), threshold: 2 },
    // Slow enough to reload the page half-way through its fetch.
    swarm: { uploadBytesPerSecond: 512 * 1024 },
  });
  await deno.connect();
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${net.url}/v1/health`);
  await page.addScriptTag({ content: client });

  // 1. The page shares a File (128 pieces, 4 s at its upload rate); Deno fetches it.
  const shared = await page.evaluate(async ({ ws }) => {
    // deno-lint-ignore no-explicit-any
    const { Identity, Peer } = (globalThis as any).superpeer;
    const peer = new Peer({
      url: ws,
      identity: await Identity.generate(),
      direct: { threshold: 2 },
      swarm: { uploadBytesPerSecond: 512 * 1024 },
    });
    await peer.connect();
    const bytes = new Uint8Array(128 * 16_384).map((_, i) => (i * 7 + (i >> 9)) & 255);
    // deno-lint-ignore no-explicit-any
    (globalThis as any).sharer = peer;
    const id = await peer.swarm.share(new File([bytes], "made-in-the-page.bin"));
    return { id: id as string, sharer: peer.peerId as string };
  }, { ws });
  // The channel is made first, as in step 2: on a loaded machine werift may take longer to
  // open it than the 4 s the whole fetch takes by relay, and this step is about the channel.
  // A first attempt that failed is asked again (after the client's retry wait).
  for (let i = 0; i < 3; i++) deno.send(shared.sharer, "hi");
  for (let w = 0; !deno.isDirect(shared.sharer) && w < 400; w++) {
    deno.upgrade(shared.sharer);
    await new Promise((r) => setTimeout(r, 50));
  }
  const got = await deno.swarm.fetch(shared.id);
  const fromPage = {
    same: sum(got) === sum(fill(128 * PIECE_BYTES, 7)) && got.length === 128 * PIECE_BYTES,
    ...deno.swarm.downloaded,
  };

  // 2. Deno shares 96 pieces; the page fetches them into IndexedDB and is reloaded half-way.
  const bytes = fill(96 * PIECE_BYTES, 13);
  const id = await deno.swarm.share(bytes);
  const start = async ({ id, seeder }: { id: string; seeder?: string }) => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const { Identity, Peer, indexedDbStore } = g.superpeer;
    const peer = new Peer({
      url: location.origin.replace("http:", "ws:"),
      identity: await Identity.generate(),
      direct: { threshold: 2 },
    });
    await peer.connect();
    if (seeder) {
      // The channel is made first (a few messages pass the threshold), so that this fetch
      // uses it however slowly a loaded machine opens it.
      for (let i = 0; i < 3; i++) peer.send(seeder, "hi");
      for (let w = 0; !peer.isDirect(seeder) && w < 400; w++) {
        peer.upgrade(seeder); // a first attempt that failed is asked again
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    g.progress = { done: 0, resumed: 0 };
    g.result = peer.swarm.fetch(id, {
      store: indexedDbStore(),
      onProgress: (p: { done: number; resumed: number }) => {
        g.progress = p;
        g.direct = Math.max(g.direct ?? 0, peer.swarm.downloaded.direct);
      },
    }).then(async (bytes: Uint8Array) => {
      const blob = new Blob([bytes as Uint8Array<ArrayBuffer>]);
      const back = new Uint8Array(await blob.arrayBuffer());
      return {
        size: blob.size,
        sum: back.reduce((a, x) => (a * 31 + x) % 1_000_003, 0),
        ...peer.swarm.downloaded,
      };
    });
  };
  await page.evaluate(start, { id });
  const deadline = Date.now() + 30_000;
  // deno-lint-ignore no-explicit-any
  const progress = () => page.evaluate(() => (globalThis as any).progress.done as number);
  while (await progress() < 40 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const atReload = await progress();
  // deno-lint-ignore no-explicit-any
  const directBefore = await page.evaluate(() => ((globalThis as any).direct ?? 0) as number);
  await page.reload();
  await page.addScriptTag({ content: client });
  // What the seeder still sends the page that was unloaded drains before the count starts.
  for (let last = -1; deno.swarm.uploaded !== last;) {
    last = deno.swarm.uploaded;
    await new Promise((r) => setTimeout(r, 700));
  }
  const uploadedBefore = deno.swarm.uploaded;
  await page.evaluate(start, { id, seeder: deno.peerId });
  // deno-lint-ignore no-explicit-any
  const second = await page.evaluate(() => (globalThis as any).result);
  // deno-lint-ignore no-explicit-any
  const resumed = await page.evaluate(() => (globalThis as any).progress.resumed as number);
  console.log(JSON.stringify({
    fromPage,
    atReload,
    directBefore,
    resumed,
    second,
    expected: { size: bytes.length, sum: sum(bytes) },
    uploadedAfterReload: deno.swarm.uploaded - uploadedBefore,
    errors,
  }));
  deno.close();
} finally {
  await browser.close();
  await net.dispose();
}
