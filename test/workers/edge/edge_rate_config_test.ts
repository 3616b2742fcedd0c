// The edge's Rate Limiting binding is configured in wrangler.toml, not in code: its limit must be
// the one the limits table serves and documents, in every environment that declares it.
import { DEFAULT_LIMITS } from "../../../src/protocol/mod.ts";
import { EDGE_RATE_PERIOD_S } from "../../../workers/edge/edge_shed.ts";
import { ROOT } from "../../../scripts/local_network.ts";
import { assertEquals } from "../../support/assert.ts";

Deno.test("wrangler.toml's [[ratelimits]] say EDGE_REQUESTS_PER_10_SECONDS, top level and production", () => {
  const toml = Deno.readTextFileSync(`${ROOT}wrangler.toml`);
  // Each `[[ratelimits]]` or `[[env.NAME.ratelimits]]` table, up to the next table header.
  const tables = [
    ...toml.matchAll(/^\[\[((?:env\.([a-z]+)\.)?ratelimits)\]\]\n((?:(?!\[).*\n?)*)/gm),
  ]
    .map((m) => ({
      env: m[2] ?? "top",
      name: /^name\s*=\s*"([^"]+)"/m.exec(m[3])?.[1],
      limit: Number(/limit\s*=\s*([0-9_]+)/.exec(m[3])?.[1].replaceAll("_", "")),
      period: Number(/period\s*=\s*([0-9]+)/.exec(m[3])?.[1]),
    }));
  const want = {
    name: "EDGE_LIMITER",
    limit: DEFAULT_LIMITS.EDGE_REQUESTS_PER_10_SECONDS,
    period: EDGE_RATE_PERIOD_S,
  };
  assertEquals(tables, [{ env: "top", ...want }, { env: "production", ...want }]);
});
