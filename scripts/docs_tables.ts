/**
 * Rewrites the limits, error-code and sealing tables of `docs/PROTOCOL.md` from the code, so the
 * document and the network never disagree (a test checks that they agree), and the limits'
 * values alone (`src/protocol/limit_values.ts`), which the client loads instead of the table
 * and its texts (a test checks those too).
 *
 * Usage: `deno task docs`
 *
 * @module
 */
import { ERROR_CODES, LIMIT_SPECS } from "../src/protocol/mod.ts";
import { SEAL_CONSTANTS } from "../src/seal/seal_table.ts";
const lines = Deno.readTextFileSync("docs/PROTOCOL.md").split("\n");
const limits = [
  "| name | value | unit | meaning |",
  "| --- | --- | --- | --- |",
  ...LIMIT_SPECS.map((l) => `| \`${l.name}\` | ${l.value} | ${l.unit} | ${l.description} |`),
];
const codes = [
  "| code | meaning |",
  "| --- | --- |",
  ...Object.entries(ERROR_CODES).map(([c, d]) => `| \`${c}\` | ${d} |`),
];
const sealing = [
  "| constant | value | unit | meaning |",
  "| --- | --- | --- | --- |",
  ...SEAL_CONSTANTS.map((c) => `| \`${c.name}\` | ${c.value} | ${c.unit} | ${c.description} |`),
];
function replace(startsWith: RegExp, table: string[]) {
  const i = lines.findIndex((l) => startsWith.test(l));
  let j = i;
  while (j < lines.length && lines[j].startsWith("|")) j++;
  lines.splice(i, j - i, ...table);
}
replace(/^\|\s*name\s*\|\s*value/, limits);
replace(/^\|\s*code\s*\|\s*meaning/, codes);
replace(/^\|\s*constant\s*\|\s*value\s*\|\s*unit/, sealing);
Deno.writeTextFileSync("docs/PROTOCOL.md", lines.join("\n"));

const values = [
  "/**",
  " * Every limit's default value, without its unit and text: what the client loads, instead of",
  " * the table (`limit_table.ts`), which is the source. Written by `deno task docs`; a test checks",
  " * that it agrees with the table.",
  " *",
  " * @module",
  " */",
  "",
  "/** The names of all limits. */",
  "export type LimitName =",
  ...LIMIT_SPECS.map((l) => `  | "${l.name}"`),
  "  ;",
  "",
  "/** The default value of every limit, by name. */",
  "export const LIMIT_VALUES: Readonly<Record<LimitName, number>> = {",
  ...LIMIT_SPECS.map((l) => `  ${l.name}: ${l.value},`),
  "};",
  "",
];
Deno.writeTextFileSync("src/protocol/limit_values.ts", values.join("\n"));
