/**
 * Bundles the Worker for wrangler (its `[build]` command): `workers/main.ts` with the client
 * module it serves at `/v1/client.js` and the network page's script (`/v1/page.js`) built in, into `.build/worker/main.js`, exactly as the
 * tests bundle it.
 *
 * Usage: `deno run -A scripts/build.ts` (wrangler runs it before `dev` and `deploy`)
 *
 * @module
 */
import { bundleWorker, embeddedModules, ROOT } from "./local_network.ts";

if (import.meta.main) {
  const out = await bundleWorker(
    `${ROOT}workers/main.ts`,
    `${ROOT}.build/worker/main.js`,
    await embeddedModules(),
  );
  console.log(`built ${out.replace(ROOT, "")}`);
}
