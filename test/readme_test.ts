// The README's TypeScript examples type-check against the library as it is. They are checked,
// not run (they talk to a running network), so deno.json keeps README.md out of `deno test`.
import { assertEquals } from "./support/assert.ts";

Deno.test("README.md: every TypeScript example type-checks", async () => {
  const readme = new URL("../README.md", import.meta.url);
  const blocks = (await Deno.readTextFile(readme)).match(/^```ts.*$/gm) ?? [];
  assertEquals(blocks.filter((b) => b !== "```ts"), [], "no example is left unchecked");
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--doc-only", readme.pathname],
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
});
