/**
 * The network page's script at `/v1/page.js`, built from `src/page/` into the Worker. The
 * page's HTML shell lives beside that script (`src/page/shell.ts`); the edge serves it at `/`.
 *
 * @module
 */
import { moduleResponse } from "./client_module.ts";

/** The page script's source, set by the bundler; absent in a Worker bundled without it. */
declare const __SUPERPEER_PAGE__: string | undefined;

/**
 * Answers a request for the page's script, or `undefined` in a Worker bundled without it.
 *
 * @example Usage
 * ```ts
 * import { pageModule } from "./page.ts";
 * console.assert(await pageModule(new Request("http://x/v1/page.js")) === undefined);
 * ```
 *
 * @param request The request.
 * @returns The answer.
 */
export async function pageModule(request: Request): Promise<Response | undefined> {
  const source = typeof __SUPERPEER_PAGE__ === "string" ? __SUPERPEER_PAGE__ : undefined;
  return source === undefined ? undefined : await moduleResponse(source, request);
}
