/**
 * Runs the Node example (`examples/node_echo`) in one command: packs the client, installs it
 * into the example with npm, and starts the bot with Node. Extra arguments go to the bot;
 * `SUPERPEER_URL` picks the network (default the local one of `deno task dev`).
 *
 * Usage: `deno task example:node`
 *
 * @module
 */
import { packedTarball } from "./packed.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const DIR = `${ROOT}examples/node_echo`;

async function step(cmd: string, args: string[]): Promise<void> {
  const status = await new Deno.Command(cmd, { args, cwd: DIR, stdout: "null", stderr: "inherit" })
    .spawn().status;
  if (!status.success) {
    console.error(`${cmd} ${args.join(" ")} failed`);
    Deno.exit(1);
  }
}

try {
  const tarball = await packedTarball();
  const pkg = JSON.parse(await Deno.readTextFile(`${DIR}/package.json`));
  const wanted = `file:../../dist/npm/${tarball.split("/").at(-1)}`;
  if (pkg.dependencies.superpeer !== wanted) {
    pkg.dependencies.superpeer = wanted;
    await Deno.writeTextFile(`${DIR}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  }
  // The tarball keeps its name from one build to the next: without this, npm would keep the
  // copy it unpacked before and the bot would run yesterday's client.
  await Deno.remove(`${DIR}/node_modules/superpeer`, { recursive: true }).catch(() => {});
  await step("npm", ["install", "--no-audit", "--no-fund", "--silent", "--no-package-lock"]);
} catch (error) {
  if (error instanceof Deno.errors.NotFound) {
    console.error("the Node example needs Node.js 20 or later, with npm: install it first");
    Deno.exit(1);
  }
  throw error;
}
const bot = new Deno.Command("node", { args: ["echo.mjs", ...Deno.args], cwd: DIR }).spawn();
Deno.addSignalListener("SIGINT", () => bot.kill("SIGINT"));
Deno.exit((await bot.status).code);
