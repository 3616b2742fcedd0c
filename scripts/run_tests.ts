/**
 * The whole test suite: unit, property, doc and integration tests (on real workerd), in two
 * `deno test` runs (the quick ones two files at a time, then the integration tests one file at
 * a time). Passes Deno's output through and ends with the line `N passed, N failed` that CI
 * reads.
 *
 * Usage: `deno task test [extra deno test args]`
 *
 * @module
 */

import { ensureTools, TOOLS } from "./system_tools.ts";

// What the browser, namespace and metrics tests need from the system, installed or named.
await ensureTools(Object.values(TOOLS));

const decoder = new TextDecoder();
const ROOT = new URL("../", import.meta.url).pathname;

/** Runs one `deno test`, passing its output through; its summary's tail and its exit code. */
async function run(args: string[]): Promise<{ tail: string; code: number; asserts: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--doc", ...args, ...Deno.args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
    env: { WRANGLER_SEND_METRICS: "false" },
  }).spawn();
  let tail = "";
  // The doc examples check with console.assert, which only prints: a printed failure fails.
  let asserts = 0;
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    const text = decoder.decode(chunk, { stream: true });
    asserts += (text.match(/Assertion failed/g) ?? []).length;
    tail = (tail + text).slice(-4096);
  }
  return { tail, code: (await child.status).code, asserts };
}

// Two runs, one after the other. First what touches no network and no browser (the doc
// examples, unit and property tests: every folder but the integration tests), two files at a
// time; then the integration tests on workerd, one file at a time, as their timings want.
const dirs = (path: string) =>
  [...Deno.readDirSync(`${ROOT}${path}`)].filter((e) =>
    !e.name.startsWith(".") && (e.isDirectory || e.name.endsWith(".ts"))
  ).map((e) => `${path}${e.name}`);
// Folders with no module of ours to test (the node example is JavaScript; docs are Markdown).
const SKIP = new Set(["node_modules", "dist", "test", "docs", "templates", "examples"]);
const quick = [
  ...dirs("").filter((p) => !SKIP.has(p)),
  ...dirs("test/").filter((p) => p !== "test/integration"),
];
const runs = [await run(["--parallel", ...quick]), await run(["test/integration/"])];

let passed = 0;
let failed = 0;
let failedAsserts = 0;
for (const { tail, code, asserts } of runs) {
  failedAsserts += asserts;
  // Deno's summary: "ok | 73 passed | 0 failed (29s)" or "FAILED | 70 passed | 3 failed (…)".
  // deno-lint-ignore no-control-regex
  const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
  const summary = [...plain.matchAll(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/g)].at(-1);
  passed += summary ? Number(summary[1]) : 0;
  failed += summary ? Number(summary[3]) : code === 0 ? 0 : 1;
}
failed += failedAsserts;
if (failedAsserts > 0) {
  console.log(`\n${failedAsserts} console.assert failed (see "Assertion failed")`);
}
console.log(`\n${passed} passed, ${failed} failed`);
Deno.exit(runs.every((r) => r.code === 0) && failed === 0 && passed > 0 ? 0 : 1);
