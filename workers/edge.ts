/**
 * The edge Worker: stateless. It checks a peer's signed hello, picks the peer's home
 * super-peer and hands it the WebSocket; it also serves the network's public facts.
 *
 * @module
 */
import { Hono } from "hono";
import { checkHello, LIMIT_SPECS, PROTOCOL_VERSION } from "../src/protocol/mod.ts";
import { shardName, shardOf } from "../src/routing/mod.ts";
import { type Env, INTERNAL_HEADERS, type NetworkConfig, networkConfig } from "./config.ts";
import type { DurableObjectStub } from "cloudflare:workers";
import { deriveShardKey, isAccountId } from "../src/ledger/mod.ts";
import { submitByHome } from "./ledger_routing.ts";
import type { SuperPeer } from "./super_peer.ts";
import { jsonError } from "./http_error.ts";

export { SuperPeer } from "./super_peer.ts";

const app = new Hono<{ Bindings: Env }>();

app.get("/", (c) =>
  c.json({
    name: "superpeer",
    endpoints: [
      "/v1/connect",
      "/v1/health",
      "/v1/network",
      "/v1/limits",
      "/v1/tx",
      "/v1/tx/:hash",
      "/v1/accounts/:id",
      "/v1/faucet",
      "/v1/shards/:k/head",
      "/v1/shards/:k/blocks/:height",
      "/v1/shards/:k/stats",
    ],
  }));

app.get("/v1/health", (c) => c.json({ ok: true, network: networkConfig(c.env).network }));

app.get("/v1/network", async (c) => {
  const config = networkConfig(c.env);
  return c.json({
    network: config.network,
    shards: config.shards,
    protocol: PROTOCOL_VERSION,
    shardKeys: await shardKeys(config),
    // Anyone can sign blocks of a network on the development secret.
    developmentSecret: config.developmentSecret,
    faucet: config.faucet,
    iceServers: config.iceServers,
  });
});

app.get("/v1/limits", (c) => {
  const { limits } = networkConfig(c.env);
  return c.json({
    protocol: PROTOCOL_VERSION,
    limits: LIMIT_SPECS.map((spec) => ({ ...spec, value: limits[spec.name] })),
  });
});

app.post("/v1/tx", async (c) => {
  const config = networkConfig(c.env);
  const body = await readJson(c.req.raw, config.limits.MAX_CONTROL_FRAME_BYTES);
  if (body instanceof Response) return body;
  const txs = Array.isArray(body) ? body : [body];
  if (txs.length > config.limits.MAX_TX_BATCH) {
    return jsonError(
      413,
      "TX_BATCH_TOO_LARGE",
      `A batch holds at most ${config.limits.MAX_TX_BATCH} transfers`,
    );
  }
  const results = await submitByHome(
    txs,
    config.shards,
    (k, batch) => shardStub(c.env, k).ledgerSubmit(k, batch),
  );
  return c.json({ results });
});

app.get("/v1/accounts/:id", async (c) => {
  const { shards } = networkConfig(c.env);
  const id = c.req.param("id");
  if (!isAccountId(id)) {
    return jsonError(400, "BAD_REQUEST", `"${String(id).slice(0, 64)}" is not an account id`);
  }
  const k = shardOf(id, shards);
  return c.json(await shardStub(c.env, k).ledgerAccount(k, id));
});

app.get("/v1/tx/:hash", async (c) => {
  const { shards } = networkConfig(c.env);
  const hash = c.req.param("hash");
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    return jsonError(400, "BAD_REQUEST", "A transfer hash is 64 hex characters");
  }
  const from = c.req.query("from");
  if (from !== undefined && !isAccountId(from)) {
    return jsonError(400, "BAD_REQUEST", '"from" is not an account id');
  }
  // The payer's home holds the record; without a hint every shard is asked.
  const candidates = from !== undefined
    ? [shardOf(from, shards)]
    : Array.from({ length: shards }, (_, k) => k);
  const found = (await Promise.all(candidates.map((k) => shardStub(c.env, k).ledgerTx(k, hash))))
    .find((r) => r);
  if (!found) return jsonError(404, "TX_NOT_FOUND", `No transfer "${hash}"`);
  const { record, proof } = found;
  return c.json({
    hash,
    status: record.status,
    block: record.block,
    index: record.index,
    tx: record.tx,
    proof,
  });
});

app.get("/v1/shards/:k/head", async (c) => {
  const k = shardParam(c.env, c.req.param("k"));
  if (k instanceof Response) return k;
  const head = await shardStub(c.env, k).ledgerBlock(k, "head");
  return c.json({ shard: k, head });
});

app.get("/v1/shards/:k/blocks/:height", async (c) => {
  const k = shardParam(c.env, c.req.param("k"));
  if (k instanceof Response) return k;
  const height = Number(c.req.param("height"));
  if (!Number.isSafeInteger(height) || height < 1) {
    return jsonError(400, "BAD_REQUEST", "A height is a whole number from 1");
  }
  const block = await shardStub(c.env, k).ledgerBlock(k, height);
  if (!block) return jsonError(404, "BLOCK_NOT_FOUND", `Shard ${k} has no block ${height}`);
  return c.json(block);
});

app.post("/v1/faucet", async (c) => {
  const config = networkConfig(c.env);
  if (!config.faucet) return jsonError(404, "FAUCET_DISABLED", "This network has no faucet");
  const body = await readJson(c.req.raw, 1024);
  if (body instanceof Response) return body;
  const account = (body as { account?: unknown } | null)?.account;
  if (!isAccountId(account)) return jsonError(400, "BAD_REQUEST", '"account" is not an account id');
  const k = shardOf(account, config.shards);
  const result = await shardStub(c.env, k).ledgerFaucet(k, account);
  if (!result.ok && result.code === "RATE_LIMITED") {
    return jsonError(429, "RATE_LIMITED", result.message);
  }
  return c.json(result);
});

// One shard's relay counters.
app.get("/v1/shards/:k/stats", async (c) => {
  const k = shardParam(c.env, c.req.param("k"));
  if (k instanceof Response) return k;
  return c.json({ ...(await shardStub(c.env, k).stats()), shard: k });
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
  ["/v1/connect", "/v1/health", "/v1/network", "/v1/limits", "/v1/accounts/:id", "/v1/tx/:hash"],
  (c) => jsonError(405, "METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${c.req.path}`),
);

app.notFound((c) => jsonError(404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));

app.onError((error) => {
  console.error("edge error", error);
  return jsonError(500, "INTERNAL", "Internal error");
});

function shardStub(env: Env, k: number): DurableObjectStub<SuperPeer> {
  const { network } = networkConfig(env);
  return env.SUPER_PEER.get(env.SUPER_PEER.idFromName(shardName(network, k)));
}

function shardParam(env: Env, text: string): number | Response {
  const { shards } = networkConfig(env);
  const k = Number(text);
  if (!/^[0-9]{1,4}$/.test(text) || k >= shards) {
    return jsonError(404, "NOT_FOUND", `No shard "${text}" in a network of ${shards}`);
  }
  return k;
}

async function readJson(request: Request, maxBytes: number): Promise<unknown | Response> {
  const text = await request.text();
  if (new TextEncoder().encode(text).length > maxBytes) {
    return jsonError(413, "FRAME_TOO_LARGE", `Body is over ${maxBytes} bytes`);
  }
  try {
    return JSON.parse(text);
  } catch {
    return jsonError(400, "BAD_REQUEST", "Body is not JSON");
  }
}

let keysCache: { key: string; keys: Promise<string[]> } | undefined;

/** The public key ids of every shard's signing key, derived once per isolate. */
function shardKeys(config: NetworkConfig): Promise<string[]> {
  const key = `${config.network}|${config.shards}|${config.secret}`;
  if (keysCache?.key !== key) {
    const keys = Promise.all(
      Array.from(
        { length: config.shards },
        (_, k) => deriveShardKey(config.secret, config.network, k),
      ),
    ).then((ids) => ids.map((id) => id.peerId));
    keysCache = { key, keys };
  }
  return keysCache.keys;
}

export default app;
