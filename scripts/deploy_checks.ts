/**
 * What a network on Cloudflare needs before it takes peers, checked from `wrangler.toml` (and,
 * where Wrangler can ask the account, its secrets): each missing thing is one line saying what
 * to do. `deno task deploy` prints them, and stops on those that would make a network nobody
 * should use.
 *
 * @module
 */
import { MAX_SHARDS } from "../src/routing/shard.ts";
import { placesBySlot } from "../src/routing/slot.ts";

/** One finding: what is wrong, how to fix it, and whether deploying must stop. */
export interface DeployFinding {
  /** Stops the deploy (`true`), or only says so. */
  readonly blocking: boolean;
  /** One line: what is missing, and the command or edit that fixes it. */
  readonly line: string;
}

/**
 * The production environment's vars, read from the `wrangler.toml` text.
 *
 * @example Usage
 * ```ts
 * import { productionVars } from "./deploy_checks.ts";
 * const vars = productionVars('[vars]\nA = "1"\n[env.production.vars]\nA = "2"\n[x]\nB = "3"\n');
 * console.assert(vars.A === "2" && vars.B === undefined);
 * ```
 *
 * @param text The `wrangler.toml` text.
 * @returns The vars, by name.
 */
export function productionVars(text: string): Record<string, string> {
  const start = text.search(/^\[env\.production\.vars\][ \t]*$/m);
  if (start === -1) return {};
  const rest = text.slice(start).split("\n").slice(1);
  const vars: Record<string, string> = {};
  for (const line of rest) {
    if (line.startsWith("[")) break;
    const m = /^([A-Z_]+)[ \t]*=[ \t]*"([^"]*)"/.exec(line);
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

/**
 * Checks a production config.
 *
 * @example Usage
 * ```ts
 * import { deployFindings } from "./deploy_checks.ts";
 * const toml = '[env.production.vars]\nNETWORK_ID = "net-x"\nSHARD_COUNT = "8"\nFAUCET = "on"\n';
 * const found = deployFindings(toml, ["NETWORK_SECRET"]);
 * console.assert(found[0].blocking && found[0].line.startsWith("FAUCET"));
 * ```
 *
 * @param text The `wrangler.toml` text (after the network id was made).
 * @param secrets The production secrets' names, or `undefined` if they could not be listed.
 * @returns The findings, blocking ones first.
 */
export function deployFindings(text: string, secrets: string[] | undefined): DeployFinding[] {
  const vars = productionVars(text);
  const out: DeployFinding[] = [];
  if (!vars.NETWORK_ID || vars.NETWORK_ID === "dev") {
    out.push({
      blocking: true,
      line: 'NETWORK_ID is still "dev": deno task deploy makes one; keep [env.production.vars]',
    });
  }
  if (!/^[0-9]+$/.test(vars.SHARD_COUNT ?? "")) {
    out.push({
      blocking: true,
      line: "SHARD_COUNT is not set in [env.production.vars]: choose it (it is fixed for the " +
        'network\'s life), e.g. SHARD_COUNT = "8"',
    });
  }
  const shards = Number(vars.SHARD_COUNT);
  if (/^[0-9]+$/.test(vars.SHARD_COUNT ?? "") && (shards < 1 || shards > MAX_SHARDS)) {
    out.push({
      blocking: true,
      line: `SHARD_COUNT = "${vars.SHARD_COUNT}" is out of range: a network has 1 to ` +
        `${MAX_SHARDS} shards (a power of two, e.g. "8")`,
    });
  } else if (/^[0-9]+$/.test(vars.SHARD_COUNT ?? "") && !placesBySlot(shards)) {
    out.push({
      blocking: false,
      line: `SHARD_COUNT = "${vars.SHARD_COUNT}" is not a power of two: such a network has no ` +
        "slot map and can never grow. For a new network choose 2, 4, 8, 16, …; a running " +
        "network keeps its count (changing it moves every key)",
    });
  }
  if (vars.FAUCET === "on") {
    out.push({
      blocking: true,
      line: 'FAUCET is "on" in [env.production.vars]: anyone could mint; remove it ' +
        "(fund accounts with GENESIS instead)",
    });
  }
  if (secrets === undefined) {
    out.push({
      blocking: false,
      line: "could not list the secrets (deno task wrangler login first?): check that " +
        "NETWORK_SECRET is set: deno task wrangler secret put NETWORK_SECRET --env production",
    });
  } else if (!secrets.includes("NETWORK_SECRET")) {
    out.push({
      blocking: true,
      line: "NETWORK_SECRET is not set: anyone could sign this network's blocks; " +
        "deno task wrangler secret put NETWORK_SECRET --env production (16 characters or more)",
    });
  }
  // TURN servers take the credentials the edge mints only with the secret they share.
  const turnSecret = secrets?.includes("TURN_SECRET");
  if (vars.TURN_URLS && secrets !== undefined && !turnSecret) {
    out.push({
      blocking: true,
      line: "TURN_URLS is set but TURN_SECRET is not: peers would get no TURN credential; " +
        "deno task wrangler secret put TURN_SECRET --env production (the TURN servers' " +
        "static-auth-secret, 16 characters or more)",
    });
  }
  if (turnSecret && !vars.TURN_URLS) {
    out.push({
      blocking: true,
      line: "TURN_SECRET is set but TURN_URLS is not: set TURN_URLS = " +
        '"turn:turn.example.net:3478" in [env.production.vars], or delete the secret',
    });
  }
  // Cloudflare's TURN service: the key's id (a var) mints only with its API token (a secret).
  const keyToken = secrets?.includes("TURN_KEY_API_TOKEN");
  if (vars.TURN_KEY_ID && secrets !== undefined && !keyToken) {
    out.push({
      blocking: true,
      line: "TURN_KEY_ID is set but TURN_KEY_API_TOKEN is not: peers would get no TURN " +
        "credential; deno task wrangler secret put TURN_KEY_API_TOKEN --env production",
    });
  }
  if (keyToken && !vars.TURN_KEY_ID) {
    out.push({
      blocking: true,
      line: "TURN_KEY_API_TOKEN is set but TURN_KEY_ID is not: set TURN_KEY_ID in " +
        "[env.production.vars] (the TURN key's id), or delete the secret",
    });
  }
  if ((vars.TURN_KEY_ID || keyToken) && (vars.TURN_URLS || turnSecret)) {
    out.push({
      blocking: true,
      line: "TURN_KEY_ID and TURN_URLS are both set: choose Cloudflare's TURN service or " +
        "servers of your own",
    });
  }
  if (!vars.GENESIS) {
    out.push({
      blocking: false,
      line: "no GENESIS in [env.production.vars]: every account starts at 0 and, with no " +
        'faucet, nobody can pay; set GENESIS = \'{"<peer id>":"1000000"}\' to fund accounts',
    });
  }
  return out.sort((a, b) => Number(b.blocking) - Number(a.blocking));
}

/**
 * The URL to give clients, from what `wrangler deploy` printed.
 *
 * @example Usage
 * ```ts
 * import { clientUrl } from "./deploy_checks.ts";
 * const said = "Deployed superpeer-production triggers\n  https://superpeer-production.me.workers.dev\n";
 * console.assert(clientUrl(said) === "wss://superpeer-production.me.workers.dev");
 * ```
 *
 * @param output Wrangler's output.
 * @returns The `wss:` URL, or `undefined` if none was printed.
 */
export function clientUrl(output: string): string | undefined {
  const url = /https:\/\/[a-z0-9.-]+\.[a-z]{2,}(?::[0-9]+)?/i.exec(output)?.[0];
  return url?.replace(/^https:/, "wss:");
}
