// Direct channels from Node, as an application outside this repository gets them: the npm
// package installed with werift into an empty project, and a Node program (`superpeer/werift`)
// that goes direct with a Deno peer and with a page in Chromium. Each side runs in a network
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
  "package: a Node program goes direct with a Deno peer and a Chromium page (superpeer/werift)",
  opts,
  async () => {
    await ensureTools([TOOLS.ip, TOOLS.nft, TOOLS.conntrack, TOOLS.turnserver, TOOLS.chromium]);
    const tarball = await packedTarball();
    const dir = await Deno.makeTempDir({ prefix: "superpeer-node-direct-" });
    const lab = await buildLab(["public", "public", "public"]);
    try {
      await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify({ type: "module" }));
      const werift = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).imports.werift;
      const install = await new Deno.Command("npm", {
        args: ["install", "--no-audit", "--no-fund", tarball, werift.slice(4)],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(install.code, 0, new TextDecoder().decode(install.stderr));
      await Deno.writeTextFile(`${dir}/node_agent.mjs`, NODE_AGENT);
      const services = await startServices(lab);
      try {
        const [node, deno, page] = lab.hosts;
        for (const [other, kind] of [[deno, "deno"], [page, "chromium"]] as const) {
          const r = await runTrial(lab, services, [node, other], {
            agents: ["node", kind],
            nodeProject: dir,
            pathChange: false,
          });
          assertEquals(r.route, "direct", `node × ${kind}: ${JSON.stringify(r.sides)}`);
          assert(r.intact, `node × ${kind}: every message once, in order`);
          assert(r.sides.every((s) => (s.via.direct ?? 0) > 0), `node × ${kind}: some direct`);
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
