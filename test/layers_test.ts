// The layering holds: no import cycle, src/ runtime-neutral, workers/ apart from the client,
// no file past its size.
import { checkLayers, importsOf } from "../scripts/layers.ts";
import { assertEquals } from "./support/assert.ts";

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
