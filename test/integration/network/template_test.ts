// The app template as a newcomer uses it: `deno task create` makes a fresh folder, `npm install`
// installs the package it carries, `npm start` serves the page and starts the Node peer, and
// the page (in Chromium) and the Node peer talk through a local network.
import { freePort, ROOT, startNetwork } from "../../../scripts/local_network.ts";
import { packedTarball } from "../../../scripts/packed.ts";
import { launchChromium } from "../../support/chromium.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

async function run(cmd: string, args: string[], cwd: string) {
  const o = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: o.code, out: text(o.stdout), err: text(o.stderr) };
}

/** A process and all it started, as Ctrl-C in a terminal reaches them (Linux's `/proc`). */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry.name)) continue;
    try {
      // The fields after the command's closing parenthesis: state, then the parent's pid.
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry.name)]);
    } catch { /* gone meanwhile */ }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]) ?? []));
  return tree;
}

/** Sends a signal to each process of a tree that is still there. */
function signalTree(root: number, signal: Deno.Signal): void {
  for (const pid of processTree(root)) {
    try {
      Deno.kill(pid, signal);
    } catch { /* gone meanwhile */ }
  }
}

Deno.test(
  "app template: create, npm install, npm start; the page and the Node peer talk",
  opts,
  async () => {
    await packedTarball(); // built once for every test that installs the package
    const dir = await Deno.makeTempDir();
    const app = `${dir}/my-app`;
    const net = await startNetwork({ shards: 2 });
    const wsUrl = net.url.replace("http:", "ws:");
    const browser = await launchChromium();
    let server: Deno.ChildProcess | undefined;
    try {
      const made = await run(Deno.execPath(), ["task", "create", app, "--url", wsUrl], ROOT);
      assertEquals(made.code, 0, made.err);
      assert(made.out.includes("npm install") && made.out.includes("npm start"), made.out);
      const again = await run(Deno.execPath(), ["task", "create", app], ROOT);
      assertEquals(again.code, 1);
      assert(again.err.includes("exists and is not empty"), again.err);

      const installed = await run("npm", ["install", "--no-audit", "--no-fund"], app);
      assertEquals(installed.code, 0, installed.err);

      const port = freePort();
      server = new Deno.Command("npm", {
        args: ["start"],
        cwd: app,
        env: { SUPERPEER_URL: wsUrl, PORT: String(port) },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      let out = "";
      const pump = (async () => {
        for await (const chunk of server.stdout.pipeThrough(new TextDecoderStream())) out += chunk;
      })();
      const deadline = Date.now() + 20_000;
      while (!out.includes(`open http://127.0.0.1:${port}`) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert(out.includes("node peer "), `npm start printed: ${out}`);

      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() =>
        document.getElementById("status")?.textContent === "connected"
      );
      const me = (await page.textContent("#me"))!;
      await page.fill("#text", "hi from the page");
      await page.press("#text", "Enter");
      await page.waitForFunction(() =>
        document.getElementById("room")!.textContent!.includes("node peer heard")
      );
      const room = await page.$$eval("#room li", (items) => items.map((li) => li.textContent));
      assertEquals(room, [
        "you: hi from the page",
        `node peer: node peer heard "hi from the page" from ${me.slice(0, 8)}`,
      ]);
      // The Node peer heard the page over the network.
      const heard = Date.now() + 5_000;
      while (!out.includes(`room: ${me.slice(0, 8)}: hi from the page`) && Date.now() < heard) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert(out.includes(`room: ${me.slice(0, 8)}: hi from the page`), out);
      assertEquals(errors, []);
      signalTree(server.pid, "SIGINT");
      await server.status;
      await pump.catch(() => {});
      server = undefined;
    } finally {
      if (server) {
        server.kill("SIGKILL");
        await server.status;
      }
      await browser.close();
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
