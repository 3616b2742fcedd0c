// Direct channels from Node, as an application outside this repository gets them: the npm
// package installed with the native binding and werift into an empty project, and a Node
// program that goes direct with a page in Chromium and with a Deno peer, on the transport
// chosen at run time (`superpeer/native`: native here), and on werift (`superpeer/werift`). Each side runs in a network
// namespace of the lab (`scripts/nat/lab.ts`), where Chromium offers host candidates.
import { packedTarball } from "../../../scripts/packed.ts";
import { buildLab } from "../../../scripts/nat/lab.ts";
import { NODE_AGENT } from "../../../scripts/nat/node_agent.ts";
import { runTrial, startServices } from "../../../scripts/nat/trial.ts";
import { ensureTools, TOOLS } from "../../../scripts/system_tools.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ROOT = new URL("../../../", import.meta.url).pathname;

Deno.test(
  "package: a Node program goes direct with a Chromium page and a Deno peer (native, werift)",
  opts,
  async () => {
    await ensureTools([TOOLS.ip, TOOLS.nft, TOOLS.conntrack, TOOLS.turnserver, TOOLS.chromium]);
    const tarball = await packedTarball();
    const dir = await Deno.makeTempDir({ prefix: "superpeer-node-direct-" });
    const lab = await buildLab(["public", "public", "public"]);
    try {
      await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify({ type: "module" }));
      const { imports } = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
      const pinned = [imports.werift, imports["@roamhq/wrtc"]].map((s: string) => s.slice(4));
      const install = await new Deno.Command("npm", {
        args: ["install", "--no-audit", "--no-fund", tarball, ...pinned],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(install.code, 0, new TextDecoder().decode(install.stderr));
      await Deno.writeTextFile(`${dir}/node_agent.mjs`, NODE_AGENT);
      const services = await startServices(lab);
      try {
        const [node, deno, page] = lab.hosts;
        const pairs = [["node-native", page, "chromium"], ["node-native", deno, "deno"], [
          "node",
          deno,
          "deno",
        ]] as const;
        for (const [self, other, kind] of pairs) {
          const r = await runTrial(lab, services, [node, other], {
            agents: [self, kind],
            nodeProject: dir,
            pathChange: false,
          });
          assertEquals(r.route, "direct", `${self} × ${kind}: ${JSON.stringify(r.sides)}`);
          assert(r.intact, `${self} × ${kind}: every message once, in order`);
          assert(r.sides.every((s) => (s.via.direct ?? 0) > 0), `${self} × ${kind}: some direct`);
        }
      } finally {
        await services.stop();
      }
    } finally {
      await lab.dispose();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
);
