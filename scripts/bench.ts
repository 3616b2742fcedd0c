/**
 * Benchmarks, side by side in one run on a local workerd, written to `docs/BENCHMARKS.md`
 * and `docs/benchmarks.json`. The machine is shared and noisy, so every figure is compared
 * with its baseline measured in the same run, in interleaved rounds, and the median kept.
 *
 * Usage: `deno task bench [--frames 20000] [--rounds 5] [--only relay|ledger|direct|pubsub|swarm|scale|admission|gate|growth|size|proofs]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Entry, median, type SectionResult } from "./bench/common.ts";
import { ledgerBench } from "./bench/ledger.ts";
import { relayBench } from "./bench/relay.ts";
import { directBench } from "./bench/direct.ts";
import { pubsubBench } from "./bench/pubsub.ts";
import { mergeSections } from "./bench/merge.ts";
import { scaleBench } from "./bench/scale.ts";
import { swarmBench } from "./bench/swarm.ts";
import { admissionBench } from "./bench/admission.ts";
import { gateBench } from "./bench/gate.ts";
import { growthBench } from "./bench/growth.ts";
import { clientSizeBench } from "./bench/client_size.ts";
import { balanceProofBench } from "./bench/balance_proofs.ts";
import { ensureTools, TOOLS } from "./system_tools.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    frames: { type: "string", default: "20000" },
    rounds: { type: "string", default: "5" },
    only: { type: "string" },
    out: { type: "string", default: "docs" },
  },
});
const rounds = Number(values.rounds);
if (!values.only || values.only === "direct") {
  // The direct section runs Chromium pages in an isolated namespace.
  await ensureTools([TOOLS.chromium, TOOLS.unshare, TOOLS.ip]);
}
const sections: SectionResult[] = [];
if (!values.only || values.only === "relay") {
  sections.push(await relayBench(Number(values.frames), rounds));
}
if (!values.only || values.only === "ledger") sections.push(await ledgerBench(rounds));
if (!values.only || values.only === "direct") sections.push(await directBench(rounds));
if (!values.only || values.only === "pubsub") sections.push(await pubsubBench(rounds));
if (!values.only || values.only === "swarm") sections.push(await swarmBench(rounds));
if (!values.only || values.only === "scale") sections.push(await scaleBench());
if (!values.only || values.only === "admission") sections.push(await admissionBench(rounds));
if (!values.only || values.only === "gate") sections.push(await gateBench(rounds));
if (!values.only || values.only === "growth") sections.push(await growthBench(Math.min(rounds, 3)));
if (!values.only || values.only === "size") sections.push(await clientSizeBench(rounds));
if (!values.only || values.only === "proofs") {
  sections.push(await balanceProofBench(Math.min(rounds, 2)));
}

// Whole numbers for rates and sizes; small values (latencies in ms) keep three decimals.
function rounded(x: number): number {
  return Math.abs(x) >= 100 ? Math.round(x) : Number(x.toFixed(3));
}

// ">= r" is met by the ratio to the baseline, "<= rx" too (at most r times the baseline),
// "within rx" too (between 1/r and r times the baseline);
// "<= +v unit" by the difference to the baseline; "<= v unit" by the value itself, and ">= r"
// too when there is no baseline.
function targetMet(e: Entry): boolean {
  const [op, n] = e.target!.split(" ");
  if (op === "within") {
    const r = Number(n.slice(0, -1));
    return e.ratio !== null && e.ratio >= 1 / r && e.ratio <= r;
  }
  if (op === "<=" && n.endsWith("x")) return e.ratio !== null && e.ratio <= Number(n.slice(0, -1));
  if (op === "<=" && n.startsWith("+")) {
    return e.baseline_value !== null && e.value - e.baseline_value <= Number(n.slice(1));
  }
  if (op === "<=") return e.value <= Number(n);
  // An entry without a baseline is a ratio itself.
  return (e.ratio ?? (e.baseline === null ? e.value : -Infinity)) >= Number(n);
}

const entries: Entry[] = [];
const tables: string[] = [];
for (const section of sections) {
  const m = Object.fromEntries(Object.entries(section.samples).map(([k, v]) => [k, median(v)]));
  const rows: string[] = [];
  for (const def of section.entries) {
    const e: Entry = {
      name: def.name,
      unit: def.unit,
      value: rounded(m[def.name]),
      baseline: def.baseline,
      baseline_value: def.baseline ? rounded(m[def.baseline]) : null,
      ratio: def.baseline ? Number((m[def.name] / m[def.baseline]).toFixed(3)) : null,
      ...(def.target ? { target: def.target } : {}),
    };
    entries.push(e);
    const met = e.target ? `${e.target} ${targetMet(e) ? "✓" : "✗"}` : "";
    rows.push(
      `| \`${e.name}\` | ${def.what} | ${e.value} ${e.unit} | ${
        e.baseline ? `\`${e.baseline}\`` : "—"
      } | ${e.ratio ?? "—"} | ${met} |`,
    );
  }
  tables.push(`## ${section.title}

${section.method}

| entry | what | value | baseline | ratio | target |
| --- | --- | ---: | --- | ---: | --- |
${rows.join("\n")}

Samples, per round: ${
    Object.entries(section.samples).map(([k, v]) => `\`${k}\` ${v.map(rounded).join(", ")}`).join(
      "; ",
    )
  }.
`);
}

const md = `# Benchmarks

Written by \`deno task bench\` on ${new Date().toISOString().slice(0, 10)}; do not edit by hand.
Each figure is the median of ${rounds} interleaved rounds after a warm-up, in one run on one
machine (${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, workerd through
Miniflare, all on loopback). Absolute figures depend on the machine; the ratios are what to
compare. \`ratio\` is \`value / baseline_value\`.

${tables.join("\n")}`;
await Deno.mkdir(values.out!, { recursive: true });
if (!values.only) {
  await Deno.writeTextFile(`${values.out}/BENCHMARKS.md`, md);
  await Deno.writeTextFile(
    `${values.out}/benchmarks.json`,
    JSON.stringify(entries, null, 2) + "\n",
  );
} else {
  // One section run alone replaces its own section and entries, and says it was run alone.
  const note = `(This section was run alone, \`deno task bench --only ${values.only}\`, on ${
    new Date().toISOString().slice(0, 10)
  }.)`;
  const written = await mergeSections(
    `${values.out}/BENCHMARKS.md`,
    `${values.out}/benchmarks.json`,
    tables.map((t) => t.replace(/\n\n/, `\n\n${note}\n\n`)),
    entries,
  );
  if (!written) console.log("No earlier docs/BENCHMARKS.md to merge into: nothing written.");
}
// Written as the formatter would, so that `deno fmt --check` stays clean.
await new Deno.Command(Deno.execPath(), {
  args: ["fmt", "-q", `${values.out}/BENCHMARKS.md`, `${values.out}/benchmarks.json`],
}).output();
console.log(md);
