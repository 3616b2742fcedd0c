/**
 * The edge Worker: stateless. It checks a peer's signed hello, picks the peer's home
 * super-peer and hands it the WebSocket; it also serves the network's public facts and the
 * ledger's HTTP API. It routes only: each answer comes from a shard, and every refusal is an
 * {@linkcode HttpError} that the one `onError` below answers.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import {
  checkHello,
  type FaucetAnswer,
  type HeadAnswer,
  type HealthAnswer,
  LIMIT_SPECS,
  type LimitsAnswer,
  type NetworkInfo,
  PROTOCOL_VERSION,
  type StatsAnswer,
  transferPrice,
  type TxStatus,
  type TxSubmitAnswer,
} from "../../src/protocol/mod.ts";
import { addressHome, observerShard } from "../../src/routing/mod.ts";
import { SEAL_CONSTANTS } from "../../src/seal/seal_table.ts";
import { shardKeyIds } from "../shard_keys.ts";
import { readJson } from "./read_json.ts";
import { renderMetrics } from "./metrics_text.ts";
import { networkConfig } from "../config.ts";
import { clientModule } from "./client_module.ts";
import { AccountId, FaucetBody, HashParam, HeightParam } from "./api_schemas.ts";
import { cors, crossOrigin } from "./cors.ts";
import { shedAtEdge } from "./edge_shed.ts";
import { handOver, signedSlotMap } from "./slot_map_served.ts";
import { noteCooling, noteCoolingAnswer, refuseCooling } from "./cooling_peers.ts";
import { openApiDocument } from "./openapi.ts";
import { pageModule } from "./page.ts";
import { pageHtml } from "../../src/page/shell.ts";
import { countHelloRefusal, dueHelloRefusals } from "./edge_counts.ts";
import { logEvent } from "../log.ts";
import { HttpError, jsonError } from "../http_error.ts";
import { type AdmissionHook, admitPeer } from "./operator_admission.ts";
import { LedgerRouter } from "../ledger_routing.ts";
import { Shards } from "../shards.ts";
import { adminRoutes } from "./admin.ts";
import { LOG_ROUTES, logRoutes } from "./log_routes.ts";
import { addressOf, admitHttp, check, type Ctx, shardParam } from "./edge_context.ts";

// The routes; `superpeerEdge` puts the per-request context and the error answers around them.
const app = new Hono<Ctx>();

const ROUTES = [
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
  ...LOG_ROUTES,
  "/v1/metrics",
  "/v1/openapi.json",
  "/v1/client.js",
  "/v1/client/:file",
  "/v1/page.js",
];

// A browser gets the network page; a tool that asks for anything else, the list of routes.
app.get("/", (c) => {
  if (!(c.req.header("accept") ?? "").includes("text/html")) {
    return c.json({ name: "superpeer", endpoints: ROUTES, openapi: "/v1/openapi.json" });
  }
  return c.html(pageHtml());
});

app.get("/v1/page.js", async (c) => {
  const answer = await pageModule(c.req.raw);
  if (!answer) throw new HttpError(404, "NOT_FOUND", "This Worker was bundled without the page");
  return answer;
});

app.get("/v1/health", (c) => c.json<HealthAnswer>({ ok: true, network: c.var.config.network }));

app.get("/v1/network", async (c) => {
  const config = c.var.config;
  // The keeper's map first: the shards in use, and their keys, follow it.
  const slotMap = await signedSlotMap(config, c.var.shards);
  return c.json<NetworkInfo>({
    network: config.network,
    shards: config.placement.shards,
    firstShards: config.shards,
    protocol: PROTOCOL_VERSION,
    shardKeys: await shardKeyIds(config.secret, config.network, config.placement.shards),
    slotMap,
    developmentSecret: config.developmentSecret, // anyone can sign its blocks
    faucet: config.faucet,
    iceServers: [...config.iceServers],
    admission: {
      mode: config.admission ? "closed" : "open",
      invitations: (config.admission?.inviteKeys.length ?? 0) > 0,
    },
  });
});

app.get("/v1/client.js", async (c) => {
  const answer = await clientModule("client.js", c.req.raw);
  if (!answer) throw new HttpError(404, "NOT_FOUND", "This Worker was bundled without the client");
  return answer;
});

app.get("/v1/client/:file", async (c) => {
  const answer = await clientModule(`client/${c.req.param("file")}`, c.req.raw);
  if (!answer) throw new HttpError(404, "NOT_FOUND", "No such module of the client");
  return answer;
});

app.get("/v1/limits", (c) => {
  const { limits } = c.var.config;
  return c.json<LimitsAnswer>({
    protocol: PROTOCOL_VERSION,
    limits: LIMIT_SPECS.map((spec) => ({ ...spec, value: limits[spec.name] })),
    sealing: [...SEAL_CONSTANTS],
  });
});

app.post("/v1/tx", async (c) => {
  const { limits } = c.var.config;
  await shedAtEdge(c.env.EDGE_LIMITER, addressOf(c));
  const body = await readJson(c.req.raw, limits.MAX_CONTROL_FRAME_BYTES);
  const txs = Array.isArray(body) ? body : [body];
  if (txs.length > limits.MAX_TX_BATCH) {
    throw new HttpError(
      413,
      "TX_BATCH_TOO_LARGE",
      `A batch holds at most ${limits.MAX_TX_BATCH} transfers`,
    );
  }
  // Priced per transfer before any is checked: the payers' homes read what they can, then
  // have the signatures of what could apply checked beside them.
  await admitHttp(c, transferPrice(txs.length, limits));
  return c.json<TxSubmitAnswer>({ results: await c.var.ledger.submit(txs) });
});

app.get("/v1/accounts/:id", async (c) => {
  const id = check(AccountId, c.req.param("id"), (v) => `"${v.slice(0, 64)}" is not an account id`);
  await admitHttp(c);
  return c.json(await c.var.ledger.account(id));
});

app.get("/v1/tx/:hash", async (c) => {
  const hash = check(HashParam, c.req.param("hash"));
  const from = check(
    AccountId.optional(),
    c.req.query("from"),
    () => '"from" is not an account id',
  );
  await admitHttp(c, c.var.config.limits.COST_HTTP_TX_LOOKUP);
  // The payer's home holds the record; without a hint the hash's home says which shard.
  const found = await c.var.ledger.transaction(hash, from);
  if (!found) throw new HttpError(404, "TX_NOT_FOUND", `No transfer "${hash}"`);
  const { record, proof, log } = found;
  const place = {
    hash,
    status: record.status,
    block: record.block,
    index: record.index,
    proof,
    ...(log ? { log } : {}),
  };
  return c.json<TxStatus>(
    record.mint ? { ...place, mint: record.mint } : { ...place, tx: record.tx },
  );
});

app.get("/v1/shards/:k/head", async (c) => {
  const k = shardParam(c.var.config, c.req.param("k"));
  await admitHttp(c);
  const head = await c.var.ledger.block(k, "head");
  return c.json<HeadAnswer>({ shard: k, head });
});

app.get("/v1/shards/:k/blocks/:height", async (c) => {
  const k = shardParam(c.var.config, c.req.param("k"));
  // Decimal digits only: "0x10", "1e3" or " 7" are no height.
  const height = Number(check(HeightParam, c.req.param("height")));
  await admitHttp(c);
  const block = await c.var.ledger.block(k, height);
  if (!block) throw new HttpError(404, "BLOCK_NOT_FOUND", `Shard ${k} has no block ${height}`);
  return c.json(block);
});

app.post("/v1/faucet", async (c) => {
  const config = c.var.config;
  if (!config.faucet) throw new HttpError(404, "FAUCET_DISABLED", "This network has no faucet");
  // A page of another origin would spend its visitors' addresses' bounds (`cors.ts`).
  if (crossOrigin(c.req.raw)) {
    throw new HttpError(403, "BAD_REQUEST", "The faucet answers no page of another origin");
  }
  const address = addressOf(c);
  await shedAtEdge(c.env.EDGE_LIMITER, address);
  const body = await readJson(c.req.raw, 1024);
  const { account } = check(FaucetBody, body, () => '"account" is not an account id');
  const gate = c.var.shards.stub(addressHome(address, config.placement));
  const refused = await gate.addressFaucet(address);
  if (refused) throw new HttpError(429, refused.code, refused.message, refused.retryAfter);
  const result = await c.var.ledger.faucet(account);
  if (!result.ok && result.code === "RATE_LIMITED") {
    throw new HttpError(429, "RATE_LIMITED", result.message, result.retryAfter);
  }
  // Said, so that nobody has to read the limits to know what came.
  return c.json<FaucetAnswer>(
    result.ok ? { ...result, amount: String(config.limits.FAUCET_AMOUNT), account } : result,
  );
});

// One shard's relay counters.
app.get("/v1/shards/:k/stats", async (c) => {
  const k = shardParam(c.var.config, c.req.param("k"));
  return c.json<StatsAnswer>({ ...(await c.var.shards.stub(k).stats()), shard: k });
});

app.get("/v1/openapi.json", (c) => c.json(openApiDocument()));

app.get("/v1/metrics", async (c) => {
  const observer = c.var.shards.stub(observerShard(c.var.config.placement));
  // This isolate's hello refusals go along first, so that its own scrape shows them.
  const counts = dueHelloRefusals(0);
  if (counts) await observer.helloRefused(counts);
  return c.text(renderMetrics(await observer.networkStats()), 200, {
    "content-type": "text/plain; version=0.0.4; charset=utf-8",
  });
});

app.get("/v1/connect", async (c) => {
  try {
    return await connect(c);
  } catch (error) {
    // Counted here, handed over with a later request that reaches a shard anyway.
    countHelloRefusal(error instanceof HttpError ? error.code : "INTERNAL");
    throw error;
  }
});

async function connect(c: Context<Ctx>): Promise<Response> {
  const { network, placement, limits } = c.var.config;
  const requestUrl = new URL(c.req.url);
  // A peer its home refuses for flooding is refused here, before anything else is spent.
  refuseCooling(requestUrl.searchParams.get("peer") ?? "");
  // Shed first: a flood of hellos, valid or not, costs neither a signature check nor a wake.
  const address = addressOf(c);
  await shedAtEdge(c.env.EDGE_LIMITER, address);
  const check = await checkHello(requestUrl.searchParams, {
    network,
    // On Cloudflare a request's host is one routed to this Worker, so a hello signed for it
    // was meant for this network; a configured list adds the names a proxy in front serves.
    origins: [requestUrl.origin, ...(c.var.config.origins ?? [])],
    now: Date.now(),
    maxAgeMs: limits.HELLO_MAX_AGE_MS,
    maxSkewMs: limits.MAX_CLOCK_SKEW_MS,
  });
  if (!check.ok) throw new HttpError(check.status, check.code, check.message);
  const { peer, nonce, ts } = check.hello;
  // The operator's say (allow-list, invitations, hook) before anything wakes a shard.
  const invite = requestUrl.searchParams.get("invite");
  await admitPeer(c.var.config, c.var.admit, {
    peer,
    address,
    invite,
    request: c.req.raw,
    env: c.env,
  });
  // Per client address: a bucket of hellos and a cap on open connections, at the address's
  // home, before the peer's home is woken.
  const upgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
  const gate = c.var.shards.stub(addressHome(address, placement));
  const refused = await gate.addressAdmit(address, peer, upgrade);
  if (refused) throw new HttpError(429, refused.code, refused.message, refused.retryAfter);
  if (!upgrade) {
    // A client whose upgrade failed asks again over plain HTTP to learn why: the home, which
    // alone knows used nonces and floods, says whether this hello was a replay or too soon.
    const why = await c.var.shards.stub(placement.home(peer)).helloRefusal(peer, nonce);
    if (why?.status === 429) noteCooling(peer, why.retryAfter);
    if (why) throw new HttpError(why.status, why.code, why.message, why.retryAfter);
    const valid = "The hello is valid; connect with a WebSocket upgrade";
    throw new HttpError(426, "UPGRADE_REQUIRED", valid);
  }
  const counts = dueHelloRefusals(limits.STATS_INTERVAL_MS);
  if (counts) {
    const observer = c.var.shards.stub(observerShard(placement));
    c.executionCtx.waitUntil(observer.helloRefused(counts).catch(() => {}));
  }
  const batch = c.req.query("batch") === "1";
  const answer = await handOver(c.var.config, c.var.shards, { peer, nonce, ts, address, batch });
  // The map is read again now and then, off the hello's path.
  c.executionCtx.waitUntil(signedSlotMap(c.var.config, c.var.shards).catch(() => {}));
  return noteCoolingAnswer(peer, answer);
}

/** How the operator's Worker makes the edge. */
export interface EdgeOptions {
  /**
   * The operator's admission rule, run for every proven hello before any super-peer wakes
   * (`operator_admission.ts`). Unset: the network's vars alone decide (open without them).
   */
  admit?: AdmissionHook;
}

/**
 * Makes the edge Worker. `workers/entry.ts` exports `superpeerEdge()`; an operator who wants
 * a say in who connects passes a hook there (or in an entry of their own that `wrangler.toml`
 * points `main` at).
 *
 * @param options The operator's hook, if any.
 * @returns The Worker's default export (a Hono app: `fetch(request, env, ctx)`).
 *
 * @example Members only, by the operator's own rule (in `workers/entry.ts`: `export default`)
 * ```ts
 * import { superpeerEdge } from "./app.ts";
 * const members = new Set<string>([]);
 * const edge = superpeerEdge({
 *   admit: ({ peer, admitted }) => admitted || members.has(peer) || { refuse: "Members only" },
 * });
 * console.assert(typeof edge.fetch === "function");
 * ```
 */
export function superpeerEdge(options: EdgeOptions = {}): Hono<Ctx> {
  const edge = new Hono<Ctx>();
  edge.use(cors);
  edge.use(async (c, next) => {
    const config = networkConfig(c.env); // once per request, for every route
    c.set("config", config);
    const shards = new Shards(c.env, config);
    c.set("shards", shards);
    c.set("ledger", new LedgerRouter(shards, config.placement));
    c.set("admit", options.admit);
    await next();
  });
  edge.route("/", adminRoutes()).route("/", logRoutes()).route("/", app);
  // Registered after every route: a listed path with a method it does not answer is a 405.
  for (const path of ["/", ...ROUTES]) {
    edge.all(path, (c) => {
      throw new HttpError(
        405,
        "METHOD_NOT_ALLOWED",
        `${c.req.method} is not allowed on ${c.req.path}`,
      );
    });
  }

  edge.notFound((c) => jsonError(404, "NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));

  edge.onError((error) => {
    if (error instanceof HttpError) return error.response();
    logEvent("edge.error", { error: String(error) }, "error");
    return jsonError(500, "INTERNAL", "Internal error");
  });
  return edge;
}
