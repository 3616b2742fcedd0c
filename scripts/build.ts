/**
 * Bundles the Worker for wrangler (its `[build]` command): `workers/entry.ts` with the client
 * module it serves at `/v1/client.js` and the network page's script (`/v1/page.js`) built in, into `.build/worker/entry.js`, exactly as the
 * tests bundle it.
 *
 * Usage: `deno run -A scripts/build.ts` (wrangler runs it before `dev` and `deploy`)
 *
 * @module
 */
import { bundleWorker, embeddedModules, ROOT } from "./local_network.ts";

if (import.meta.main) {
  const out = await bundleWorker(
    `${ROOT}workers/entry.ts`,
    `${ROOT}.build/worker/entry.js`,
    await embeddedModules(),
  );
  console.log(`built ${out.replace(ROOT, "")}`);
}
