/**
 * The shards' logs over HTTP (`docs/LEDGER.md`, "The shard's log"): checkpoints, consistency and
 * inclusion proofs, hash tiles in the C2SP `tlog-tiles` layout, and balance proofs. What never
 * changes (a block's checkpoint, a proof between two sizes, a tile of a given width) is served
 * `immutable` and kept in the edge's cache, so that auditors and witnesses reading history do
 * not wake a shard for what was read before; the latest checkpoint and balance proofs change
 * with every block and are not cached.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import type { LogAnswer } from "../../src/ledger/mod.ts";
import type { LogAsk } from "../../src/protocol/mod.ts";
import { parseTilePath } from "../../src/tlog/tiles.ts";
import { HttpError } from "../http_error.ts";
import { AccountId, HeightParam, SizeParam } from "./api_schemas.ts";
import { admitHttp, check, type Ctx, shardParam } from "./edge_context.ts";

/** The paths this file serves. */
export const LOG_ROUTES = [
  "/v1/shards/:k/checkpoint",
  "/v1/shards/:k/checkpoints/:height",
  "/v1/shards/:k/consistency/:from/:to",
  "/v1/shards/:k/inclusion/:index/:size",
  "/v1/shards/:k/tile/*",
  "/v1/accounts/:id/proof",
];

/** The edge cache that holds immutable history (one per network id: `superpeer-log/<id>`). */
export const LOG_CACHE = "superpeer-log";

const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * The log routes, to mount on the edge.
 *
 * @returns A Hono app with the routes.
 *
 * @example Usage
 * ```ts
 * import { logRoutes } from "./log_routes.ts";
 * console.assert(typeof logRoutes().fetch === "function");
 * ```
 */
export function logRoutes(): Hono<Ctx> {
  const app = new Hono<Ctx>();

  // The latest checkpoint as text, where a C2SP tlog-tiles client looks for it.
  app.get("/v1/shards/:k/checkpoint", async (c) => {
    const k = shardParam(c.var.config, c.req.param("k"));
    const a = await ask(c, k, { kind: "checkpoint" });
    if (!("checkpoint" in a) || !("height" in a)) throw unexpected();
    return c.text(a.checkpoint, 200, {
      "cache-control": "no-cache",
      "x-superpeer-height": String(a.height),
      "x-superpeer-size": String(a.size),
    });
  });

  app.get("/v1/shards/:k/checkpoints/:height", (c) =>
    fromCache(c, async () => {
      const k = shardParam(c.var.config, c.req.param("k"));
      const height = Number(check(HeightParam, c.req.param("height")));
      return await immutable(c, k, { kind: "checkpoint", height });
    }));

  app.get("/v1/shards/:k/consistency/:from/:to", (c) =>
    fromCache(c, async () => {
      const k = shardParam(c.var.config, c.req.param("k"));
      const from = Number(check(SizeParam, c.req.param("from")));
      const to = Number(check(SizeParam, c.req.param("to")));
      return await immutable(c, k, { kind: "consistency", from, to });
    }));

  app.get("/v1/shards/:k/inclusion/:index/:size", (c) =>
    fromCache(c, async () => {
      const k = shardParam(c.var.config, c.req.param("k"));
      const index = Number(check(SizeParam, c.req.param("index")));
      const size = Number(check(SizeParam, c.req.param("size")));
      return await immutable(c, k, { kind: "inclusion", index, size });
    }));

  app.get("/v1/shards/:k/tile/*", (c) =>
    fromCache(c, async () => {
      const k = shardParam(c.var.config, c.req.param("k"));
      const rest = c.req.path.slice(c.req.path.indexOf("/tile/") + "/tile/".length);
      const name = parseTilePath(rest);
      // A hash tile's level is from 0 to 7 here (256 leaves a tile, a log of at most 2^63).
      if (!name || name.level > 7) {
        throw new HttpError(
          404,
          "NOT_FOUND",
          `"tile/${rest.slice(0, 64)}" names no hash tile: tile/<L>/<N>[.p/<W>], L from 0 to 7, ` +
            "N in groups of three digits (000, 012, x001/234), W from 1 to 255",
        );
      }
      const a = await ask(c, k, { kind: "tile", ...name });
      if (!("tile" in a)) {
        throw unexpected();
      }
      return c.body(a.tile as Uint8Array<ArrayBuffer>, 200, {
        "content-type": "application/octet-stream",
        "cache-control": IMMUTABLE,
      });
    }));

  app.get("/v1/accounts/:id/proof", async (c) => {
    const id = check(
      AccountId,
      c.req.param("id"),
      (v) => `"${v.slice(0, 64)}" is not an account id`,
    );
    return c.json(await ask(c, 0, { kind: "balance", account: id }), 200, {
      "cache-control": "no-cache",
    });
  });

  return app;
}

// A read that never changes, as JSON: the edge keeps it (`fromCache`).
async function immutable(c: Context<Ctx>, shard: number, q: LogAsk): Promise<Response> {
  return c.json(await ask(c, shard, q), 200, { "cache-control": IMMUTABLE });
}

// Admitted, then asked of the shard; a refusal becomes its HTTP error.
async function ask(
  c: Context<Ctx>,
  shard: number,
  q: LogAsk,
): Promise<Exclude<LogAnswer, { ok: false }>> {
  await admitHttp(c);
  const a = await c.var.ledger.log(shard, q);
  if ("ok" in a && a.ok === false) {
    throw new HttpError(a.code === "BAD_REQUEST" ? 400 : 404, a.code, a.message);
  }
  return a as Exclude<LogAnswer, { ok: false }>;
}

// An immutable answer read before is answered from the edge's cache, with no admission and no
// shard woken: it costs the edge alone, and it is the same answer.
async function fromCache(c: Context<Ctx>, make: () => Promise<Response>): Promise<Response> {
  // One cache per network id: another network served at the same name answers from its own.
  const cache = await caches.open(`${LOG_CACHE}/${c.var.config.network}`);
  const key = new Request(c.req.url);
  const hit = await cache.match(key);
  if (hit) {
    const answer = new Response(hit.body, hit);
    answer.headers.set("x-superpeer-cache", "hit");
    return answer;
  }
  const answer = await make();
  if (answer.status === 200) c.executionCtx.waitUntil(cache.put(key, answer.clone()));
  return answer;
}

function unexpected(): HttpError {
  return new HttpError(500, "INTERNAL", "The shard answered something else");
}
