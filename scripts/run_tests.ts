/**
 * The whole test suite: unit, property, doc and integration tests (on real workerd), in one
 * `deno test` run. Passes Deno's output through and ends with the line
 * `N passed, N failed` that CI reads.
 *
 * Usage: `deno task test [extra deno test args]`
 *
 * @module
 */

import { ensureTools, TOOLS } from "./system_tools.ts";

// What the browser, namespace and metrics tests need from the system, installed or named.
await ensureTools(Object.values(TOOLS));

const args = ["test", "-A", "--doc", ...Deno.args];
const child = new Deno.Command(Deno.execPath(), {
  args,
  stdout: "piped",
  stderr: "inherit",
  env: { WRANGLER_SEND_METRICS: "false" },
}).spawn();

let tail = "";
// The doc examples check with console.assert, which only prints: a printed failure fails the run.
let failedAsserts = 0;
const decoder = new TextDecoder();
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  const text = decoder.decode(chunk, { stream: true });
  failedAsserts += (text.match(/Assertion failed/g) ?? []).length;
  tail = (tail + text).slice(-4096);
}
const { code } = await child.status;

// Deno's summary: "ok | 73 passed | 0 failed (29s)" or "FAILED | 70 passed | 3 failed (…)".
// deno-lint-ignore no-control-regex
const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
const summary = [...plain.matchAll(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/g)].at(-1);
const passed = summary ? Number(summary[1]) : 0;
const failed = (summary ? Number(summary[3]) : code === 0 ? 0 : 1) + failedAsserts;
if (failedAsserts > 0) {
  console.log(`\n${failedAsserts} console.assert failed (see "Assertion failed")`);
}
console.log(`\n${passed} passed, ${failed} failed`);
Deno.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
