// `wrangler deploy --dry-run` bundles the Worker, and that very bundle runs on workerd.
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, take } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "deploy: wrangler deploy --dry-run bundles a Worker that serves peers",
  opts,
  async () => {
    const outdir = await Deno.makeTempDir({ prefix: "superpeer-dry-run-" });
    try {
      const wrangler = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "npm:wrangler", "deploy", "--dry-run", "--outdir", outdir],
        cwd: new URL("../../../", import.meta.url),
        env: { WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", CI: "true" },
        stdout: "piped",
        stderr: "piped",
      });
      const { code, stdout, stderr } = await wrangler.output();
      const out = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
      assertEquals(code, 0, out);
      assert(out.includes("--dry-run: exiting now."), out);
      assert(/env\.SUPER_PEER \(SuperPeer\)\s+Durable Object/.test(out), out);

      const bundle = `${outdir}/entry.js`;
      const source = await Deno.readTextFile(bundle);
      assert(/export\s*\{[^}]*SuperPeer/.test(source), "the bundle exports the SuperPeer class");
      // Built in: the bundle holds the modules themselves, not a name to look them up by.
      assert(!source.includes("typeof __SUPERPEER_CLIENT__"), "the client modules are built in");

      const net = await startNetwork({ shards: 8, scriptPath: bundle });
      try {
        const alice = await connectPeer(net);
        const bob = await connectPeer(net);
        const inbox = bob.messages();
        alice.send(bob.peerId, "from the deployed bundle");
        assertEquals((await take(inbox, 1))[0].data, "from the deployed bundle");
        const client = await fetch(`${net.url}/v1/client.js`);
        assertEquals(client.status, 200);
        const entry = await client.text();
        assert(entry.includes("Peer"), "the client module is served");
        // And its parts, by the names its entry gives them.
        const parts = [...entry.matchAll(/"\.\/(client\/[\w-]+\.js)"/g)].map((m) => m[1]);
        assert(parts.length > 0, "the entry imports its parts");
        for (const part of parts) {
          const r = await fetch(`${net.url}/v1/${part}`);
          assertEquals(r.status, 200, part);
          await r.body?.cancel();
        }
        alice.close();
        bob.close();
      } finally {
        await net.dispose();
      }
    } finally {
      await Deno.remove(outdir, { recursive: true });
    }
  },
);
