/**
 * Builds the client as an npm package in `dist/npm/` and packs it: ESM JavaScript (`index.js`,
 * and `node.js`, which takes `WebSocket` from the `ws` package where the runtime has none), one
 * module per subpath of `deno.json`'s `exports` (`superpeer/protocol`, `superpeer/ledger`, …,
 * sharing their common code in `chunks/`, so that a class is the same class whichever entry
 * it came through), type declarations made by `tsc` from the same sources, and a
 * `package.json` that declares the same subpaths and the dependencies pinned in `deno.json`.
 * React, which `superpeer/react` alone imports, is left out of the bundle and declared an
 * optional peer dependency: the application's own React serves the hooks, and an application
 * without React installs none. So are werift, which `superpeer/werift` (direct channels in
 * Node) alone imports, and `@roamhq/wrtc` (native libwebrtc), which `superpeer/native` loads if
 * it is there: an application that wants direct channels outside a browser installs one.
 *
 * Usage: `deno task pack` → `dist/npm/superpeer-<version>.tgz`
 *
 * @module
 */
import * as esbuild from "esbuild";

const ROOT = new URL("../", import.meta.url).pathname;
const OUT = `${ROOT}dist/npm`;

/** A subpath of the package and the module that serves it, from `deno.json`'s `exports`. */
export interface Entry {
  /** The subpath: `"."`, `"./protocol"`, … */
  subpath: string;
  /** The source, relative to the repository: `mod.ts`, `src/protocol/mod.ts`, … */
  source: string;
  /** The module's name in the package, without `.js`: `index`, `protocol`, … */
  name: string;
}

/**
 * The package's entries, one per subpath of `deno.json`'s `exports`.
 *
 * @param exports The `exports` of `deno.json`.
 * @returns The entries, the root first.
 */
export function entries(exports: string | Record<string, string>): Entry[] {
  const map = typeof exports === "string" ? { ".": exports } : exports;
  return Object.entries(map).map(([subpath, source]) => ({
    subpath,
    source: source.replace(/^\.\//, ""),
    name: subpath === "." ? "index" : subpath.slice(2).replaceAll("/", "_"),
  })).sort((a, b) => Number(b.subpath === ".") - Number(a.subpath === "."));
}

/**
 * The modules left to the application: its React, one copy for its components and the hooks;
 * werift or the native binding, for direct channels in Node; and Node's own modules, which
 * werift's transport uses.
 */
const PEER_EXTERNALS = [
  "react",
  "react/*",
  "react-dom",
  "react-dom/*",
  "werift",
  "@roamhq/wrtc",
  "node:*",
];

/** A WebRTC package at the version `deno.json` pins (the one tested). */
function pinned(imports: Record<string, string>, name: string): string {
  const version = imports[name]?.match(/@([0-9][^/]*)$/)?.[1];
  if (!version) throw new Error(`deno.json pins no version of ${name}`);
  return version;
}

/** The React the hooks take: any since hooks as they use them (18), up to the one tested. */
function reactRange(imports: Record<string, string>): string {
  const tested = imports.react?.match(/@([0-9]+)\./)?.[1];
  if (!tested) throw new Error("deno.json pins no version of react");
  return `>=18 <${Number(tested) + 1}`;
}

/** The npm dependencies of the client, at the versions `deno.json` pins. */
function dependencies(imports: Record<string, string>): Record<string, string> {
  const version = (name: string) => {
    const spec = Object.values(imports).find((v) =>
      v.includes(`npm:${name}@`) || v.includes(`npm:/${name}@`)
    );
    const m = spec?.match(/@([0-9][^/]*)\/?$/);
    if (!m) throw new Error(`deno.json pins no version of ${name}`);
    return m[1];
  };
  return {
    "@noble/hashes": version("@noble/hashes"),
    ws: "^8.18.0",
  };
}

async function run(cmd: string, args: string[], cwd = ROOT): Promise<string> {
  const o = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(o.stdout);
  if (o.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} failed:\n${text}${new TextDecoder().decode(o.stderr)}`,
    );
  }
  return text;
}

async function noNodeImport(file: string): Promise<void> {
  if (/from\s*"node:/.test(await Deno.readTextFile(`${OUT}/${file}`))) {
    throw new Error(`${file} imports a Node module: only superpeer/werift may`);
  }
}

/** Rewrites `./x.ts` to `./x.js` in every declaration file, as a consumer's TypeScript expects. */
async function rewriteSpecifiers(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await rewriteSpecifiers(path);
    else if (entry.name.endsWith(".d.ts")) {
      const text = await Deno.readTextFile(path);
      await Deno.writeTextFile(path, text.replace(/(from\s+"\.{1,2}\/[^"]*)\.ts"/g, '$1.js"'));
    }
  }
}

/**
 * Builds and packs the package.
 *
 * @returns The tarball's path.
 */
export async function pack(): Promise<string> {
  const deno = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  await Deno.remove(OUT, { recursive: true }).catch(() => {});
  await Deno.mkdir(OUT, { recursive: true });
  const deps = dependencies(deno.imports);
  const subpaths = entries(deno.exports);
  await esbuild.build({
    entryPoints: subpaths.map((e) => ({ in: `${ROOT}${e.source}`, out: e.name })),
    outdir: OUT,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    external: ["@noble/hashes", "@noble/hashes/*", ...PEER_EXTERNALS],
    logLevel: "error",
  });
  await esbuild.stop();
  // Node's modules are left out for `superpeer/werift` alone: any other module that imported one
  // would break a browser's bundle.
  for await (const entry of Deno.readDir(`${OUT}/chunks`)) {
    await noNodeImport(`chunks/${entry.name}`);
  }
  for (const e of subpaths.filter((e) => e.subpath !== "./werift")) {
    await noNodeImport(`${e.name}.js`);
  }
  await run(Deno.execPath(), [
    "run",
    "-A",
    "npm:typescript/tsc",
    "--declaration",
    "--emitDeclarationOnly",
    "--allowImportingTsExtensions",
    "--moduleResolution",
    "bundler",
    "--module",
    "esnext",
    "--target",
    "es2022",
    "--lib",
    "es2022,dom,dom.iterable",
    "--strict",
    "--skipLibCheck",
    "--outDir",
    `${OUT}/types`,
    ...subpaths.map((e) => e.source),
    "scripts/pack_types/node_buffer.d.ts",
  ]);
  await rewriteSpecifiers(`${OUT}/types`);
  await Deno.writeTextFile(
    `${OUT}/node.js`,
    `// Node before 22 has no global WebSocket: the peer takes the one of the \`ws\` package.
if (typeof globalThis.WebSocket === "undefined") {
  const { WebSocket } = await import("ws");
  globalThis.WebSocket = WebSocket;
}
export * from "./index.js";
`,
  );
  const types = (e: Entry) => `./types/${e.source.replace(/\.ts$/, ".d.ts")}`;
  const sub = subpaths.filter((e) => e.subpath !== ".");
  const pkg = {
    name: "superpeer",
    version: deno.version,
    description:
      "Client of a superpeer network: peers, relay, direct WebRTC channels, pub/sub, mailbox and a sharded ledger with proofs checked offline.",
    type: "module",
    main: "./index.js",
    types: "./types/mod.d.ts",
    exports: {
      ".": { types: "./types/mod.d.ts", node: "./node.js", default: "./index.js" },
      ...Object.fromEntries(
        sub.map((e) => [e.subpath, { types: types(e), default: `./${e.name}.js` }]),
      ),
    },
    // For TypeScript that resolves as Node 10 did, which reads no `exports`.
    typesVersions: {
      "*": Object.fromEntries(sub.map((e) => [e.subpath.slice(2), [types(e)]])),
    },
    files: [
      "index.js",
      "node.js",
      ...sub.map((e) => `${e.name}.js`),
      "chunks",
      "types",
      "README.md",
    ],
    engines: { node: ">=20" },
    dependencies: deps,
    peerDependencies: {
      react: reactRange(deno.imports),
      werift: pinned(deno.imports, "werift"),
      "@roamhq/wrtc": pinned(deno.imports, "@roamhq/wrtc"),
    },
    peerDependenciesMeta: {
      react: { optional: true },
      werift: { optional: true },
      "@roamhq/wrtc": { optional: true },
    },
    sideEffects: ["./node.js"],
  };
  await Deno.writeTextFile(`${OUT}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  await Deno.writeTextFile(
    `${OUT}/README.md`,
    `# superpeer

The client of a superpeer network, for Node (20 or later), bundlers and browsers.

\`\`\`js
import { Identity, Peer } from "superpeer";
const peer = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
await peer.connect();
peer.send("<peer id>", "hello");
for await (const m of peer.messages()) console.log(m.from, m.data);
\`\`\`

The client is the package's root. Those who build on the protocol itself import its parts by
subpath: ${
      sub.filter((e) => !["./react", "./werift", "./native"].includes(e.subpath)).map((e) =>
        `\`superpeer/${e.subpath.slice(2)}\``
      ).join(", ")
    }. React hooks (\`useSuperpeer\`, \`useMessages\`, \`useTopic\`, \`usePresence\`,
\`useLedger\`) are \`superpeer/react\`, on the application's own React (18 or later).

Direct WebRTC channels need no more in a browser. In Node, install the native binding of
libwebrtc (\`npm install @roamhq/wrtc\`, which carries its binary) or werift (\`npm install
werift\`, WebRTC in JavaScript, slower), and give the peer the transport that loads:

\`\`\`js
import { directTransport } from "superpeer/native";
const transport = await directTransport(); // native, else werift (a page: browserTransport())
const peer = new Peer({ url, identity, direct: { transport } });
\`\`\`

In Node before 22, \`WebSocket\` comes from the \`ws\` package. Save an identity with
\`JSON.stringify(identity)\` and load it with \`await Identity.fromJSON(text)\`. The protocol and
the API are described in the project's \`docs/\`.
`,
  );
  const name = (await run("npm", ["pack", "--silent"], OUT)).trim().split("\n").at(-1)!;
  return `${OUT}/${name}`;
}

if (import.meta.main) {
  try {
    console.log(await pack());
  } catch (error) {
    const missing = error instanceof Deno.errors.NotFound;
    console.error(missing ? "npm is needed to pack: install Node.js (20 or later)" : String(error));
    Deno.exit(1);
  }
}
