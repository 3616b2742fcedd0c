/**
 * The local network: `wrangler dev` (workerd, state kept in `.state/`, faucet on) on
 * `HOST:PORT` (default 127.0.0.1:8787; `--port` and `--ip` also work), and, once it answers,
 * what to do next. Ctrl-C stops it.
 *
 * Usage: `deno task dev [--port N] [--ip HOST] [--persist-to DIR] [other wrangler dev options]`,
 * e.g. `--var INVITE_KEYS:<peer-id>` to close the local network to all but invited peers
 *
 * @module
 */

import { localNetworkId } from "./network_id.ts";

// `deno task dev -- --var X:1` passes a `--` along: dropped, so that what follows reaches
// wrangler instead of being taken for its positional script.
const args = Deno.args[0] === "--" ? Deno.args.slice(1) : [...Deno.args];

/** Takes `--name value` or `--name=value` out of the arguments. */
function take(name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args.splice(i, 2)[1];
    if (args[i].startsWith(`--${name}=`)) return args.splice(i, 1)[0].slice(name.length + 3);
  }
  return undefined;
}

function fail(message: string): never {
  console.error(message);
  Deno.exit(2);
}

// The network refuses one without the other at its first request; said here, before it starts.
const varNames = args.flatMap((a, i) => args[i - 1] === "--var" ? [a.split(":")[0]] : []);
if (varNames.includes("TURN_SECRET") !== varNames.includes("TURN_URLS")) {
  fail("TURN_SECRET and TURN_URLS go together: pass both with --var, or neither");
}
if (varNames.includes("TURN_KEY_ID") !== varNames.includes("TURN_KEY_API_TOKEN")) {
  fail("TURN_KEY_ID and TURN_KEY_API_TOKEN go together: pass both with --var, or neither");
}

const state = take("persist-to") ?? ".state";
const host = take("ip") ?? Deno.env.get("HOST") ?? "127.0.0.1";
const portText = take("port") ?? Deno.env.get("PORT") ?? "8787";
const port = /^[0-9]{1,5}$/.test(portText) ? Number(portText) : NaN;
if (!(port >= 1 && port <= 65535)) fail(`PORT must be a number from 1 to 65535, got "${portText}"`);
try {
  Deno.listen({ hostname: host, port }).close();
} catch (error) {
  fail(
    error instanceof Deno.errors.AddrInUse
      ? `port ${port} on ${host} is in use (another network?); choose another: PORT=8791 deno task dev`
      : `cannot listen on ${host}:${port}: ${(error as Error).message}`,
  );
}

// An id of its own per state directory, so that hellos signed for one local network are no
// use on another; kept beside the state it signs.
const networkId = await localNetworkId(state);

const child = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    "npm:wrangler",
    "dev",
    "--ip",
    host,
    "--port",
    String(port),
    "--persist-to",
    state,
    "--var",
    "FAUCET:on",
    "--var",
    `NETWORK_ID:${networkId}`,
    ...args,
  ],
  // No request to Cloudflare for `Request.cf` (a local network needs none).
  env: { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
}).spawn();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => child.kill(signal));
}

// Once the network answers, say where it is and what to try.
const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
const started = Date.now();
(async () => {
  while (Date.now() - started < 120_000) {
    try {
      const res = await fetch(`${base}/v1/network`);
      if (res.ok) {
        const info = await res.json() as {
          network: string;
          shards: number;
          admission?: { mode: string; invitations: boolean };
        };
        // A closed network (`--var ADMISSION_ALLOW:…`, `--var INVITE_KEYS:…`) says so.
        const closed = info.admission?.mode === "closed"
          ? [
            `  closed: only listed peers${
              info.admission.invitations
                ? " and invited ones (deno task peer invite <peer-id>, signed by a key in INVITE_KEYS)"
                : " (ADMISSION_ALLOW)"
            }`,
            "",
          ]
          : [];
        const ws = base.replace("http:", "ws:");
        const env = port === 8787 && host === "127.0.0.1" ? "" : `SUPERPEER_URL=${ws} `;
        console.log(
          [
            "",
            `superpeer network "${info.network}" is up at ${base} (${info.shards} shards, faucet on, state in ${state}/)`,
            "",
            ...closed,
            `  the network page: open ${base}/ in a browser`,
            `  metrics: ${base}/v1/metrics   the HTTP API: ${base}/v1/openapi.json`,
            "",
            "  next, in another terminal:",
            `    ${env}deno task peer id                    # your peer id (made on first use)`,
            `    ${env}deno task peer faucet                # money to try the ledger with`,
            `    ${env}deno task peer listen                # everything sent to you`,
            `    ${env}deno task peer send <peer-id> hello  # from a second identity: --identity b.json`,
            `    ${env}deno task peer --help`,
            "",
            "  Ctrl-C stops the network.",
            "",
          ].join("\n"),
        );
        return;
      }
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 500));
  }
})();

Deno.exit((await child.status).code);
