// The layering holds: no import cycle, src/ runtime-neutral, workers/ apart from the client and
// in its wings, private files private, no file past its size. Each rule is shown to bite on a
// file planted for the check alone.
import { checkLayers, importsOf } from "../scripts/layers.ts";
import { assert, assertEquals } from "./support/assert.ts";

Deno.test("importsOf() reads imports and re-exports, type-only ones too, not doc examples", () => {
  const text = [
    'import { a } from "./a.ts";',
    'import type { B } from "./b.ts";',
    'export * from "./c.ts";',
    'export {\n  d,\n  type E,\n} from "./d.ts";',
    '/**\n * import { x } from "./x.ts";\n */',
    'import "./side.ts";',
  ].join("\n");
  assertEquals(importsOf(text).sort(), ["./a.ts", "./b.ts", "./c.ts", "./d.ts", "./side.ts"]);
});

Deno.test("checkLayers() finds no cycle, no wrong-way import and no oversized file", async () => {
  assertEquals(await checkLayers(), []);
});

/** The findings a planted file brings, as `file: problem` lines. */
async function plantedFindings(planted: Record<string, string>): Promise<string[]> {
  // Not the length findings: a planted line may push a file past the limit on its own.
  return (await checkLayers(planted)).map((f) => `${f.file}: ${f.problem}`)
    .filter((line) => !/ lines, more than \d+$/.test(line));
}

Deno.test("checkLayers() refuses an import from a super-peer room into the edge", async () => {
  const app = await Deno.readTextFile(new URL("../workers/edge/app.ts", import.meta.url));
  const found = await plantedFindings({
    "workers/edge/app.ts": `import { Relay } from "../super_peer/relay.ts";\n${app}`,
  });
  assertEquals(found, [
    "workers/edge/app.ts: imports workers/super_peer/relay.ts: " +
    "workers/edge/ imports nothing of workers/super_peer/",
  ]);
});

Deno.test("checkLayers() refuses an import from the edge into the super-peer", async () => {
  const found = await plantedFindings({
    "workers/super_peer/planted.ts": 'import { cors } from "../edge/cors.ts";\n',
  });
  assertEquals(found, [
    "workers/super_peer/planted.ts: imports workers/edge/cors.ts: " +
    "workers/super_peer/ imports nothing of workers/edge/",
  ]);
});

Deno.test("checkLayers() refuses a wing in a shared file and a file outside the wings", async () => {
  const found = await plantedFindings({
    "workers/log.ts": 'import { cors } from "./edge/cors.ts";\n',
    "workers/stray.ts": "export const stray = 1;\n",
  });
  assertEquals(found.length, 2, found.join("\n"));
  assert(found[0].startsWith("workers/log.ts: imports workers/edge/cors.ts: a shared"));
  assert(found[1].startsWith("workers/stray.ts: outside the wings"));
});

Deno.test("checkLayers() refuses a private file imported from another folder", async () => {
  const found = await plantedFindings({
    "src/routing/_planted.ts": "export const x = 1;\n",
    "src/ledger/planted.ts": 'import { x } from "../routing/_planted.ts";\n',
  });
  assertEquals(found, [
    "src/ledger/planted.ts: imports src/routing/_planted.ts: a _private file is its own folder's",
  ]);
});

Deno.test("checkLayers() keeps React in src/react/, which takes the library by its entries", async () => {
  const found = await plantedFindings({
    "src/client/planted.ts": 'import { useState } from "react";\n',
    "src/react/planted.ts": 'import { Peer } from "../client/peer.ts";\n',
  });
  assertEquals(found, [
    'src/client/planted.ts: imports "react": only src/react/ imports React',
    "src/react/planted.ts: imports src/client/peer.ts: src/react/ takes the library by its entries",
  ]);
});
