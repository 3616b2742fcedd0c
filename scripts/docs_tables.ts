/**
 * Rewrites the limits and error-code tables of `docs/PROTOCOL.md` from the code, so the
 * document and the network never disagree (a test checks that they agree).
 *
 * Usage: `deno task docs`
 *
 * @module
 */
import { ERROR_CODES, LIMIT_SPECS } from "../src/protocol/mod.ts";
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
function replace(startsWith: RegExp, table: string[]) {
  const i = lines.findIndex((l) => startsWith.test(l));
  let j = i;
  while (j < lines.length && lines[j].startsWith("|")) j++;
  lines.splice(i, j - i, ...table);
}
replace(/^\|\s*name\s*\|\s*value/, limits);
replace(/^\|\s*code\s*\|\s*meaning/, codes);
Deno.writeTextFileSync("docs/PROTOCOL.md", lines.join("\n"));
