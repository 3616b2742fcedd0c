/**
 * `deno task deploy`: gives the production network an id of its own on the first deploy
 * (written into `wrangler.toml`, to be committed), checks what a network on Cloudflare needs
 * (a secret, the shard count, the faucet off, a way to fund accounts: one line each, and stops on
 * what would make it unsafe), runs `wrangler deploy --env production` with the arguments given,
 * and ends with the URL to give clients.
 *
 * Usage: `deno task deploy [wrangler deploy options, e.g. --dry-run --outdir .build]`
 *
 * @module
 */
import { assignDeployedNetworkId } from "./network_id.ts";
import { clientUrl, deployFindings } from "./deploy_checks.ts";

const path = new URL("../wrangler.toml", import.meta.url);
const dryRun = Deno.args.includes("--dry-run");
const assigned = assignDeployedNetworkId(await Deno.readTextFile(path));
if (assigned.made && dryRun) {
  console.log(
    'NETWORK_ID is still "dev": the first deploy (not a dry run) gives this network an id of ' +
      "its own and writes it into wrangler.toml.",
  );
} else if (assigned.made) {
  await Deno.writeTextFile(path, assigned.text);
  console.log(
    `This network's id is now "${assigned.id}", written into wrangler.toml's ` +
      "[env.production.vars]. Commit it: every later deploy of this network must keep it, " +
      "since hellos, transfers and blocks sign it.",
  );
} else {
  console.log(`Deploying network "${assigned.id}".`);
}
const wrangler = (args: string[], quiet = false) =>
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "npm:wrangler", ...args],
    stdout: "piped",
    stderr: quiet ? "piped" : "inherit",
    env: { WRANGLER_SEND_METRICS: "false" },
  }).output();

// The secrets, if Wrangler can ask the account (not in a dry run, which needs no login).
let secrets: string[] | undefined;
if (!dryRun) {
  const listed = await wrangler(["secret", "list", "--env", "production", "--format", "json"], true)
    .catch(() => undefined);
  try {
    if (listed?.code === 0) {
      secrets = (JSON.parse(new TextDecoder().decode(listed.stdout)) as { name: string }[])
        .map((s) => s.name);
    }
  } catch {
    // Not JSON: said below as "could not list".
  }
}
const findings = deployFindings(assigned.text, secrets);
for (const f of findings) console.error(`${f.blocking ? "missing" : "note"}: ${f.line}`);
if (findings.some((f) => f.blocking) && !dryRun) {
  console.error("not deployed: fix the lines above, then run deno task deploy again");
  Deno.exit(1);
}

const deployed = await wrangler(["deploy", "--env", "production", ...Deno.args]);
const said = new TextDecoder().decode(deployed.stdout);
await Deno.stdout.write(deployed.stdout);
if (deployed.code !== 0) Deno.exit(deployed.code);
const url = clientUrl(said);
if (!dryRun && url) {
  console.log(`\nGive clients this URL: ${url}   (new Peer({ url: "${url}", identity }))`);
}
