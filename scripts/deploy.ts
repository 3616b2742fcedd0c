/**
 * `deno task deploy`: gives the production network an id of its own on the first deploy
 * (written into `wrangler.toml`, to be committed), then runs `wrangler deploy --env production`
 * with the arguments given.
 *
 * Usage: `deno task deploy [wrangler deploy options, e.g. --dry-run --outdir .build]`
 *
 * @module
 */
import { assignDeployedNetworkId } from "./network_id.ts";

const path = new URL("../wrangler.toml", import.meta.url);
const assigned = assignDeployedNetworkId(await Deno.readTextFile(path));
if (assigned.made) {
  await Deno.writeTextFile(path, assigned.text);
  console.log(
    `This network's id is now "${assigned.id}", written into wrangler.toml's ` +
      "[env.production.vars]. Commit it: every later deploy of this network must keep it, " +
      "since hellos, transfers and blocks sign it.",
  );
} else {
  console.log(`Deploying network "${assigned.id}".`);
}
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "npm:wrangler", "deploy", "--env", "production", ...Deno.args],
}).spawn();
Deno.exit((await child.status).code);
