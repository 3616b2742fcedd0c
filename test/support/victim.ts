/**
 * A peer behind a malicious relay, run in Deno, in Node or in Chromium with the same code (the
 * client library each runtime loads: the repository's modules, the ESM bundle, the IIFE bundle),
 * driven by a test through a few operations, and restarted as its runtime restarts: a new
 * `Peer` in Deno, a new process in Node, a reloaded page in Chromium. Its marks are kept as each
 * runtime keeps them: a file in Deno and Node, IndexedDB (the default) in Chromium.
 *
 * @module
 */
import type { Browser, Page } from "playwright-core";
import type { IdentityJson } from "../../mod.ts";
import { bundleClient, type LocalNetwork } from "../../scripts/local_network.ts";

/** What the victim saw. */
export interface VictimEvents {
  /** Messages: their data (as text) and whether they came sealed. */
  messages: { data: string; sealed: boolean }[];
  /** Mail taken. */
  mail: string[];
  /** Topic messages taken. */
  topics: string[];
  /** `seal.error` events. */
  errors: { code: string; peer: string }[];
}

/** How a victim starts. */
export interface VictimStart {
  /** The URL it dials. */
  url: string;
  /** Its identity. */
  identity: IdentityJson;
  /** Its seal policy. */
  seal: "required" | "preferred";
  /** A file for its marks (Deno, Node); unset: the runtime's default. */
  marksFile?: string;
}

/** A victim in some runtime. */
export interface Victim {
  /** Which runtime. */
  readonly runtime: string;
  /** Starts (or, after `restart`, starts again) its peer, and connects. */
  start(options: VictimStart): Promise<void>;
  /** Only dials (a rogue server that never answers): the peer is dropped by `close`. */
  dial(options: VictimStart): Promise<void>;
  /** Sends a text message. */
  send(to: string, text: string): Promise<void>;
  /** Subscribes to a topic. */
  subscribe(topic: string): Promise<void>;
  /** What it saw since it started. */
  events(): Promise<VictimEvents>;
  /** Closes its peer (which saves its marks). */
  close(): Promise<void>;
  /** Restarts its runtime: what it kept in memory is gone. */
  restart(): Promise<void>;
  /** Ends it for good. */
  dispose(): Promise<void>;
}

// The victim's code, the same in every runtime: a classic script or a module, given the
// client library as `sp`.
const VICTIM_JS = `
globalThis.makeVictim = (sp) => {
  const V = { peer: undefined, events: { messages: [], mail: [], topics: [], errors: [] } };
  const make = async ({ url, identity, seal, marksFile }) => {
    const options = { url, identity: await sp.Identity.fromJSON(identity), seal, batch: false,
      reconnect: { minDelayMs: 50, maxDelayMs: 500 } };
    if (marksFile) options.marks = sp.fileMarks(marksFile);
    return new sp.Peer(options);
  };
  return {
    async start(o) {
      const peer = await make(o);
      const e = V.events;
      peer.addEventListener("message", (m) => e.messages.push({ data: String(m.detail.data), sealed: m.detail.sealed }));
      peer.addEventListener("mail", (m) => e.mail.push(String(m.detail.data)));
      peer.addEventListener("topic", (m) => e.topics.push(String(m.detail.data)));
      peer.addEventListener("seal.error", (m) => e.errors.push({ code: m.detail.code, peer: m.detail.peer }));
      await peer.connect();
      V.peer = peer;
    },
    async dial(o) {
      V.peer = await make(o);
      V.peer.connect().catch(() => {});
    },
    async send(to, text) { V.peer.send(to, text); },
    async subscribe(topic) { await V.peer.subscribe(topic); },
    async events() { return V.events; },
    async close() {
      V.peer.close();
      await new Promise((r) => setTimeout(r, 400)); // the marks' save
    },
  };
};
`;

/**
 * The victim in this Deno process, with the repository's modules.
 *
 * @param dir A directory for its script.
 * @returns It.
 */
export async function denoVictim(dir: string): Promise<Victim> {
  const file = `${dir}/victim.mjs`;
  await Deno.writeTextFile(file, VICTIM_JS);
  await import(new URL(`file://${file}`).href);
  const sp = await import("../../mod.ts");
  type Core = Omit<Victim, "runtime" | "restart" | "dispose">;
  const make = () => (globalThis as unknown as { makeVictim(sp: unknown): Core }).makeVictim(sp);
  let core = make();
  return {
    runtime: "Deno",
    start: (o) => core.start(o),
    dial: (o) => core.dial(o),
    send: (to, text) => core.send(to, text),
    subscribe: (topic) => core.subscribe(topic),
    events: () => core.events(),
    close: () => core.close(),
    restart: () => Promise.resolve(void (core = make())),
    dispose: () => Promise.resolve(),
  };
}

/**
 * The victim in a Node process of its own, with the package's ESM bundle; a restart is a new
 * process.
 *
 * @param dir A directory for its scripts.
 * @returns It.
 */
export async function nodeVictim(dir: string): Promise<Victim> {
  await Deno.writeTextFile(`${dir}/superpeer.mjs`, await bundleClient("esm"));
  await Deno.writeTextFile(`${dir}/victim.mjs`, VICTIM_JS);
  await Deno.writeTextFile(
    `${dir}/main.mjs`,
    `import * as sp from "./superpeer.mjs";
import "./victim.mjs";
import { createInterface } from "node:readline";
const v = globalThis.makeVictim(sp);
for await (const line of createInterface({ input: process.stdin })) {
  const { id, op, args } = JSON.parse(line);
  try {
    const result = await v[op](...args);
    console.log(JSON.stringify({ id, ok: true, result }));
  } catch (error) {
    console.log(JSON.stringify({ id, ok: false, error: String(error) }));
  }
}
`,
  );
  let child: Deno.ChildProcess;
  let writer: WritableStreamDefaultWriter<Uint8Array>;
  const waiting = new Map<number, (r: { ok: boolean; result?: unknown; error?: string }) => void>();
  let next = 0;
  const spawn = () => {
    // Node 20 has WebSocket behind a flag; later versions have it by default.
    child = new Deno.Command("node", {
      args: ["--experimental-websocket", "--no-warnings", `${dir}/main.mjs`],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    writer = child.stdin.getWriter();
    (async () => {
      let buffer = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        buffer += chunk;
        for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
          const reply = JSON.parse(buffer.slice(0, i));
          buffer = buffer.slice(i + 1);
          waiting.get(reply.id)?.(reply);
          waiting.delete(reply.id);
        }
      }
    })();
  };
  const call = async <T>(op: string, ...args: unknown[]): Promise<T> => {
    const id = next++;
    const reply = new Promise<{ ok: boolean; result?: unknown; error?: string }>((r) =>
      waiting.set(id, r)
    );
    await writer.write(new TextEncoder().encode(JSON.stringify({ id, op, args }) + "\n"));
    const { ok, result, error } = await reply;
    if (!ok) throw new Error(`node victim: ${op}: ${error}`);
    return result as T;
  };
  const stop = async () => {
    await writer.close().catch(() => {});
    await child.status;
  };
  spawn();
  return {
    runtime: "Node",
    start: (o) => call("start", o),
    dial: (o) => call("dial", o),
    send: (to, text) => call("send", to, text),
    subscribe: (topic) => call("subscribe", topic),
    events: () => call("events"),
    close: () => call("close"),
    restart: async () => (await stop(), spawn()),
    dispose: async () => {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/**
 * The victim in a Chromium page on the network's origin, with the IIFE bundle; a restart
 * reloads the page. Its marks are IndexedDB's, the default in a browser.
 *
 * @param browser The browser.
 * @param net The network (its origin is the page's).
 * @returns It.
 */
export async function chromiumVictim(browser: Browser, net: LocalNetwork): Promise<Victim> {
  const page: Page = await browser.newPage();
  const client = await bundleClient("iife");
  const load = async () => {
    await page.goto(`${net.url}/v1/health`);
    await page.addScriptTag({ content: client });
    await page.addScriptTag({ content: VICTIM_JS });
    await page.evaluate(() => {
      const g = globalThis as unknown as Record<string, unknown>;
      g.victim = (g.makeVictim as (sp: unknown) => unknown)(g.superpeer);
    });
  };
  const call = <T>(op: string, ...args: unknown[]): Promise<T> =>
    page.evaluate(
      ([op, args]) => {
        const v = (globalThis as unknown as Record<string, Record<string, CallableFunction>>)
          .victim;
        return v[op as string](...(args as unknown[]));
      },
      [op, args] as const,
    ) as Promise<T>;
  await load();
  return {
    runtime: "Chromium",
    // The page keeps its marks where a browser does: IndexedDB.
    start: ({ marksFile: _, ...o }) => call("start", o),
    dial: ({ marksFile: _, ...o }) => call("dial", o),
    send: (to, text) => call("send", to, text),
    subscribe: (topic) => call("subscribe", topic),
    events: () => call("events"),
    close: () => call("close"),
    restart: load,
    dispose: () => page.close(),
  };
}
