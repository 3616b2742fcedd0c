// The examples, run as their READMEs say: the chat page in two Chromium tabs (a room and a
// direct message), and the Node echo bot answering a Deno peer.
import { launchChromium } from "../../support/chromium.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { serveChat } from "../../../scripts/example_chat.ts";
import { connectPeer, take } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { tappedSocket } from "../../support/tap.ts";
import { decodeFrame, FRAME_BATCH, readBatch } from "../../../src/protocol/mod.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ROOT = new URL("../../../", import.meta.url).pathname;
const MARK = "plaintext-marker-4c1d";

Deno.test("examples: two chat tabs talk in a room and directly", opts, async () => {
  const net = await startNetwork({ shards: 4 });
  const browser = await launchChromium();
  const server = serveChat(0);
  try {
    const url = `http://127.0.0.1:${server.addr.port}/?network=${encodeURIComponent(net.url)}`;
    const errors: string[] = [];
    const open = async () => {
      const tab = await browser.newPage();
      tab.on("pageerror", (e) => errors.push(String(e)));
      tab.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      await tab.goto(url);
      await tab.waitForSelector("body[data-ready]", { timeout: 15_000 });
      return tab;
    };
    const alice = await open();
    const bob = await open();
    const idOf = (tab: typeof alice) => tab.textContent("#me");
    const log = (tab: typeof alice) => tab.textContent("#log");
    // Alice writes in the room, with the keyboard.
    await alice.focus("#text");
    await alice.keyboard.type("hello room");
    await alice.keyboard.press("Enter");
    await bob.waitForFunction(() =>
      document.querySelector("#log")!.textContent!.includes("hello room")
    );
    // Bob answers Alice directly.
    await bob.fill("#to", (await idOf(alice))!);
    await bob.fill("#text", "just you");
    await bob.click("button[type=submit]");
    await alice.waitForFunction(() =>
      document.querySelector("#log")!.textContent!.includes("just you")
    );
    assert((await log(alice))!.includes(`direct from ${await idOf(bob)}: just you`));
    await alice.screenshot({ path: `${ROOT}.build/chat.png` });
    assertEquals(errors, []);
  } finally {
    await server.shutdown();
    await browser.close();
    await net.dispose();
  }
});

Deno.test("examples: the Node echo bot answers a Deno peer", opts, async () => {
  const net = await startNetwork({ shards: 4 });
  const bot = new Deno.Command(Deno.execPath(), {
    args: ["task", "example:node"],
    cwd: ROOT,
    env: { SUPERPEER_URL: net.url.replace("http:", "ws:") },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const decoder = new TextDecoder();
  const reading = (async () => {
    for await (const chunk of bot.stdout) out += decoder.decode(chunk, { stream: true });
  })();
  try {
    const end = Date.now() + 60_000;
    while (!/echo bot (\S+) on/.test(out) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const botId = /echo bot (\S+) on/.exec(out)?.[1];
    assert(botId, `the bot says who it is: ${out}`);
    // The pair seals by default, Deno and Node alike: what the relay delivered here holds
    // the echo, but not in clear.
    const seen: Uint8Array[] = [];
    const me = await connectPeer(net, {
      WebSocket: tappedSocket((bytes, deliver) => (seen.push(bytes.slice()), deliver(bytes))),
    });
    const inbox = me.messages();
    me.send(botId, `ping ${MARK}`);
    assertEquals((await take(inbox, 1, 15_000))[0].data, `echo: ping ${MARK}`);
    const latin1 = new TextDecoder("latin1");
    const frames = seen.flatMap((b) => b[0] === FRAME_BATCH ? readBatch(b).frames : [b])
      .map((f) => decodeFrame(f)).flatMap((d) => d.ok ? [d.frame] : []);
    assert(frames.some((f) => f.sealed && f.peer === botId), "the bot sealed its answer");
    assert(seen.every((b) => !latin1.decode(b).includes(MARK)), "no plaintext on the relay");
    me.close();
  } finally {
    try {
      bot.kill("SIGINT");
    } catch {
      // It ended already (its failure is the assertion's to tell).
    }
    await bot.status;
    await reading;
    await bot.stderr.cancel().catch(() => {});
    await net.dispose();
  }
});
