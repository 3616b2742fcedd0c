/**
 * Cross-origin access to the HTTP API: everything the network serves is public and takes no
 * credentials, so any page may call it. Every answer says `access-control-allow-origin: *`,
 * and a browser's preflight (an `OPTIONS` with `access-control-request-method`) is answered
 * `204`; any other `OPTIONS` meets the usual `405`.
 *
 * @module
 */
import type { Context, Next } from "hono";

/** How long a browser may keep a preflight's answer, in seconds. */
const PREFLIGHT_MAX_AGE_S = 86_400;

/**
 * The CORS middleware of the edge.
 *
 * @example Usage
 * ```ts
 * import { Hono } from "hono";
 * import { cors } from "./cors.ts";
 * const app = new Hono().use(cors).get("/", (c) => c.text("hi"));
 * const res = await app.request("/");
 * console.assert(res.headers.get("access-control-allow-origin") === "*");
 * ```
 *
 * @param c The request's context.
 * @param next The rest of the chain.
 * @returns The preflight's answer, or nothing (the route answers, with the header added).
 */
export async function cors(c: Context, next: Next): Promise<Response | void> {
  const preflight = c.req.method === "OPTIONS" &&
    c.req.header("access-control-request-method") !== undefined;
  if (preflight) {
    return new Response(null, {
      status: 204,
      headers: {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "content-type",
        "access-control-max-age": String(PREFLIGHT_MAX_AGE_S),
      },
    });
  }
  await next();
  // A WebSocket upgrade's answer cannot take headers, and needs none.
  if (c.res.status === 101) return;
  try {
    c.res.headers.set("access-control-allow-origin", "*");
  } catch {
    // Headers of a response passed through from elsewhere are immutable: copy it.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set("access-control-allow-origin", "*");
  }
}
