// What `deno task deploy` says a production network lacks, one line each.
import { clientUrl, deployFindings, productionVars } from "../../scripts/deploy_checks.ts";
import { assignDeployedNetworkId } from "../../scripts/network_id.ts";
import { assert, assertEquals } from "../support/assert.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("deploy checks: the shipped config, once it has an id, lacks a secret and a way to fund", async () => {
  const shipped = await Deno.readTextFile(new URL("wrangler.toml", ROOT));
  assertEquals(productionVars(shipped).NETWORK_ID, "dev");
  const text = assignDeployedNetworkId(shipped, () => "net-test").text;
  const found = deployFindings(text, []);
  assertEquals(found.map((f) => [f.blocking, f.line.split(" ")[0]]), [
    [true, "NETWORK_SECRET"],
    [false, "no"],
  ]);
  assertEquals(deployFindings(text, ["NETWORK_SECRET"]).filter((f) => f.blocking), []);
  // Secrets that could not be listed are said, not assumed.
  assert(deployFindings(text, undefined).some((f) => f.line.startsWith("could not list")));
});

Deno.test("deploy checks: an id left at dev, no shard count, the faucet on: each blocks", () => {
  const text = '[env.production.vars]\nNETWORK_ID = "dev"\nFAUCET = "on"\nGENESIS = "{}"\n';
  const found = deployFindings(text, ["NETWORK_SECRET"]);
  assertEquals(found.filter((f) => f.blocking).length, 3, JSON.stringify(found));
  for (const word of ["NETWORK_ID", "SHARD_COUNT", "FAUCET"]) {
    assert(found.some((f) => f.line.startsWith(word)), word);
  }
});

// A production config with every required setting, and the blocking findings' setting names.
const base = '[env.production.vars]\nNETWORK_ID = "net-x"\nSHARD_COUNT = "8"\nGENESIS = "{}"\n';
const blocking = (text: string, secrets: string[]) =>
  deployFindings(text, secrets).filter((f) => f.blocking).map((f) => f.line.split(" ")[0]);

Deno.test("deploy checks: TURN_URLS and TURN_SECRET go together, or the deploy stops", () => {
  const urls = `${base}TURN_URLS = "turn:turn.example.net:3478"\n`;
  assertEquals(blocking(urls, ["NETWORK_SECRET"]), ["TURN_URLS"]);
  assertEquals(blocking(base, ["NETWORK_SECRET", "TURN_SECRET"]), ["TURN_SECRET"]);
  assertEquals(blocking(urls, ["NETWORK_SECRET", "TURN_SECRET"]), []);
  assertEquals(blocking(base, ["NETWORK_SECRET"]), []);
});

Deno.test("deploy checks: TURN_KEY_ID and its API token go together, not beside TURN_URLS", () => {
  const key = `${base}TURN_KEY_ID = "abc123"\n`;
  assertEquals(blocking(key, ["NETWORK_SECRET"]), ["TURN_KEY_ID"]);
  assertEquals(blocking(base, ["NETWORK_SECRET", "TURN_KEY_API_TOKEN"]), ["TURN_KEY_API_TOKEN"]);
  assertEquals(blocking(key, ["NETWORK_SECRET", "TURN_KEY_API_TOKEN"]), []);
  const both = `${key}TURN_URLS = "turn:turn.example.net:3478"\n`;
  assertEquals(blocking(both, ["NETWORK_SECRET", "TURN_KEY_API_TOKEN", "TURN_SECRET"]), [
    "TURN_KEY_ID",
  ]);
});

Deno.test("deploy checks: the URL to give clients, from wrangler's output", () => {
  const said = "Uploaded superpeer-production\nDeployed superpeer-production triggers (1.2 sec)\n" +
    "  https://superpeer-production.someone.workers.dev\nCurrent Version ID: x";
  assertEquals(clientUrl(said), "wss://superpeer-production.someone.workers.dev");
  assertEquals(clientUrl("--dry-run: exiting now."), undefined);
});

Deno.test("deploy checks: a shard count that is not a power of two is said, not blocked", () => {
  const vars = (n: string) =>
    `[env.production.vars]\nNETWORK_ID = "net-x"\nSHARD_COUNT = "${n}"\nGENESIS = "{}"\n`;
  const said = (n: string) =>
    deployFindings(vars(n), ["NETWORK_SECRET"]).filter((f) => f.line.startsWith("SHARD_COUNT"));
  const three = said("3");
  assertEquals(three.map((f) => f.blocking), [false]);
  assert(three[0].line.includes("power of two"), three[0].line);
  assertEquals(said("8"), []);
  assertEquals(said("1024"), []);
  // Out of range: the network would not start, so the deploy stops.
  for (const n of ["0", "2048"]) assertEquals(said(n).map((f) => f.blocking), [true], n);
});
