// The TypeScript examples of README.md and docs/GUIDE.md, run against a local network as a reader
// would run them: each block becomes a script, its `declare`d names (a connected peer with money,
// another peer's id, bytes) are given real values, and what it prints is checked. The guide's
// blocks (fenced `ts ignore`, so that `deno test --doc` leaves them alone) import from `../`.
import { Identity, Peer } from "../mod.ts";
import { startNetwork } from "../scripts/local_network.ts";
import { assert } from "./support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ROOT = new URL("../", import.meta.url).pathname;

/** What each block must print before it counts as having run, by its first words. */
const EXPECT: [string, RegExp][] = [
  [
    'import { Identity, Peer } from "./mod.ts";\n\nconst peer',
    /I am \S+ on shard \d[\s\S]*hi back/,
  ],
  [
    'import type { Peer } from "./mod.ts";\ndeclare const peer: Peer, otherPeerId: string, a',
    /\{ ok: true \}[\s\S]*DONE/,
  ],
  [
    'import type { Peer } from "./mod.ts";\ndeclare const peer: Peer, otherPeerId: string, bytes',
    /topic: "news"[\s\S]*data: "hello"[\s\S]*DONE/,
  ],
  [
    'import type { Peer } from "./mod.ts";\ndeclare const peer: Peer;\n\npeer.on("seal',
    /DONE[\s\S]*members only|members only[\s\S]*DONE/,
  ],
  ['import { fileMarks, Identity, Peer } from "./mod.ts";', /DONE/],
  ['import { Identity, Peer } from "./mod.ts";\nimport { directTransport }', /DONE/],
  [
    'import { Identity, Peer } from "./mod.ts";\ndeclare const peer: Peer;',
    /a file's bytes\nfile\nDONE/,
  ],
  [
    'import type { Peer } from "./mod.ts";\ndeclare const peer: Peer, friend',
    /^0 40000\n16384\n16384\n7232\nDONE/m,
  ],
];

Deno.test("README, GUIDE: every TypeScript example runs on a local network", opts, async () => {
  const blocks = [
    ...(await Deno.readTextFile(`${ROOT}README.md`)).matchAll(/^```ts\n([\s\S]*?)^```/gm),
    ...(await Deno.readTextFile(`${ROOT}docs/GUIDE.md`)).matchAll(
      /^```ts ignore\n([\s\S]*?)^```/gm,
    ),
  ]
    .map((m) => m[1].replaceAll('from "../', 'from "./'));
  assert(blocks.length === EXPECT.length, `${blocks.length} blocks, ${EXPECT.length} expected`);
  const rich = await Identity.generate();
  const net = await startNetwork({
    shards: 4,
    vars: { GENESIS: JSON.stringify({ [rich.peerId]: 1_000 }) },
    limits: { BLOCK_INTERVAL_MS: 200 },
  });
  const url = net.url.replace("http:", "ws:");
  // The other peer: answers whatever it is sent.
  const other = new Peer({ url, identity: await Identity.generate() });
  await other.connect();
  (async () => {
    for await (const m of other.messages()) other.send(m.from, "hi back");
  })();
  const dir = await Deno.makeTempDir({ dir: `${ROOT}.build`, prefix: "readme-" });
  try {
    for (const [i, block] of blocks.entries()) {
      const [start, expected] = EXPECT.find(([s]) => block.startsWith(s)) ?? [];
      assert(expected, `block ${i + 1} has an expectation: ${block.slice(0, 80)}`);
      const declared = /^declare const (.*);.*$/m.exec(block)?.[1] ?? "";
      const names = declared.split(",").map((d) => d.split(":")[0].trim()).filter(Boolean);
      const values: Record<string, string> = {
        peer: `await (async () => { const p = new __Peer({ url: ${JSON.stringify(url)}, ` +
          `identity: await __Identity.fromJSON(${JSON.stringify(JSON.stringify(rich))}) }); ` +
          `await p.connect(); return p; })()`,
        otherPeerId: JSON.stringify(other.peerId),
        a: JSON.stringify((await Identity.generate()).peerId),
        b: JSON.stringify((await Identity.generate()).peerId),
        bytes: "new Uint8Array([1, 2, 3])",
        friend: `await (async () => { const p = new __Peer({ url: ${JSON.stringify(url)}, ` +
          `identity: await __Identity.generate() }); await p.connect(); return p; })()`,
        path: JSON.stringify(`${dir}/shared-${i}.bin`),
      };
      await Deno.writeFile(`${dir}/shared-${i}.bin`, new Uint8Array(40_000).fill(i));
      const prelude = [
        `import { Identity as __Identity, Peer as __Peer } from "${ROOT}mod.ts";`,
        ...names.map((n) => `const ${n} = ${values[n]};`),
      ].join("\n");
      const script = prelude + "\n" +
        block.replace(/^declare const .*$/m, "")
          .replaceAll('"./mod.ts"', `"${ROOT}mod.ts"`)
          .replaceAll('"./src/', `"${ROOT}src/`)
          .replaceAll("ws://127.0.0.1:8787", url)
          .replaceAll("6Mk…other peer id…", other.peerId) +
        '\nconsole.log("DONE");\n';
      const file = `${dir}/block${i + 1}.ts`;
      await Deno.writeTextFile(file, script);
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", file],
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let out = "";
      let err = "";
      const decoder = new TextDecoder();
      const pump = async (s: ReadableStream<Uint8Array>, add: (t: string) => void) => {
        for await (const c of s) add(decoder.decode(c, { stream: true }));
      };
      const done = Promise.all([
        pump(child.stdout, (t) => out += t),
        pump(child.stderr, (t) => err += t),
      ]);
      const end = Date.now() + 30_000;
      let exited = false;
      child.status.then(() => exited = true);
      while (!expected.test(out) && !exited && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 100));
      }
      try {
        if (!exited) child.kill("SIGKILL");
      } catch {
        // It ended between the last look and the kill.
      }
      if (Deno.env.get("SHOW")) console.log(`--- block ${i + 1}\n${out}`);
      await child.status;
      await done;
      assert(
        expected.test(out),
        `block ${i + 1} (${start!.split("\n")[0]}) printed:\n${out}\n${err}`,
      );
      assert(!/error/i.test(err.replace(/Download|Check/g, "")), `block ${i + 1}: ${err}`);
    }
  } finally {
    other.close();
    await net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
