/**
 * One peer of the NAT matrix in headless Chromium, run inside a lab host's namespace: a page
 * of the network's origin with the client bundle, whose `Peer` uses the browser's own WebRTC.
 * Same commands as `agent.ts` (`agent_loop.ts`).
 *
 * Usage: `deno run -A scripts/nat/browser_agent.ts <ws url> <network id> [client bundle file]`
 *
 * @module
 */
import { launchChromium } from "../../test/support/chromium.ts";
import { bundleClient } from "../local_network.ts";
import { serveCommands } from "./agent_loop.ts";

const [url, network, bundleFile] = Deno.args;
const origin = new URL(url.replace("ws:", "http:")).origin;
const browser = await launchChromium([
  // Host candidates as addresses, not mDNS names the other side could not resolve here.
  "--disable-features=WebRtcHideLocalIpsWithMdns",
  // The lab's server is plain HTTP off loopback: let its page have WebCrypto, as on HTTPS.
  `--unsafely-treat-insecure-origin-as-secure=${origin}`,
]);
const page = await browser.newPage();
await page.goto(`${origin}/v1/health`);
await page.addScriptTag({
  content: bundleFile ? await Deno.readTextFile(bundleFile) : await bundleClient("iife"),
});
const id = await page.evaluate(async ({ url, network }) => {
  // deno-lint-ignore no-explicit-any
  const { Identity, Peer } = (globalThis as any).superpeer;
  const peer = new Peer({
    url,
    network,
    identity: await Identity.generate(),
    reconnect: { minDelayMs: 100, maxDelayMs: 1_000 },
    direct: { threshold: 4, retryMs: 1_000 },
  });
  await peer.connect();
  const state = {
    remote: "",
    sent: 0,
    next: 0,
    doubled: 0,
    skipped: 0,
    via: {},
    errors: [] as string[],
  };
  // deno-lint-ignore no-explicit-any
  peer.addEventListener("error", (e: any) => state.errors.push(e.detail.code));
  // deno-lint-ignore no-explicit-any
  peer.addEventListener("message", (e: any) => {
    const n = Number(e.detail.data);
    const via = state.via as Record<string, number>;
    via[e.detail.via] = (via[e.detail.via] ?? 0) + 1;
    if (n === state.next) state.next++;
    else if (n < state.next) state.doubled++;
    else (state.skipped += n - state.next, state.next = n + 1);
  });
  // deno-lint-ignore no-explicit-any
  (globalThis as any).agent = { peer, state, timer: 0 };
  return peer.peerId as string;
}, { url, network });

// deno-lint-ignore no-explicit-any
type Agent = { peer: any; state: any; timer: ReturnType<typeof setInterval> };
await serveCommands(id, {
  remote: (remote) =>
    page.evaluate(
      (r) => void ((globalThis as unknown as { agent: Agent }).agent.state.remote = r),
      remote,
    ),
  stream: (everyMs) =>
    page.evaluate((ms) => {
      const a = (globalThis as unknown as { agent: Agent }).agent;
      a.timer = setInterval(() => a.peer.send(a.state.remote, String(a.state.sent++)), ms);
    }, everyMs),
  stop: () =>
    page.evaluate(() => clearInterval((globalThis as unknown as { agent: Agent }).agent.timer)),
  status: () =>
    page.evaluate(async () => {
      const { peer, state } = (globalThis as unknown as { agent: Agent }).agent;
      return {
        sent: state.sent,
        received: state.next,
        doubled: state.doubled,
        skipped: state.skipped,
        via: state.via,
        route: await peer.route(state.remote),
        errors: state.errors,
      };
    }),
  quit: async () => {
    await page.evaluate(() => (globalThis as unknown as { agent: Agent }).agent.peer.close());
    await browser.close();
    Deno.exit(0);
  },
});
