// What a page loads with the client: the package's root bundled as the network serves it, with
// no schema library inside (the network's messages are checked by hand, `json_check.ts`) and
// none of the limits table's texts (it takes the values alone, `limit_values.ts`).
import { LIMIT_SPECS } from "../../src/protocol/mod.ts";
import { PAGE_MODULE, ROOT } from "../../scripts/local_network.ts";
import * as esbuild from "esbuild";
import { assert } from "../support/assert.ts";

Deno.test("the client's bundle carries no schema library", async () => {
  try {
    const result = await esbuild.build({
      ...PAGE_MODULE,
      entryPoints: [`${ROOT}mod.ts`],
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    assert(inputs.some((p) => p.includes("src/client/peer.ts")), "the client is in it");
    const schema = inputs.filter((p) => /(^|\/)zod\//.test(p));
    assert(schema.length === 0, `zod is bundled: ${schema.slice(0, 3).join(", ")}`);
    const text = new TextDecoder().decode(result.outputFiles[0].contents);
    const texts = LIMIT_SPECS.filter((l) => text.includes(l.description));
    assert(texts.length === 0, `${texts.length} limit texts are bundled, e.g. ${texts[0]?.name}`);
  } finally {
    await esbuild.stop();
  }
});
