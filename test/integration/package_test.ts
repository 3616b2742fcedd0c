// The npm package as someone outside this repository gets it: packed, installed with npm into
// an empty project, imported by a Node script that connects, sends, receives and pays on a
// local network, type-checked by TypeScript, and bundled for a browser.
import * as esbuild from "esbuild";
import { pack } from "../../scripts/pack.ts";
import { startNetwork } from "../../scripts/local_network.ts";
import { assert, assertEquals } from "../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function run(cmd: string, args: string[], cwd: string) {
  const o = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: o.code, out: text(o.stdout), err: text(o.stderr) };
}

Deno.test(
  "package: installed from its tarball, it runs in Node, type-checks and bundles",
  opts,
  async () => {
    const tarball = await pack();
    const dir = await Deno.makeTempDir({ prefix: "superpeer-pkg-" });
    const net = await startNetwork({ shards: 4, vars: { FAUCET: "on" } });
    try {
      await Deno.writeTextFile(
        `${dir}/package.json`,
        JSON.stringify({ name: "app", type: "module" }),
      );
      const installed = await run("npm", ["install", "--no-audit", "--no-fund", tarball], dir);
      assertEquals(installed.code, 0, installed.err);

      // Node, with no WebSocket flag: the package takes `ws` where the runtime has none.
      await Deno.writeTextFile(
        `${dir}/main.mjs`,
        `import { Identity, Peer } from "superpeer";
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
console.log(JSON.stringify({ got: value.data, topic, paid: paid.ok, verified: check.ok,
  balance: (await bob.ledger.balance()).balance, node: process.versions.node }));
alice.close();
bob.close();
`,
      );
      const node = await run("node", ["main.mjs", net.url.replace("http:", "ws:")], dir);
      assertEquals(node.code, 0, node.err);
      const result = JSON.parse(node.out);
      assertEquals(
        { got: result.got, paid: result.paid, verified: result.verified, balance: result.balance },
        { got: "hello from node", paid: true, verified: true, balance: "7" },
      );
      console.log(`package: ran in Node ${result.node} from ${tarball.split("/").at(-1)}`);

      // Node 22, which has a WebSocket of its own (fetched from npm as the \`node\` package).
      const node22 = await run("npx", [
        "-y",
        "node@22",
        "main.mjs",
        net.url.replace("http:", "ws:"),
      ], dir);
      assertEquals(node22.code, 0, node22.err);
      const result22 = JSON.parse(node22.out);
      assertEquals([result22.got, result22.verified, result22.node.split(".")[0]], [
        "hello from node",
        true,
        "22",
      ]);

      // Deno, from the same node_modules (a package.json makes Deno read them).
      const deno = await run(Deno.execPath(), [
        "run",
        "-A",
        "main.mjs",
        net.url.replace("http:", "ws:"),
      ], dir);
      assertEquals(deno.code, 0, deno.err);
      assertEquals(JSON.parse(deno.out).got, "hello from node");

      // TypeScript sees the declarations: a right use checks, a wrong one is caught.
      await Deno.writeTextFile(
        `${dir}/tsconfig.json`,
        JSON.stringify({
          compilerOptions: {
            module: "nodenext",
            moduleResolution: "nodenext",
            target: "es2022",
            lib: ["es2022", "dom"],
            strict: true,
            noEmit: true,
          },
          files: ["app.ts"],
        }),
      );
      const tsc = (source: string) =>
        Deno.writeTextFile(`${dir}/app.ts`, source).then(() =>
          run(Deno.execPath(), [
            "run",
            "-A",
            "--node-modules-dir=none",
            "npm:typescript@5.9.3/tsc",
            "-p",
            ".",
          ], dir)
        );
      const good = await tsc(`import { Identity, Peer, type TxOutcome } from "superpeer";
const peer = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
const outcome: TxOutcome = await peer.ledger.transfer("x", 1n);
export const hash: string | undefined = outcome.hash;
`);
      assertEquals(good.code, 0, good.out + good.err);
      const bad = await tsc(`import { Peer } from "superpeer";
export const n: number = new Peer({ url: 1 });
`);
      assert(bad.code !== 0 && bad.out.includes("app.ts"), "a wrong use is a type error");

      // A bundler takes it for the browser.
      await Deno.writeTextFile(
        `${dir}/page.js`,
        `import { Peer } from "superpeer"; globalThis.P = Peer;`,
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
      assert(bundled.outputFiles[0].text.includes("Peer"), "bundled");
    } finally {
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
