/**
 * Cross-origin access to the HTTP API: everything the network serves is public and takes no
 * credentials, so any page may call it. Every answer says `access-control-allow-origin: *`,
 * and a browser's preflight (an `OPTIONS` with `access-control-request-method`) is answered
 * `204`; any other `OPTIONS` meets the usual `405`.
 *
 * Except the faucet: it pays whoever asks, up to a bound per client address, so a page that
 * could call it would spend its visitors' addresses' bounds for itself. Its answers carry no
 * CORS header and its preflight is not answered (a browser then sends no JSON `POST`); a
 * browser's simple `POST` from another origin, which needs no preflight, the route itself
 * refuses by its `Origin` ({@linkcode crossOrigin}).
 *
 * @module
 */
import type { Context, Next } from "hono";

/** Paths no other origin may call from a browser. */
const SAME_ORIGIN_PATHS: ReadonlySet<string> = new Set(["/v1/faucet"]);

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
  if (SAME_ORIGIN_PATHS.has(c.req.path)) return await next();
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

/**
 * Whether a request comes from a page of another origin: its `Origin` header names one other
 * than the request's own. A tool sends no `Origin`; a browser sends it on every `POST`.
 *
 * @example Usage
 * ```ts
 * import { crossOrigin } from "./cors.ts";
 * const from = (origin: string) => new Request("https://net.example/v1/faucet", { headers: { origin } });
 * console.assert(crossOrigin(from("https://evil.example")));
 * console.assert(!crossOrigin(from("https://net.example")));
 * console.assert(!crossOrigin(new Request("https://net.example/v1/faucet")));
 * ```
 *
 * @param request The request.
 * @returns `true` if another origin's page sent it.
 */
export function crossOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  return origin !== null && origin !== new URL(request.url).origin;
}
