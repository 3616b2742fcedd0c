// Sealing across runtimes: a Chromium page, on the client module the network serves, and a
// Deno peer seal and open each other's messages, mail and shared-key publishes, and what the
// relay hands the Deno peer holds none of it in clear.
import { launchChromium } from "../../support/chromium.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, take, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { tappedSocket } from "../../support/tap.ts";
import type { MailEvent, SealError, TopicEvent } from "../../../src/client/mod.ts";
import { decodeFrame, FRAME_BATCH, readBatch } from "../../../src/protocol/mod.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const MARK = "plaintext-marker-c0de";

Deno.test(
  "sealed in a browser: Chromium and Deno seal and open each other's messages",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    const browser = await launchChromium();
    try {
      const binary: Uint8Array[] = [];
      const texts: string[] = [];
      const deno = await connectPeer(net, {
        // Binary and text messages alike pass the test on their way to the Deno peer.
        WebSocket: tappedSocket(
          (b, deliver) => (binary.push(b.slice()), deliver(b)),
          (t) => texts.push(t),
        ),
      });
      const errors: SealError[] = [];
      deno.addEventListener("seal.error", (e) => errors.push((e as CustomEvent<SealError>).detail));
      const topics: TopicEvent[] = [];
      deno.addEventListener("topic", (e) => topics.push((e as CustomEvent<TopicEvent>).detail));
      await deno.subscribe("club", { key: "shared by both" });
      const tab = await browser.newPage();
      const pageErrors: string[] = [];
      tab.on("pageerror", (e) => pageErrors.push(String(e)));
      await tab.goto(`${net.url}/v1/health`);
      const ws = net.url.replace("http:", "ws:");
      // The page: a default Peer (sealing required) that answers each message with its echo.
      const pageId = await tab.evaluate(async ({ base, ws, mark }) => {
        const { Identity, Peer } = await import(`${base}/v1/client.js`);
        const peer = new Peer({ url: ws, identity: await Identity.generate() });
        const g = globalThis as Record<string, unknown>;
        g.sealErrors = [];
        peer.addEventListener(
          "seal.error",
          (e: CustomEvent) => (g.sealErrors as unknown[]).push(e.detail),
        );
        peer.addEventListener("message", (e: CustomEvent) => {
          const data = e.detail.data;
          const text = typeof data === "string" ? data : `${data.length} bytes`;
          peer.send(e.detail.from, `echo: ${text}`);
        });
        await peer.connect();
        g.peer = peer;
        g.publish = () => peer.publish("club", `${mark} from the page`, { key: "shared by both" });
        return peer.peerId as string;
      }, { base: net.url, ws, mark: MARK });
      const inbox = deno.messages();
      deno.send(pageId, `ping ${MARK}`);
      deno.send(pageId, new TextEncoder().encode(`${MARK} bytes`));
      const echoes = await take(inbox, 2, 15_000);
      assertEquals(echoes.map((m) => m.data), [
        `echo: ping ${MARK}`,
        `echo: ${MARK.length + 6} bytes`,
      ]);
      // Mail sealed by the page to Deno's identity, and a shared-key publish.
      await tab.evaluate(async ({ to, mark }) => {
        const g = globalThis as Record<string, unknown>;
        await (g.peer as { sendMail(to: string, data: string): Promise<unknown> }).sendMail(
          to,
          `${mark} by mail`,
        );
        await (g.publish as () => Promise<number>)();
      }, { to: deno.peerId, mark: MARK });
      const mail: MailEvent[] = [];
      deno.addEventListener("mail", (e) => mail.push((e as CustomEvent<MailEvent>).detail));
      // Both ends stretch the passphrase with scrypt first (about a second each, more when loaded).
      await waitUntil(() => mail.length === 1 && topics.length === 1, 30_000);
      assertEquals(mail[0].data, `${MARK} by mail`);
      assertEquals([topics[0].from, topics[0].data], [pageId, `${MARK} from the page`]);
      // What the relay delivered to Deno: sealed frames from the page, none in clear.
      const frames = binary.flatMap((b) => b[0] === FRAME_BATCH ? readBatch(b).frames : [b])
        .map((f) => decodeFrame(f)).flatMap((d) => d.ok ? [d.frame] : []);
      assert(frames.some((f) => f.peer === pageId && f.sealed), "the page sealed");
      assert(frames.every((f) => f.peer !== pageId || f.sealed), "the page sent nothing in clear");
      const latin1 = new TextDecoder("latin1");
      assert(binary.every((b) => !latin1.decode(b).includes(MARK)), "no plaintext in frames");
      const json = texts.filter((t) => t.startsWith("{")).map((t) => JSON.parse(t));
      assert(json.some((m) => m.t === "mail" && m.sealed), "the mail came sealed");
      assert(
        json.some((m) => m.t === "topic" && m.sealed && m.sig),
        "the publish came signed, sealed",
      );
      assert(texts.every((t) => !t.includes(MARK)), "no plaintext in mail or topic messages");
      assertEquals(errors, []);
      assertEquals(
        await tab.evaluate(() => (globalThis as Record<string, unknown>).sealErrors),
        [],
      );
      assertEquals(pageErrors, []);
      deno.close();
    } finally {
      await browser.close();
      await net.dispose();
    }
  },
);
