/**
 * The client library as ES modules, served at `GET /v1/client.js` so that a page anywhere
 * can `import { Peer } from "https://<network>/v1/client.js"`, and the parts it loads on first
 * use (the ledger, file sharing) with the code they share, at `GET /v1/client/<name>-<hash>.js`.
 * The modules are built from `mod.ts` when the Worker is bundled (`scripts/build.ts` defines
 * `__SUPERPEER_CLIENT__`), so the client a network serves is always the one its Worker speaks.
 *
 * @module
 */

/** The modules' sources by path under `/v1/`, set by the bundler; absent in a Worker bundled without them. */
declare const __SUPERPEER_CLIENT__: Record<string, string> | undefined;

/** How long a browser or a cache may keep the module before asking again (with its ETag). */
const MAX_AGE_S = 3_600;

/**
 * How long a module named by its content's hash may be kept: a year, never asked again, since
 * a new client is new names (the entry, asked again hourly, names them).
 */
const IMMUTABLE = "public, max-age=31536000, immutable";

const etags = new Map<string, Promise<string>>();

async function tagOf(source: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(source));
  const hex = [...new Uint8Array(digest).slice(0, 12)]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"${hex}"`;
}

/**
 * Answers a request for a module built into the Worker: the module with cache and
 * cross-origin headers, or `304` when the browser has it.
 *
 * @example Usage
 * ```ts
 * import { moduleResponse } from "./client_module.ts";
 * const r = await moduleResponse("export const a = 1;", new Request("http://x/m.js"));
 * console.assert(r.headers.get("content-type")?.startsWith("text/javascript"));
 * ```
 *
 * @param source The module's source.
 * @param request The request.
 * @param cacheControl Its `cache-control` (default: an hour, then asked again by ETag).
 * @returns The answer.
 */
export async function moduleResponse(
  source: string,
  request: Request,
  cacheControl = `public, max-age=${MAX_AGE_S}`,
): Promise<Response> {
  let tag = etags.get(source);
  if (!tag) etags.set(source, tag = tagOf(source));
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    // A module script from another origin needs CORS; the module is public.
    "access-control-allow-origin": "*",
    "cache-control": cacheControl,
    etag: await tag,
  };
  if (request.headers.get("if-none-match") === headers.etag) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(source, { headers });
}

/**
 * Answers a request for one of the client's modules: `client.js` (the entry, kept an hour) or
 * `client/<name>-<hash>.js` (a part, kept for good), with cross-origin headers, `304` when the
 * browser has it, or `undefined` when there is no such module (or the Worker was bundled
 * without them).
 *
 * @example Usage
 * ```ts
 * import { clientModule } from "./client_module.ts";
 * // In a Worker bundled without the client it answers nothing (the route then says 404).
 * console.assert(await clientModule("client.js", new Request("http://x/v1/client.js")) === undefined);
 * ```
 *
 * @param path The module's path under `/v1/`.
 * @param request The request.
 * @returns The answer.
 */
export async function clientModule(path: string, request: Request): Promise<Response | undefined> {
  const modules = typeof __SUPERPEER_CLIENT__ === "object" ? __SUPERPEER_CLIENT__ : undefined;
  if (!modules || !Object.hasOwn(modules, path)) return undefined;
  const entry = path === "client.js";
  return await moduleResponse(modules[path], request, entry ? undefined : IMMUTABLE);
}
