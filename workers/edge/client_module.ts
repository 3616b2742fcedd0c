/**
 * The client library as one ES module, served at `GET /v1/client.js` so that a page anywhere
 * can `import { Peer } from "https://<network>/v1/client.js"`. The module is built from
 * `mod.ts` when the Worker is bundled (`scripts/build.ts` defines `__SUPERPEER_CLIENT__`), so
 * the client a network serves is always the one its Worker speaks.
 *
 * @module
 */

/** The module's source, set by the bundler; absent in a Worker bundled without it. */
declare const __SUPERPEER_CLIENT__: string | undefined;

/** How long a browser or a cache may keep the module before asking again (with its ETag). */
const MAX_AGE_S = 3_600;

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
 * @returns The answer.
 */
export async function moduleResponse(source: string, request: Request): Promise<Response> {
  let tag = etags.get(source);
  if (!tag) etags.set(source, tag = tagOf(source));
  const headers = {
    "content-type": "text/javascript; charset=utf-8",
    // A module script from another origin needs CORS; the module is public.
    "access-control-allow-origin": "*",
    "cache-control": `public, max-age=${MAX_AGE_S}`,
    etag: await tag,
  };
  if (request.headers.get("if-none-match") === headers.etag) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(source, { headers });
}

/**
 * Answers a request for the client module: the module with cache and cross-origin headers,
 * `304` when the browser has it, or `undefined` in a Worker bundled without it.
 *
 * @example Usage
 * ```ts
 * import { clientModule } from "./client_module.ts";
 * // In a Worker bundled without the client it answers nothing (the route then says 404).
 * console.assert(await clientModule(new Request("http://x/v1/client.js")) === undefined);
 * ```
 *
 * @param request The request.
 * @returns The answer.
 */
export async function clientModule(request: Request): Promise<Response | undefined> {
  const source = typeof __SUPERPEER_CLIENT__ === "string" ? __SUPERPEER_CLIENT__ : undefined;
  return source === undefined ? undefined : await moduleResponse(source, request);
}
