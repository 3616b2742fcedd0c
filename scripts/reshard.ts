/**
 * Grows a network to more shards: `POST /v1/admin/grow` with the network's `ADMIN_TOKEN`, and
 * the figures it answers with (`PROTOCOL.md` section 3).
 *
 * Usage: `ADMIN_TOKEN=… deno task reshard --to 16 [--url https://net.example]` (default URL:
 * `$SUPERPEER_URL`, else the local network at http://127.0.0.1:8787, which takes the token as
 * `deno task dev -- --var ADMIN_TOKEN:…`). Exit codes: 0 grown, 1 refused or unreachable,
 * 2 wrong usage.
 *
 * @module
 */
import { parseArgs } from "node:util";

function usage(message: string): never {
  console.error(`${message}\nusage: ADMIN_TOKEN=… deno task reshard --to <shards> [--url URL]`);
  Deno.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      args: Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args,
      options: { to: { type: "string" }, url: { type: "string" } },
    });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
})();
const to = Number(values.to);
if (!values.to || !Number.isInteger(to) || to < 1) usage("--to needs a shard count, e.g. --to 16");
const token = Deno.env.get("ADMIN_TOKEN");
if (!token) usage("ADMIN_TOKEN is not set: the network's admin token (a Worker secret)");
const base = (values.url ?? Deno.env.get("SUPERPEER_URL") ?? "http://127.0.0.1:8787")
  .replace(/^ws/, "http").replace(/\/+$/, "");

let res: Response;
try {
  res = await fetch(`${base}/v1/admin/grow`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ to }),
  });
} catch (error) {
  console.error(`Cannot reach ${base}: ${error instanceof Error ? error.message : error}`);
  Deno.exit(1);
}
const body = await res.json().catch(() => ({})) as Record<string, unknown>;
if (!res.ok || body.ok !== true) {
  console.error(`Refused (HTTP ${res.status}): ${body.code ?? "?"}: ${body.message ?? ""}`);
  if (body.code === "GROWTH_CALLED_OFF") {
    console.error("That step was called off (the message says why): run this again to go on.");
  }
  Deno.exit(1);
}
console.log(
  `Grown to ${body.shards} shards (map version ${body.version}): ${body.slots} slots moved in ${body.steps} steps, the longest pause ${body.longestPauseMs} ms.`,
);
