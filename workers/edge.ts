/**
 * The edge Worker: stateless. It checks a peer's signed hello, picks the peer's home
 * super-peer and hands it the WebSocket; it also serves the network's public facts.
 *
 * @module
 */
import { Hono } from "hono";
import { checkHello, LIMIT_SPECS, PROTOCOL_VERSION } from "../src/protocol/mod.ts";
import { shardName, shardOf } from "../src/routing/mod.ts";
import { type Env, INTERNAL_HEADERS, networkConfig } from "./config.ts";
import { jsonError } from "./http_error.ts";

export { SuperPeer } from "./super_peer.ts";

const app = new Hono<{ Bindings: Env }>();

app.get("/", (c) =>
  c.json({
    name: "superpeer",
    endpoints: ["/v1/connect", "/v1/health", "/v1/network", "/v1/limits", "/v1/shards/:k/stats"],
  }));

app.get("/v1/health", (c) => c.json({ ok: true, network: networkConfig(c.env).network }));

app.get("/v1/network", (c) => {
  const { network, shards } = networkConfig(c.env);
  return c.json({ network, shards, protocol: PROTOCOL_VERSION });
});

app.get("/v1/limits", (c) => {
  const { limits } = networkConfig(c.env);
  return c.json({
    protocol: PROTOCOL_VERSION,
    limits: LIMIT_SPECS.map((spec) => ({ ...spec, value: limits[spec.name] })),
  });
});

// One shard's relay counters. One call touches one shard: no route here fans out to all.
app.get("/v1/shards/:k/stats", async (c) => {
  const { network, shards } = networkConfig(c.env);
  const text = c.req.param("k");
  const k = Number(text);
  if (!/^[0-9]{1,4}$/.test(text) || k >= shards) {
    return jsonError(404, "NOT_FOUND", `No shard "${text}" in a network of ${shards}`);
  }
  const stub = c.env.SUPER_PEER.get(c.env.SUPER_PEER.idFromName(shardName(network, k)));
  return c.json({ ...(await stub.stats()), shard: k });
});

app.get("/v1/connect", async (c) => {
  const { network, shards, limits } = networkConfig(c.env);
  const check = await checkHello(new URL(c.req.url).searchParams, {
    network,
    now: Date.now(),
    maxAgeMs: limits.HELLO_MAX_AGE_MS,
    maxSkewMs: limits.MAX_CLOCK_SKEW_MS,
  });
  if (!check.ok) return jsonError(check.status, check.code, check.message);
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return jsonError(
      426,
      "UPGRADE_REQUIRED",
      "The hello is valid; connect with a WebSocket upgrade",
    );
  }
  const { peer, nonce, ts } = check.hello;
  const shard = shardOf(peer, shards);
  const stub = c.env.SUPER_PEER.get(c.env.SUPER_PEER.idFromName(shardName(network, shard)));
  // A fresh request: nothing the client sent besides the upgrade reaches the super-peer.
  return stub.fetch(
    new Request("https://super-peer/connect", {
      headers: {
        upgrade: "websocket",
        [INTERNAL_HEADERS.peer]: peer,
        [INTERNAL_HEADERS.shard]: String(shard),
        [INTERNAL_HEADERS.nonce]: nonce,
        [INTERNAL_HEADERS.ts]: String(ts),
      },
    }),
  );
});

app.on(
  ["POST", "PUT", "PATCH", "DELETE"],
  ["/v1/connect", "/v1/health", "/v1/network", "/v1/limits"],
  (c) => jsonError(405, "METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${c.req.path}`),
);

app.notFound((c) => jsonError(404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));

app.onError((error) => {
  console.error("edge error", error);
  return jsonError(500, "INTERNAL", "Internal error");
});

export default app;
