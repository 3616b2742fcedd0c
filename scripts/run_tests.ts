/**
 * The whole test suite: unit, property, doc and integration tests (on real workerd), in one
 * `deno test` run. Passes Deno's output through and ends with the line
 * `N passed, N failed` that CI reads.
 *
 * Usage: `deno task test [extra deno test args]`
 *
 * @module
 */

const args = ["test", "-A", "--doc", ...Deno.args];
const child = new Deno.Command(Deno.execPath(), {
  args,
  stdout: "piped",
  stderr: "inherit",
  env: { WRANGLER_SEND_METRICS: "false" },
}).spawn();

let tail = "";
const decoder = new TextDecoder();
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  tail = (tail + decoder.decode(chunk, { stream: true })).slice(-4096);
}
const { code } = await child.status;

// Deno's summary: "ok | 73 passed | 0 failed (29s)" or "FAILED | 70 passed | 3 failed (…)".
// deno-lint-ignore no-control-regex
const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
const summary = [...plain.matchAll(/(\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed/g)].at(-1);
const passed = summary ? Number(summary[1]) : 0;
const failed = summary ? Number(summary[3]) : code === 0 ? 0 : 1;
console.log(`\n${passed} passed, ${failed} failed`);
Deno.exit(code === 0 && failed === 0 && passed > 0 ? 0 : 1);
