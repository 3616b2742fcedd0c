/**
 * A local superpeer network on real workerd, driven by Miniflare: the Worker bundled by
 * esbuild the way wrangler bundles it (ES module, `cloudflare:*` left to the runtime),
 * SQLite-backed Durable Objects persisted in a directory, and a fixed loopback port so that
 * a restart on the same state keeps client URLs valid.
 *
 * @module
 */
import { Miniflare } from "miniflare";
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { DEFAULT_LIMITS } from "../src/protocol/mod.ts";
import { shardName } from "../src/routing/mod.ts";

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** The compatibility date of `wrangler.toml`, read so the two never drift apart. */
export const COMPATIBILITY_DATE = /compatibility_date\s*=\s*"([^"]+)"/.exec(
  Deno.readTextFileSync(`${ROOT}wrangler.toml`),
)![1];

/**
 * The header through which a test acts as many client addresses from one loopback socket
 * (`CLIENT_ADDRESS_TEST_HEADER`): every network started here trusts it, unless the test turns
 * on the production setting `CLIENT_ADDRESS_HEADER`, beside which it is refused.
 */
export const TEST_ADDRESS_HEADER = "x-test-client-address";

let built: Promise<string> | undefined;

/**
 * Bundles `workers/entry.ts` once per process.
 *
 * @returns The path of the bundled module.
 */
export function buildWorker(): Promise<string> {
  built ??= (async () =>
    bundleWorker(`${ROOT}workers/entry.ts`, `${ROOT}.build/test/worker.js`, {
      ...await embeddedModules(),
    }))();
  return built;
}

/**
 * The modules the Worker serves, as esbuild `define`s: the client (`/v1/client.js`) and the
 * network page's script (`/v1/page.js`).
 *
 * @returns The defines.
 */
export async function embeddedModules(): Promise<Record<string, string>> {
  return {
    __SUPERPEER_CLIENT__: JSON.stringify(await bundleClientModules()),
    __SUPERPEER_PAGE__: JSON.stringify(await bundlePage()),
  };
}

/**
 * How a module a page loads is bundled: one ES module for the browser, minified, everything
 * inlined. The network's own modules (`/v1/client.js`, `/v1/page.js`) are built so, and the
 * client-weight benchmark and test measure the client so.
 *
 * @example Usage
 * ```ts ignore
 * const out = await esbuild.build({ ...PAGE_MODULE, entryPoints: ["mod.ts"] });
 * ```
 */
export const PAGE_MODULE = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  write: false,
  logLevel: "error",
} as const satisfies esbuild.BuildOptions;

/** Where the Worker serves the client's split modules, under `/v1/`. */
const CLIENT_OUT = "/v1";

/**
 * Bundles the client as the network serves it: the package's root at `/v1/client.js`, and the
 * parts it loads on first use (the ledger, file sharing, scrypt) and the code they share as
 * modules of their own under `/v1/client/`, named by their content's hash, so that a browser
 * keeps them for good.
 *
 * @example Usage
 * ```ts ignore
 * const modules = await bundleClientModules();
 * console.log(Object.keys(modules)); // ["client.js", "client/peer_swarm-….js", …]
 * ```
 *
 * @param source The entry's source (default: the package's root, all of it).
 * @returns Each module's source, by its path under `/v1/`.
 */
export async function bundleClientModules(
  source = `export * from "${ROOT}mod.ts";`,
): Promise<Record<string, string>> {
  const result = await esbuild.build({
    ...PAGE_MODULE,
    stdin: { contents: source, resolveDir: ROOT, loader: "ts" },
    splitting: true,
    outdir: CLIENT_OUT,
    entryNames: "client",
    chunkNames: "client/[name]-[hash]",
  });
  await esbuild.stop();
  const modules = Object.fromEntries(
    result.outputFiles.map((f) => [f.path.slice(CLIENT_OUT.length + 1), f.text]),
  );
  // A chunk with no code (a shared file whose every line is a type) is still imported, for
  // its side effects, which it has none of: left out, it costs a page no request.
  for (const [path, text] of Object.entries(modules)) {
    if (text.trim() !== "") continue;
    delete modules[path];
    const name = path.slice(path.lastIndexOf("/") + 1).replaceAll(".", "\\.");
    const bare = new RegExp(`import\\s*"\\./(client/)?${name}";?`, "g");
    for (const [other, code] of Object.entries(modules)) modules[other] = code.replace(bare, "");
  }
  return modules;
}

/**
 * Bundles the network page's script (`src/page/main.ts`): the package's root (the client)
 * stays out of it, imported at run time from `/v1/client.js`, which the browser has cached;
 * what the page takes from a subpath (a Merkle walk, the `$stats` topic) is bundled in.
 *
 * @returns The module's source.
 */
export async function bundlePage(): Promise<string> {
  const result = await esbuild.build({
    ...PAGE_MODULE,
    entryPoints: [`${ROOT}src/page/main.ts`],
    plugins: [{
      name: "client-from-the-network",
      setup(build) {
        build.onResolve(
          { filter: /(^|\/)mod\.ts$/ },
          (args) =>
            args.importer.includes("/src/page/") &&
              resolve(dirname(args.importer), args.path) === `${ROOT}mod.ts`
              ? { path: "/v1/client.js", external: true }
              : undefined,
        );
      },
    }],
  });
  await esbuild.stop();
  return result.outputFiles[0].text;
}

/**
 * Bundles a Worker module for workerd, the way wrangler does.
 *
 * @param entry The entry module's path.
 * @param outfile Where to write the bundle.
 * @param define Constants to replace, as esbuild's `define` (the client module's source).
 * @returns `outfile`.
 */
export async function bundleWorker(
  entry: string,
  outfile: string,
  define: Record<string, string> = {},
): Promise<string> {
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*", "node:*"],
    define,
    outfile,
    logLevel: "error",
  });
  await esbuild.stop();
  return outfile;
}

/** Options of {@linkcode startNetwork}. */
export interface NetworkOptions {
  /** Shard count. @default 4 */
  shards?: number;
  /** Network id. @default "test" */
  network?: string;
  /** Limit overrides, by name. */
  limits?: Record<string, number>;
  /** Directory of persisted state. @default a new temporary directory */
  persistDir?: string;
  /** A bundled Worker to run. @default the bundle of {@linkcode buildWorker} */
  scriptPath?: string;
  /** More vars, e.g. `GENESIS`, `FAUCET`, `NETWORK_SECRET`. */
  vars?: Record<string, string>;
  /**
   * The `VERIFIER` binding, as Miniflare takes service bindings (default: the Worker's own
   * `Verifier` entrypoint); `{}` leaves it out, so that a super-peer checks signatures itself.
   */
  verifier?: Record<string, unknown>;
  /**
   * Takes each line workerd prints (the log's JSON lines among them). @default print all but
   * the `info` events, which every block and start would add to a test's output
   */
  logs?: (line: string) => void;
  /** A loopback port for workerd's inspector (heap snapshots, profiles). @default none */
  inspectorPort?: number;
  /**
   * The address workerd listens on: loopback, or an address of a network namespace the caller
   * made (the NAT matrix serves its peers there). @default "127.0.0.1"
   */
  host?: string;
  /**
   * Another Worker run by the same workerd process, answering the paths under its `prefix`
   * (a benchmark's baseline, so that both share one process and its scheduling). @default none
   */
  beside?: BesideWorker;
}

/** A Worker beside the network's, in the same workerd: see {@linkcode NetworkOptions}. */
export interface BesideWorker {
  /** Its bundled module (no imports). */
  scriptPath: string;
  /** The path prefix it answers, e.g. `/bare`. */
  prefix: string;
  /** Its Durable Object classes, by binding name. */
  durableObjects: Record<string, string>;
}

/** Prints a line of workerd's output unless it is an `info` event of the log. */
function quietInfo(line: string): void {
  if (line.includes('"event":') && line.includes('"level":"info"')) return;
  console.log(line);
}

/** A running local network. */
export interface LocalNetwork {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** The network id. */
  readonly network: string;
  /** Where its state is persisted. */
  readonly persistDir: string;
  /**
   * Stops workerd and starts it again on the same port and the same state.
   *
   * @param vars Variables to set anew (an empty string unsets one), e.g. other `FAILPOINTS`.
   */
  restart(vars?: Record<string, string>): Promise<void>;
  /**
   * Kills workerd at once (`SIGKILL`, as a crash or `kill -9`), with no shutdown of any kind;
   * `restart` brings it back on its state.
   */
  kill(): Promise<void>;
  /**
   * Asks the network to grow to `to` shards, as the operator does (`POST /v1/admin/grow`).
   *
   * @param to The shard count.
   * @param token The network's `ADMIN_TOKEN`.
   * @returns The answer, unread.
   */
  grow(to: unknown, token: string): Promise<Response>;
  /** Stops workerd and removes the state it created. */
  dispose(): Promise<void>;
  /**
   * Calls a shard's super-peer straight, by its RPC method, past the edge and the verifier:
   * what code inside the deployment could do (tests of what a shard trusts).
   */
  callShard(shard: number, method: string, ...args: unknown[]): Promise<unknown>;
}

/**
 * A TCP port free now, on loopback or on the address given.
 *
 * @param hostname The address. @default "127.0.0.1"
 * @returns The port.
 */
export function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * Starts a local network on real workerd.
 *
 * @param options Shards, network id, limits, state directory.
 * @returns The running network.
 */
export async function startNetwork(options: NetworkOptions = {}): Promise<LocalNetwork> {
  const scriptPath = options.scriptPath ?? await buildWorker();
  const network = options.network ?? "test";
  const ownDir = options.persistDir === undefined;
  const persistDir = options.persistDir ?? await Deno.makeTempDir({ prefix: "superpeer-test-" });
  const main = {
    name: "",
    modules: true,
    modulesRoot: dirname(scriptPath),
    scriptPath,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: {
      NETWORK_ID: network,
      SHARD_COUNT: String(options.shards ?? 4),
      ...(options.limits ? { LIMIT_OVERRIDES: JSON.stringify(options.limits) } : {}),
      ...(options.vars?.CLIENT_ADDRESS_HEADER
        ? {}
        : { CLIENT_ADDRESS_TEST_HEADER: TEST_ADDRESS_HEADER }),
      ...options.vars,
    },
    durableObjects: { SUPER_PEER: { className: "SuperPeer", useSQLite: true } },
    // The verifier, as `wrangler.toml` binds it: this Worker's own `Verifier` entrypoint.
    serviceBindings: options.verifier ?? { VERIFIER: { name: "", entrypoint: "Verifier" } },
    // The edge's Rate Limiting binding, as `wrangler.toml` declares it, at the limit in force.
    ratelimits: {
      EDGE_LIMITER: {
        namespace_id: "1001",
        simple: {
          limit: options.limits?.EDGE_REQUESTS_PER_10_SECONDS ??
            DEFAULT_LIMITS.EDGE_REQUESTS_PER_10_SECONDS,
          period: 10,
        },
      },
    },
  };
  const beside = options.beside;
  const workers = beside
    ? [main, {
      name: "beside",
      modules: true,
      scriptPath: beside.scriptPath,
      compatibilityDate: COMPATIBILITY_DATE,
      routes: [`*${beside.prefix}*`],
      durableObjects: Object.fromEntries(
        Object.entries(beside.durableObjects).map(([k, className]) => [
          k,
          { className, useSQLite: true },
        ]),
      ),
    }]
    : [main];
  // workerd picks the first port itself (port 0): a port found free beforehand can be taken
  // by another socket before workerd binds it. A restart keeps the port clients know.
  const host = options.host ?? "127.0.0.1";
  // Off loopback, workerd's URL as Miniflare reports it is its loopback socket: the port is
  // chosen here, on an address the caller's namespace alone has.
  let port = options.host ? freePort(host) : 0;
  const make = () =>
    new Miniflare({
      host,
      port,
      ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
      workers,
      durableObjectsPersist: persistDir,
      handleStructuredLogs: ({ message }: { message: string }) => {
        (options.logs ?? quietInfo)(message);
      },
    });
  let mf = make();
  if (port === 0) port = Number((await mf.ready).port);
  else await mf.ready;
  return {
    url: `http://${host}:${port}`,
    network,
    persistDir,
    async restart(vars?: Record<string, string>) {
      await mf.dispose().catch(() => {});
      for (const [name, value] of Object.entries(vars ?? {})) {
        const bindings = main.bindings as Record<string, string>;
        if (value === "") delete bindings[name];
        else bindings[name] = value;
      }
      // The old process's socket can linger a moment after it exits.
      for (let attempt = 1;; attempt++) {
        mf = make();
        try {
          await mf.ready;
          return;
        } catch (error) {
          await mf.dispose().catch(() => {});
          if (attempt >= 20 || !String(error).includes("ADDRESS_IN_USE")) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    grow(to, token) {
      return fetch(`http://${host}:${port}/v1/admin/grow`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ to }),
      });
    },
    async kill() {
      // The process that listens on the network's port is workerd.
      const listening = async () => {
        const out = await new Deno.Command("ss", { args: ["-Hltnp", `sport = :${port}`] })
          .output();
        return [...new TextDecoder().decode(out.stdout).matchAll(/pid=(\d+)/g)]
          .map((m) => Number(m[1]));
      };
      const pids = new Set(await listening());
      if (pids.size === 0) throw new Error(`No process listens on port ${port}`);
      for (const pid of pids) Deno.kill(pid, "SIGKILL");
      for (let t = 0; t < 250 && (await listening()).length > 0; t++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async callShard(shard, method, ...args) {
      const ns = await mf.getDurableObjectNamespace("SUPER_PEER") as unknown as {
        idFromName(name: string): unknown;
        get(id: unknown): Record<string, (...a: unknown[]) => Promise<unknown>>;
      };
      const stub = ns.get(ns.idFromName(shardName(network, shard)));
      return await stub[method](...args);
    },
    async dispose() {
      await mf.dispose();
      if (ownDir) await Deno.remove(persistDir, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Bundles the client library (`mod.ts`) for a browser or Node, as the code a page or app
 * would ship.
 *
 * @param format `"iife"` (global `superpeer`) for a page, `"esm"` for Node, `"esm-browser"`
 *   for a page's `import` (minified: the module the Worker serves at `/v1/client.js`).
 * @returns The bundle's source.
 */
export async function bundleClient(format: "iife" | "esm" | "esm-browser"): Promise<string> {
  if (format === "esm-browser") {
    const result = await esbuild.build({ ...PAGE_MODULE, entryPoints: [`${ROOT}mod.ts`] });
    await esbuild.stop();
    return result.outputFiles[0].text;
  }
  const browser = format !== "esm";
  const result = await esbuild.build({
    entryPoints: [`${ROOT}mod.ts`],
    bundle: true,
    format: format === "iife" ? "iife" : "esm",
    globalName: format === "iife" ? "superpeer" : undefined,
    platform: browser ? "browser" : "node",
    target: "es2022",
    legalComments: "none",
    write: false,
    logLevel: "error",
  });
  await esbuild.stop();
  return result.outputFiles[0].text;
}
