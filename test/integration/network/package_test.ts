// The npm package as someone outside this repository gets it: packed, installed with npm into
// an empty project, imported by a Node script that connects, sends, receives and pays on a
// local network, its root and every subpath used in Node 20 and Node 22 and in Deno,
// type-checked by TypeScript (as Node resolves, as a bundler does, and as Node 10 did), the
// hooks of `superpeer/react` on the application's React (never bundled), and
// bundled for a browser with every subpath.
import * as esbuild from "esbuild";
import { entries } from "../../../scripts/pack.ts";
import { packedTarball } from "../../../scripts/packed.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ROOT = new URL("../../../", import.meta.url).pathname;

async function run(cmd: string, args: string[], cwd: string) {
  const o = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: o.code, out: text(o.stdout), err: text(o.stderr) };
}

/** The names the root module gives at run time (its values; types leave no trace). */
async function rootValues(): Promise<string[]> {
  return Object.keys(await import("../../../mod.ts")).sort();
}

// One use of the root and of each subpath, run by Node, by Deno and as a browser bundle.
const CHECKS = `import * as root from "superpeer";
import { decodeFrame, encodeFrame, FRAME_SEND, ProtocolError } from "superpeer/protocol";
import { signTransfer, verifyTransfer } from "superpeer/ledger";
import { inclusionProof, leafHash, merkleRoot, verifyInclusion } from "superpeer/merkle";
import { formatCheckpoint, parseCheckpoint } from "superpeer/tlog";
import { PieceTree, verifyPiece } from "superpeer/swarm";
import { identitySealKey, MailReplays, openMail, sealMail } from "superpeer/seal";
import { Identity, peerIdFromPublicKey, publicKeyFromPeerId } from "superpeer/identity";
import { shardOf } from "superpeer/routing";
import { sdpFingerprint } from "superpeer/direct";
import { DEFAULT_MAX_MESSAGES, useSuperpeer } from "superpeer/react";

export async function checks() {
  const [a, b] = [await root.Identity.generate(), await root.Identity.generate()];
  const frame = decodeFrame(encodeFrame(FRAME_SEND, b.peerId, 1, "hi"));
  const tx = await signTransfer(a, { network: "dev", to: b.peerId, amount: 5n, nonce: 1 });
  const bytes = new TextEncoder().encode("hello");
  const tree = PieceTree.of(bytes);
  const leaves = [bytes, bytes.subarray(1), bytes.subarray(2)].map(leafHash);
  const la = { peerId: a.peerId, secret: await identitySealKey(a) };
  const lb = { peerId: b.peerId, secret: await identitySealKey(b) };
  const mail = await sealMail(la, b.peerId, 0, bytes, 1000);
  const opened = await openMail(lb, a.peerId, mail, 2000, new MailReplays(60000));
  return {
    protocol: frame.ok && frame.frame.peer === b.peerId,
    ledger: await verifyTransfer(tx),
    merkle: verifyInclusion(leaves[1], 1, 3, inclusionProof(leaves, 1), merkleRoot(leaves)),
    tlog: parseCheckpoint(formatCheckpoint({ origin: "log", size: 3, root: merkleRoot(leaves), extensions: [] }))?.size === 3,
    swarm: verifyPiece(tree.id, 0, bytes, tree.proof(0)),
    seal: opened.ok && new TextDecoder().decode(opened.payload) === "hello",
    identity: peerIdFromPublicKey(publicKeyFromPeerId(a.peerId)) === a.peerId,
    routing: shardOf(a.peerId, 4) < 4,
    direct: sdpFingerprint("v=0\\r\\na=fingerprint:sha-256 AB\\r\\n") === "sha-256 AB",
    react: typeof useSuperpeer === "function" && DEFAULT_MAX_MESSAGES === 100,
    // One class, whichever entry it came through.
    sameClasses: root.ProtocolError === ProtocolError && root.Identity === Identity,
    // The root is the client: the protocol's internals are not there.
    noInternals: ["deliverInPlace", "RateLimiter", "LedgerShard", "DEVELOPMENT_NETWORK_SECRET"]
      .every((name) => !(name in root)),
  };
}
`;

// Node and Deno: the checks, the root's names, and a path the package does not export.
const SUBPATHS = `import * as root from "superpeer";
import { checks } from "./checks.mjs";
const deep = await import("superpeer/" + "index.js").then(() => "imported", (e) => e.code ?? "refused");
console.log(JSON.stringify({ ...(await checks()), names: Object.keys(root).sort(), deep,
  node: globalThis.process?.versions?.node }));
`;

// TypeScript: the root and each subpath, with the types a user names.
const TYPED = `import {
  type ErrorCode, Identity, Peer, type PeerMessage, type TopicEvent, type TxOutcome, verifyTxProof,
} from "superpeer";
import { encodeFrame, type Frame, FRAME_SEND } from "superpeer/protocol";
import { signTransfer, type Transfer } from "superpeer/ledger";
import { leafHash, merkleRoot } from "superpeer/merkle";
import { type Checkpoint, parseCheckpoint } from "superpeer/tlog";
import { type ContentId, PieceTree } from "superpeer/swarm";
import { type SealCode, sealMail } from "superpeer/seal";
import { isPeerId } from "superpeer/identity";
import { shardOf } from "superpeer/routing";
import { type DirectTransport, sdpFingerprint } from "superpeer/direct";
import { type SuperpeerState, useSuperpeer, type UseSuperpeerOptions } from "superpeer/react";
const me = await Identity.generate();
const peer = new Peer({ url: "ws://127.0.0.1:8787", identity: me });
const outcome: TxOutcome = await peer.ledger.transfer("x", 1n);
export const hash: string | undefined = outcome.hash;
export const code: ErrorCode = "PEER_NOT_FOUND";
export const reader: AsyncIterableIterator<PeerMessage> = peer.messages();
export const topic = (e: TopicEvent): string | Uint8Array => e.data;
export const off: () => void = peer.on("message", (m) => m.data satisfies string | Uint8Array);
export const checked = verifyTxProof;
export const frame: Uint8Array = encodeFrame(FRAME_SEND, me.peerId, 1, "hi");
export const seen = (f: Frame): string => f.peer;
export const tx: Transfer = await signTransfer(me, { network: "dev", to: me.peerId, amount: 1n, nonce: 1 });
export const id: ContentId = PieceTree.of(new Uint8Array(3)).id;
export const seal: SealCode = "SEAL_BAD_TAG";
export const sealed = sealMail;
export const ok: boolean = isPeerId(me.peerId) && shardOf(me.peerId, 4) >= 0;
export const fingerprint: string | undefined = sdpFingerprint("");
export const root: Uint8Array = merkleRoot([leafHash(new Uint8Array(1))]);
export const checkpoint: Checkpoint | undefined = parseCheckpoint("log\\n0\\n" + "A".repeat(43) + "=\\n");
export type Transport = DirectTransport;
export const hook: (o: UseSuperpeerOptions) => SuperpeerState = useSuperpeer;
export const options: UseSuperpeerOptions = { url: "ws://127.0.0.1:8787", identity: undefined };
`;

Deno.test(
  "package: installed from its tarball, its root and subpaths run in Node and Deno, type-check and bundle",
  opts,
  async () => {
    const tarball = await packedTarball();
    const dir = await Deno.makeTempDir({ prefix: "superpeer-pkg-" });
    const net = await startNetwork({ shards: 4, vars: { FAUCET: "on" } });
    try {
      await Deno.writeTextFile(
        `${dir}/package.json`,
        JSON.stringify({ name: "app", type: "module" }),
      );
      // React is an optional peer of the package: the application brings it, and its types.
      const pinned = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).imports;
      const react = [pinned.react, pinned["@types/react"]].map((s: string) => s.slice(4));
      const installed = await run(
        "npm",
        ["install", "--no-audit", "--no-fund", tarball, ...react],
        dir,
      );
      assertEquals(installed.code, 0, installed.err);
      await Deno.writeTextFile(`${dir}/checks.mjs`, CHECKS);
      await Deno.writeTextFile(`${dir}/subpaths.mjs`, SUBPATHS);

      // Node, with no WebSocket flag: the package takes `ws` where the runtime has none.
      await Deno.writeTextFile(
        `${dir}/main.mjs`,
        `import { Identity, Peer, verifyTxProof } from "superpeer";
const url = process.argv[2];
const alice = new Peer({ url, identity: await Identity.generate() });
const bob = new Peer({ url, identity: await Identity.generate() });
await alice.connect();
await bob.connect();
const next = bob.messages().next();
alice.send(bob.peerId, "hello from node");
const { value } = await next;
await bob.subscribe("news");
const heard = new Promise((r) => bob.addEventListener("topic", (e) => r(e.detail.data)));
await alice.publish("news", "on a topic");
const topic = await heard;
await fetch(url.replace("ws:", "http:") + "/v1/faucet", {
  method: "POST",
  body: JSON.stringify({ account: alice.peerId }),
});
const paid = await alice.ledger.transfer(bob.peerId, 7);
const status = await alice.ledger.waitForBlock(paid.hash);
const check = await bob.ledger.verify(status.proof);
// The same proof checked offline, with nothing but the network's public keys.
const offline = await verifyTxProof(status.proof, await bob.ledger.network());
console.log(JSON.stringify({ got: value.data, topic, paid: paid.ok, verified: check.ok,
  offline: offline.ok, balance: (await bob.ledger.balance()).balance,
  node: process.versions.node }));
alice.close();
bob.close();
`,
      );
      const wsUrl = net.url.replace("http:", "ws:");
      const expectedNames = await rootValues();
      const expectedChecks = {
        protocol: true,
        ledger: true,
        merkle: true,
        tlog: true,
        swarm: true,
        seal: true,
        identity: true,
        routing: true,
        direct: true,
        react: true,
        sameClasses: true,
        noInternals: true,
      };
      // Node 20 and Node 22 (which has a WebSocket of its own): the machine's `node` when it
      // is that version, else the `node` package of npm at that version.
      const system = (await run("node", ["--version"], dir)).out.trim().slice(1).split(".")[0];
      // Node 20, Node 22 and Deno side by side: each runs the same scripts on its own peers.
      const inNode = async (major: string) => {
        const node = (script: string, ...args: string[]) =>
          major === system
            ? run("node", [script, ...args], dir)
            : run("npx", ["-y", `node@${major}`, script, ...args], dir);
        const main = await node("main.mjs", wsUrl);
        assertEquals(main.code, 0, main.err);
        const result = JSON.parse(main.out);
        assertEquals(
          [result.got, result.topic, result.paid, result.verified, result.offline, result.balance],
          ["hello from node", "on a topic", true, true, true, "7"],
        );
        assertEquals(result.node.split(".")[0], major);
        const sub = await node("subpaths.mjs");
        assertEquals(sub.code, 0, sub.err);
        const { names, deep, node: version, ...checks } = JSON.parse(sub.out);
        assertEquals(checks, expectedChecks, `Node ${version}`);
        assertEquals(names, expectedNames, "the package's root gives what mod.ts gives");
        assertEquals(deep, "ERR_PACKAGE_PATH_NOT_EXPORTED", "only the subpaths are exported");
        return version as string;
      };
      // Deno, from the same node_modules (a package.json makes Deno read them).
      const inDeno = async () => {
        const deno = await run(Deno.execPath(), ["run", "-A", "main.mjs", wsUrl], dir);
        assertEquals(deno.code, 0, deno.err);
        assertEquals(JSON.parse(deno.out).got, "hello from node");
        const denoSub = await run(Deno.execPath(), ["run", "-A", "subpaths.mjs"], dir);
        assertEquals(denoSub.code, 0, denoSub.err);
        const { names: denoNames, deep: _deep, node: _node, ...denoChecks } = JSON.parse(
          denoSub.out,
        );
        assertEquals([denoChecks, denoNames], [expectedChecks, expectedNames]);
      };
      const [v20, v22] = await Promise.all([inNode("20"), inNode("22"), inDeno()]);
      console.log(`package: ran in Node ${v20} and ${v22} from ${tarball.split("/").at(-1)}`);

      // TypeScript sees the declarations of the root and of each subpath, strict, however it
      // resolves: a right use checks, a wrong one is caught, and the root offers no internals.
      const config = (file: string) =>
        JSON.stringify({
          compilerOptions: {
            module: "nodenext",
            moduleResolution: "nodenext",
            target: "es2022",
            lib: ["es2022", "dom"],
            strict: true,
            noEmit: true,
          },
          files: [file],
        });
      await Deno.writeTextFile(`${dir}/app.ts`, TYPED);
      await Deno.writeTextFile(
        `${dir}/bad.ts`,
        `import { Peer } from "superpeer";\nexport const n: number = new Peer({ url: 1 });\n`,
      );
      await Deno.writeTextFile(
        `${dir}/internal.ts`,
        `import { deliverInPlace } from "superpeer";\nexport const f = deliverInPlace;\n`,
      );
      for (const name of ["app", "bad", "internal"]) {
        await Deno.writeTextFile(`${dir}/tsconfig.${name}.json`, config(`${name}.ts`));
      }
      const tsc = (project: string, resolution: string[] = []) =>
        run(Deno.execPath(), [
          "run",
          "-A",
          "--node-modules-dir=none",
          "npm:typescript@5.9.3/tsc",
          "-p",
          `tsconfig.${project}.json`,
          ...resolution,
        ], dir);
      // Side by side: each resolution, a wrong use, and an internal asked of the root.
      const resolutions = [
        [],
        ["--module", "esnext", "--moduleResolution", "bundler"],
        ["--module", "esnext", "--moduleResolution", "node10"],
      ];
      const [bad, internal, ...goods] = await Promise.all([
        tsc("bad"),
        tsc("internal"),
        ...resolutions.map((r) => tsc("app", r)),
      ]);
      goods.forEach((good, i) =>
        assertEquals(good.code, 0, `${resolutions[i].join(" ")}: ${good.out}${good.err}`)
      );
      assert(bad.code !== 0 && bad.out.includes("bad.ts"), "a wrong use is a type error");
      assert(
        internal.code !== 0 && internal.out.includes("deliverInPlace"),
        "the root offers no internals",
      );
      // A Node project has no DOM library, only Node's types: Node 20's and 22's check it too.
      for (const major of ["20", "22"]) {
        const types = await run("npm", [
          "install",
          "--no-audit",
          "--no-fund",
          `@types/node@${major}`,
        ], dir);
        assertEquals(types.code, 0, types.err);
        const plain = await tsc("app", ["--lib", "es2022", "--types", "node"]);
        assertEquals(plain.code, 0, `@types/node@${major}, no DOM: ${plain.out}${plain.err}`);
      }

      // A bundler takes the root and every subpath for the browser (no `ws`, no Node), and
      // the bundle runs.
      await Deno.writeTextFile(
        `${dir}/page.js`,
        `import { Peer } from "superpeer"; import { checks } from "./checks.mjs";
globalThis.P = Peer; console.log(JSON.stringify(await checks()));`,
      );
      const bundled = await esbuild.build({
        entryPoints: [`${dir}/page.js`],
        absWorkingDir: dir,
        bundle: true,
        platform: "browser",
        format: "esm",
        write: false,
        logLevel: "silent",
      });
      await esbuild.stop();
      const bundle = bundled.outputFiles[0].text;
      assert(bundle.includes("Peer") && !/from\s*"(ws|node:[^"]*)"/.test(bundle), "bundled");
      await Deno.writeTextFile(`${dir}/bundle.mjs`, bundle);
      const ran = await run(Deno.execPath(), ["run", "--no-config", "bundle.mjs"], dir);
      assertEquals(ran.code, 0, ran.err);
      assertEquals(JSON.parse(ran.out), expectedChecks);
      // React stays the application's: only the hooks' module imports it, none bundles it.
      const pkgDir = `${dir}/node_modules/superpeer`;
      const modules = [...Deno.readDirSync(pkgDir)].filter((e) => e.name.endsWith(".js"))
        .map((e) => e.name).concat(
          [...Deno.readDirSync(`${pkgDir}/chunks`)].map((e) => `chunks/${e.name}`),
        );
      const importsReact = (file: string) =>
        /from\s*"react"/.test(Deno.readTextFileSync(`${pkgDir}/${file}`));
      assertEquals(modules.filter(importsReact), ["react.js"]);
      const reactJs = Deno.readTextFileSync(`${pkgDir}/react.js`);
      assert(!reactJs.includes("react.production"), "React is not bundled");
      const pkgJson = JSON.parse(Deno.readTextFileSync(`${pkgDir}/package.json`));
      assertEquals(pkgJson.peerDependenciesMeta, {
        react: { optional: true },
        werift: { optional: true },
        "@roamhq/wrtc": { optional: true },
      });
      // Every subpath of deno.json is one of the package.
      const pkg = JSON.parse(await Deno.readTextFile(`${dir}/node_modules/superpeer/package.json`));
      const deno_ = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
      assertEquals(
        Object.keys(pkg.exports),
        entries(deno_.exports).map((e) => e.subpath),
      );
      // `superpeer/werift` and `superpeer/native` are Node's and Deno's alone (a browser's
      // bundler would look for werift): `package_direct_test.ts` uses them. Without either
      // WebRTC package installed, the choice finds none and says so.
      await Deno.writeTextFile(
        `${dir}/native.mjs`,
        `const { directTransport } = await import("superpeer/native");
console.log(String(await directTransport()));`,
      );
      assertEquals((await run("node", ["native.mjs"], dir)).out.trim(), "undefined");
      const nodeOnly = ["./werift", "./native"];
      for (const e of entries(deno_.exports).filter((e) => !nodeOnly.includes(e.subpath))) {
        assert(CHECKS.includes(`"superpeer${e.subpath.slice(1)}"`), e.subpath);
      }
    } finally {
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
