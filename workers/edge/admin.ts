/**
 * The operator's routes on a deployed network, never open to peers: each asks for the
 * network's `ADMIN_TOKEN` as a bearer token, and a network without one has no such route at
 * all (404). `POST /v1/admin/grow` grows the network to more shards, slot after slot, through
 * the map's keeper (`super_peer/growth.ts`); `deno task reshard` calls it.
 *
 * @module
 */
import { Hono } from "hono";
import type { Env } from "../config.ts";
import { HttpError } from "../http_error.ts";
import { MAP_KEEPER_SHARD } from "../rpc.ts";
import type { Shards } from "../shards.ts";
import { readJson } from "./read_json.ts";

/** The largest body an admin route reads. */
const ADMIN_BODY_BYTES = 1024;

/**
 * The admin routes, mounted on an edge whose middleware sets `shards` for each request.
 *
 * @example Usage
 * ```ts
 * import { Hono } from "hono";
 * import { adminRoutes } from "./admin.ts";
 * const edge = new Hono();
 * edge.route("/", adminRoutes());
 * ```
 *
 * @returns The routes.
 */
export function adminRoutes(): Hono<{ Bindings: Env; Variables: { shards: Shards } }> {
  const edge = new Hono<{ Bindings: Env; Variables: { shards: Shards } }>();
  edge.post("/v1/admin/grow", async (c) => {
    await authorize(c.env.ADMIN_TOKEN, c.req.header("authorization"));
    const body = await readJson(c.req.raw, ADMIN_BODY_BYTES) as { to?: unknown };
    const to = body?.to;
    if (typeof to !== "number" || !Number.isInteger(to)) {
      throw new HttpError(400, "BAD_GROWTH", 'The body is {"to": <shards>}');
    }
    const keeper = c.var.shards.stub(MAP_KEEPER_SHARD);
    const answer = await keeper.growTo(to);
    // A step called off is the network's trouble, not the request's: asked again, it goes on.
    const status = answer.ok ? 200 : answer.code === "GROWTH_CALLED_OFF" ? 503 : 400;
    return c.json(answer, status);
  });
  return edge;
}

// The bearer token must be the network's, compared by digest so that the time taken says
// nothing of how much of it matched.
async function authorize(token: string | undefined, header: string | undefined): Promise<void> {
  if (!token) throw new HttpError(404, "NOT_FOUND", "This network has no admin routes");
  const given = header?.startsWith("Bearer ") ? header.slice(7) : "";
  const digest = async (s: string) =>
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
  const [a, b] = await Promise.all([digest(given), digest(token)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  if (diff !== 0) {
    throw new HttpError(401, "ADMIN_UNAUTHORIZED", "A bearer token of the network's admin");
  }
}
