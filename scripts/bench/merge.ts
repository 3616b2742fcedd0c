/**
 * Puts the sections of a partial benchmark run (`--only`) into the written report: each
 * replaces the section of the same heading, and its entries replace those of the same name.
 *
 * @module
 */

/** An entry of `benchmarks.json`, as far as merging needs it. */
export interface NamedEntry {
  /** The entry's name. */
  name: string;
}

/**
 * Merges sections into `BENCHMARKS.md` and entries into `benchmarks.json`.
 *
 * @example Usage
 * ```ts ignore
 * await mergeSections("docs/BENCHMARKS.md", "docs/benchmarks.json", ["## Ledger\n\n…"], []);
 * ```
 *
 * @param mdPath The report.
 * @param jsonPath The entries.
 * @param sections New sections, each starting with its `## ` heading.
 * @param entries Their entries.
 * @returns Whether there was a report to merge into.
 */
export async function mergeSections(
  mdPath: string,
  jsonPath: string,
  sections: string[],
  entries: NamedEntry[],
): Promise<boolean> {
  let md: string, old: NamedEntry[];
  try {
    md = await Deno.readTextFile(mdPath);
    old = JSON.parse(await Deno.readTextFile(jsonPath));
  } catch {
    return false;
  }
  for (const section of sections) {
    const heading = section.slice(0, section.indexOf("\n"));
    const start = md.indexOf(`${heading}\n`);
    if (start < 0) {
      md = `${md.trimEnd()}\n\n${section}`;
      continue;
    }
    const next = md.indexOf("\n## ", start + heading.length);
    md = md.slice(0, start) + section.trimEnd() + "\n" + (next < 0 ? "" : md.slice(next));
  }
  const fresh = new Map(entries.map((e) => [e.name, e]));
  const merged: NamedEntry[] = [];
  for (const e of old) {
    const replaced = fresh.get(e.name);
    merged.push(replaced ?? e);
    fresh.delete(e.name);
  }
  merged.push(...fresh.values());
  await Deno.writeTextFile(mdPath, md);
  await Deno.writeTextFile(jsonPath, JSON.stringify(merged, null, 2) + "\n");
  return true;
}
