// The React hooks in Chromium: a React app on all five hooks (hooks_app.ts, bundled with
// esbuild) and a Deno peer exchange a message, publishes, presence joins and leaves and
// payments, and the DOM shows each. New options objects on every render open no second
// socket; a component that unmounts ends its subscription, and the app's unmount closes its
// peer, which the network announces as gone.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import { startNetwork } from "../../../scripts/local_network.ts";
import { launchChromium } from "../../support/chromium.ts";
import { connectPeer, take, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import type { PresenceEvent, TopicEvent } from "../../../mod.ts";
import type { Hooks } from "./hooks_app.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const TOPIC = "react-room";

/** The app, bundled for the page as an application would ship it (React's production build). */
async function bundleApp(): Promise<string> {
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL("hooks_app.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    define: { "process.env.NODE_ENV": '"production"' },
    write: false,
    logLevel: "error",
  });
  await esbuild.stop();
  return result.outputFiles[0].text;
}

Deno.test(
  "react hooks: a React app and a Deno peer talk, publish, see each other, pay",
  opts,
  async () => {
    // One after the other: the network's build and the app's share esbuild's service, which
    // each stops when done.
    const net = await startNetwork({
      shards: 2,
      vars: { FAUCET: "on" },
      limits: { BLOCK_INTERVAL_MS: 300 },
    });
    const app = await bundleApp();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => {
        // The browser asks the network for an icon it does not serve.
        if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) {
          errors.push(`${m.text()} ${m.location().url}`);
        }
      });
      // On a page the network itself served from loopback: a response made up by the test
      // would count as from a public address, and Chromium then blocks its local sockets.
      await page.goto(`${net.url}/v1/health`);
      await page.evaluate((config) => {
        document.body.innerHTML = '<div id="app"></div>';
        (globalThis as Record<string, unknown>).hooksConfig = config;
      }, { url: net.url, network: net.network, topic: TOPIC });
      await page.addScriptTag({ content: app, type: "module" });
      const text = (id: string) => page.textContent(`#${id}`).then((t) => t ?? "");
      const items = (id: string) => page.$$eval(`#${id} li`, (li) => li.map((e) => e.textContent));
      // Waits for what the DOM or the network shows, and fails saying what never came.
      const until = async (what: string, test: () => Promise<boolean>, ms = 10_000) => {
        await waitUntil(test, ms);
        if (!await test()) {
          const shown = { status: await text("status"), error: await text("error"), errors };
          throw new Error(`never: ${what}: ${JSON.stringify(shown)}`);
        }
        if (Deno.env.get("HOOKS_TRACE")) console.log(`${performance.now().toFixed(0)} ms: ${what}`);
      };
      // The app's handle, as the page sees it (a function run in the page names no outer variable).
      type Page = { hooks: Hooks };
      await until("connected", async () => await text("status") === "connected");
      const me = await text("peer-id");
      assert(me.length > 20, `the DOM names the React peer: ${me}`);

      // Presence: a Deno peer joins and subscribes; the React app lists it.
      const deno = await connectPeer(net);
      await deno.subscribe(TOPIC);
      await until(
        "the Deno peer listed online",
        async () => (await items("online")).includes(deno.peerId),
      );

      // Messages: three in, the last two shown (max 2); none from itself; one out.
      const inbox = deno.messages();
      for (const m of ["one", "two", "three"]) deno.send(me, m);
      await until(
        "the last two messages",
        async () => JSON.stringify(await items("inbox")) === JSON.stringify(["two", "three"]),
      );
      assertEquals(await items("from-self"), [], "filtered by sender");
      // The session the Deno peer's messages made carries it at once.
      const sent = await page.evaluate(
        (to) => (globalThis as unknown as Page).hooks.send(to, "hi from react"),
        deno.peerId,
      );
      assertEquals(sent, "sent");
      assertEquals((await take(inbox, 1, 10_000))[0].data, "hi from react");

      // Topic: the Deno peer's publish shown; the React app's publish heard.
      await until("subscribed", async () => await text("subscribed") === "true");
      // The Deno peer hears its own publish too: the React app's is the one from it.
      const heard = new Promise<TopicEvent>((resolve) =>
        deno.on("topic", (t) => t.from === me && resolve(t))
      );
      await deno.publish(TOPIC, "from deno");
      await until(
        "the publish shown",
        async () => (await items("publishes")).includes("from deno"),
      );
      await page.click("#publish");
      assertEquals((await heard).data, "from react");

      // Ledger: a payment in shows in the balance; a payment out too, and reaches the Deno peer.
      const paid = await fetch(`${net.url}/v1/faucet`, {
        method: "POST",
        body: JSON.stringify({ account: deno.peerId }),
      }).then((r) => r.json());
      await deno.ledger.waitForBlock(paid.hash, deno.peerId);
      const start = BigInt((await deno.ledger.balance()).balance);
      assert((await deno.ledger.transfer(me, 25n)).ok, "the Deno peer pays");
      await until("balance 25", async () => await text("balance") === "25");
      assertEquals(
        await page.evaluate(
          (to) => (globalThis as unknown as Page).hooks.transfer(to, 10),
          deno.peerId,
        ),
        true,
      );
      assertEquals([await text("balance"), await text("last"), await text("pending")], [
        "15",
        "ok",
        "0",
      ]);
      await until(
        "the Deno peer credited",
        async () => BigInt((await deno.ledger.balance()).balance) === start - 15n,
      );

      // Leaves: another peer comes and goes, and the list follows.
      const other = await connectPeer(net);
      await other.subscribe(TOPIC);
      await until("the other listed", async () => (await items("online")).includes(other.peerId));
      other.close();
      await until("the other gone", async () => !(await items("online")).includes(other.peerId));
      assertEquals(await items("online"), [deno.peerId]);

      // Renders with new options objects: the same peer, the same one socket.
      const before = await page.evaluate(() => (globalThis as unknown as Page).hooks.renders);
      for (let i = 1; i <= 5; i++) {
        await page.evaluate(() => (globalThis as unknown as Page).hooks.rerender());
        await until(`render ${i}`, async () => await text("tick") === String(i));
      }
      const after = await page.evaluate(() => {
        const h = (globalThis as unknown as Page).hooks;
        return { renders: h.renders, sockets: h.sockets };
      });
      assert(after.renders >= before + 5, `rendered again: ${before} → ${after.renders}`);
      assertEquals([after.sockets, await text("peer-id"), await text("status")], [
        1,
        me,
        "connected",
      ]);

      // Unmounting the topic's component ends the subscription: discovery stops listing it.
      const listed = async () =>
        (await deno.findPeers({ topic: TOPIC })).some((p) => p.peer === me);
      assert(await listed(), "the React peer is subscribed while the component is mounted");
      await page.evaluate(() => (globalThis as unknown as Page).hooks.showTopic(false));
      await until("unsubscribed", async () => !await listed());

      // Unmounting the app closes its peer: the network announces it gone.
      await deno.subscribe("$presence");
      const left = new Promise<void>((resolve) =>
        deno.on("presence", (p: PresenceEvent) => p.peer === me && p.event === "leave" && resolve())
      );
      await page.evaluate(() => (globalThis as unknown as Page).hooks.unmount());
      await Promise.race([
        left,
        new Promise((_, reject) => setTimeout(() => reject(new Error("no leave")), 10_000)),
      ]);
      assertEquals((await deno.lookup(me)).online, false);
      assertEquals(errors, []);
      deno.close();
    } finally {
      await browser.close();
      await net.dispose();
    }
  },
);
