// What a page loads with the client: the package's root bundled as the network serves it, and
// no schema library inside (the network's messages are checked by hand, `json_check.ts`).
import * as esbuild from "esbuild";
import { assert } from "../support/assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("the client's bundle carries no schema library", async () => {
  try {
    const result = await esbuild.build({
      entryPoints: [`${ROOT}mod.ts`],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      write: false,
      metafile: true,
      logLevel: "error",
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert(inputs.some((p) => p.includes("src/client/peer.ts")), "the client is in it");
    const schema = inputs.filter((p) => /(^|\/)zod\//.test(p));
    assert(schema.length === 0, `zod is bundled: ${schema.slice(0, 3).join(", ")}`);
  } finally {
    await esbuild.stop();
  }
});
