/**
 * Client weight: the bytes a page loads for the client, minified and gzipped, beside the peer
 * libraries people compare it with, all bundled the same way in the same run (esbuild, browser,
 * ES2022, minified; gzip at level 9).
 *
 * @module
 */
import { gzipSync } from "node:zlib";
import { bundleClientModules, ROOT } from "../local_network.ts";
import { PAGE_VARIANTS, pageFirstMessage } from "./page_first_message.ts";
import type { SectionResult } from "./common.ts";

/** What is bundled: our client's entries, and the others' default entries. */
const ENTRIES: { name: string; what: string; source: string }[] = [
  {
    name: "client.full",
    what: "the client as the network serves it (`/v1/client.js`: the package's root)",
    source: `export * from "${ROOT}mod.ts";`,
  },
  {
    name: "client.peer",
    what: "a page that uses `Peer` alone (`import { Peer }`, what a bundler keeps of the root)",
    source: `export { Peer } from "${ROOT}mod.ts";`,
  },
  {
    name: "peerjs",
    what: "PeerJS (`peerjs`, its root)",
    source: `export * from "peerjs";`,
  },
  {
    name: "trystero",
    what: "Trystero (`trystero`, its root: the Nostr strategy)",
    source: `export * from "trystero";`,
  },
  {
    name: "partysocket",
    what: "partysocket (`partysocket`, its root: a reconnecting WebSocket)",
    source: `export * from "partysocket";`,
  },
];

/** The core client's target: at most this many bytes gzipped. */
const CORE_TARGET_BYTES = 25 * 1024;

/**
 * Bundles one entry as the network bundles its client (split: the parts loaded on first use in
 * modules of their own) and gives what a page loads before its first line runs: the entry and
 * every module it imports statically, not those it imports on first use. The others' packages
 * are bundled the same way (they have no such parts: one module each).
 */
async function bundle(source: string): Promise<{ start: Uint8Array; all: number }> {
  const modules = await bundleClientModules(source);
  const start = new Set<string>();
  const visit = (path: string) => {
    if (start.has(path)) return;
    start.add(path);
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
    for (const m of modules[path].matchAll(/(?:from|import)\s*"\.\/([^"]+)"/g)) {
      visit(`${dir}${m[1]}`);
    }
  };
  visit("client.js");
  const text = [...start].map((p) => modules[p]).join("\n");
  const all = Object.values(modules).reduce((n, m) => n + m.length, 0);
  return { start: new TextEncoder().encode(text), all };
}

/**
 * Measures each entry's bytes, minified and gzipped.
 *
 * @example Usage
 * ```ts ignore
 * const section = await clientSizeBench(5);
 * ```
 *
 * @param rounds Rounds of the page timing (sizes are measured once).
 * @returns The section: one sample per size (sizes do not vary from run to run), a page's time
 *   per round.
 */
export async function clientSizeBench(rounds = 5): Promise<SectionResult> {
  const samples: Record<string, number[]> = {};
  const entries: SectionResult["entries"] = [];
  const full = ENTRIES[0].name;
  for (const e of ENTRIES) {
    const { start: bytes, all } = await bundle(e.source);
    if (all > bytes.length) {
      console.log(`${e.name}: ${(all / 1024).toFixed(1)} KiB minified with its parts`);
    }
    const gzipped = gzipSync(bytes, { level: 9 }).length;
    samples[`client_size.${e.name}.min`] = [bytes.length / 1024];
    samples[`client_size.${e.name}.gz`] = [gzipped / 1024];
    console.log(
      `${e.name.padEnd(14)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KiB minified, ${
        (gzipped / 1024).toFixed(1).padStart(6)
      } KiB gzipped`,
    );
    entries.push({
      name: `client_size.${e.name}.min`,
      unit: "KiB",
      what: `${e.what}, minified`,
      baseline: null,
    }, {
      name: `client_size.${e.name}.gz`,
      unit: "KiB",
      what: `${e.what}, minified and gzipped`,
      baseline: e.name === full ? null : `client_size.${full}.gz`,
      ...(e.name === "client.peer" ? { target: `<= ${CORE_TARGET_BYTES / 1024}` } : {}),
    });
  }
  const pages = await pageFirstMessage(rounds);
  for (const variant of PAGE_VARIANTS) {
    samples[`client_size.page.${variant}`] = pages[variant];
    entries.push({
      name: `client_size.page.${variant}`,
      unit: "ms",
      what: variant === "split"
        ? "a page's first byte to its first message, the client from `/v1/client.js` (its parts on first use)"
        : "the same page, the client as one module with everything inlined",
      baseline: variant === "split" ? "client_size.page.single" : null,
    });
  }
  return {
    title: "Client weight",
    method: [
      "Each entry bundled alone by esbuild (browser, ES2022, minified, split as the network",
      "serves its client: the parts loaded on first use, the ledger, file sharing, direct",
      "channels, the root's file store and proof checks, and scrypt, in",
      "modules of their own), then what a page loads before its first line runs (the entry and",
      "what it imports statically) gzipped at level 9 as one file, in one run. `client.full` is",
      "the module the network serves at `/v1/client.js`; `client.peer` is what a page that",
      "imports only `Peer` loads. PeerJS, Trystero and partysocket are their packages' roots,",
      "bundled the same way (one module each). Target: the",
      `client a page needs, at most ${CORE_TARGET_BYTES / 1024} KiB gzipped. Sizes do not vary`,
      "from run to run: one sample each. The pages: a page on another origin (a Deno server on",
      "loopback) imports the client, makes an identity, connects, sends to a Deno peer and waits",
      "for its answer; the figure is the page's own clock from its response's first byte",
      "(`responseStart`) to that answer, in headless Chromium, a fresh context (empty cache) each",
      "time, over a link throttled to 9 Mbit/s each way and 40 ms of latency (the browser's",
      "network emulation, which the WebSocket also goes through). `page.split` loads the client",
      "as the network serves it; `page.single` the same client as one module, everything",
      "inlined, from the page's server; the two alternate page by page, a round each.",
    ].join(" "),
    samples,
    entries,
  };
}
