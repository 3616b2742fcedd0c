// The README's TypeScript examples type-check against the library as it is; readme_run_test.ts
// runs them against a local network. deno.json keeps README.md out of `deno test --doc`.
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
