// The TypeScript examples of README.md and docs/GUIDE.md type-check against the library as it
// is; readme_run_test.ts runs them against a local network. `deno test --doc` would run them
// with no network: deno.json keeps README.md out of it, and the guide's fences say `ts ignore`.
import { assert, assertEquals } from "./support/assert.ts";

const ROOT = new URL("../", import.meta.url);

async function check(args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["check", ...args],
    cwd: ROOT.pathname,
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, new TextDecoder().decode(stderr));
}

Deno.test("README.md: every TypeScript example type-checks", async () => {
  const readme = new URL("README.md", ROOT);
  const blocks = (await Deno.readTextFile(readme)).match(/^```ts.*$/gm) ?? [];
  assertEquals(blocks.filter((b) => b !== "```ts"), [], "no example is left unchecked");
  await check(["--doc-only", readme.pathname]);
});

Deno.test("docs/GUIDE.md: every TypeScript example type-checks", async () => {
  const text = await Deno.readTextFile(new URL("docs/GUIDE.md", ROOT));
  const fences = text.match(/^```(?:ts|typescript|tsx|js|javascript|jsx)\b.*$/gm) ?? [];
  assertEquals(fences.filter((f) => f !== "```ts ignore"), [], "every example is `ts ignore`");
  const blocks = [...text.matchAll(/^```ts ignore\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  assert(blocks.length === fences.length, "each example is read whole");
  // Each example as the module a reader would save in docs/, its imports made absolute.
  await Deno.mkdir(new URL(".build/", ROOT), { recursive: true });
  const dir = await Deno.makeTempDir({ dir: new URL(".build/", ROOT).pathname, prefix: "guide-" });
  try {
    const files = [];
    for (const [i, block] of blocks.entries()) {
      const file = `${dir}/example${i + 1}.ts`;
      await Deno.writeTextFile(file, block.replaceAll('from "../', `from "${ROOT.href}`));
      files.push(file);
    }
    await check(files);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docs/REACT.md: the example component type-checks, JSX and all", async () => {
  const text = await Deno.readTextFile(new URL("docs/REACT.md", ROOT));
  const blocks = [...text.matchAll(/^```tsx ignore\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  assertEquals(text.match(/^```(?:ts|tsx)\b.*$/gm)?.length, blocks.length, "each example is read");
  assert(blocks.length > 0, "an example component");
  // As a reader's module, the package's names pointed at the sources.
  await Deno.mkdir(new URL(".build/", ROOT), { recursive: true });
  const dir = await Deno.makeTempDir({ dir: new URL(".build/", ROOT).pathname, prefix: "react-" });
  try {
    const files = [];
    for (const [i, block] of blocks.entries()) {
      const file = `${dir}/example${i + 1}.tsx`;
      await Deno.writeTextFile(
        file,
        block.replaceAll('from "superpeer/react"', `from "${ROOT.href}src/react/mod.ts"`)
          .replaceAll('from "superpeer"', `from "${ROOT.href}mod.ts"`),
      );
      files.push(file);
    }
    await check(files);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
