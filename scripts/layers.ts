/**
 * The code's layering, checked: no import cycle in `src/` or `workers/` (type-only imports
 * included), `src/` runtime-neutral (no `cloudflare:*`, nothing from `workers/`), `workers/`
 * never reaching into `src/client/`, and no file grown past its size. Run by the test suite
 * (`test/layers_test.ts`) and on its own: `deno run --allow-read scripts/layers.ts`.
 *
 * @module
 */

/** Most lines of a file in `src/` or `workers/`. */
export const MAX_FILE_LINES = 400;
/** Most lines of the Durable Object's entry, a list of doors. */
export const MAX_ENTRY_LINES = 300;

const ROOT = new URL("../", import.meta.url);

/** A finding: what is wrong, and where. */
export interface Finding {
  /** The file, relative to the repository. */
  file: string;
  /** What is wrong. */
  problem: string;
}

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) yield path;
  }
}

/**
 * The module specifiers a file imports or re-exports (type-only ones included).
 *
 * @param text The file's text.
 * @returns The specifiers.
 *
 * @example Usage
 * ```ts
 * import { importsOf } from "./layers.ts";
 * console.assert(importsOf('import type { A } from "./a.ts";')[0] === "./a.ts");
 * ```
 */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  // Comments out first: a doc example's import is not the file's.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const m of code.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gm)) {
    out.push(m[1]);
  }
  for (const m of code.matchAll(/^\s*import\s+"([^"]+)"/gm)) out.push(m[1]);
  return out;
}

function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const url = new URL(spec, new URL(from, ROOT));
  return url.pathname.slice(ROOT.pathname.length);
}

/**
 * Checks the layering of `src/` and `workers/`.
 *
 * @returns Every finding; none when all is well.
 */
export async function checkLayers(): Promise<Finding[]> {
  const findings: Finding[] = [];
  const graph = new Map<string, string[]>();
  for (const dir of ["src", "workers"]) {
    for await (const file of sources(dir)) {
      const text = await Deno.readTextFile(new URL(file, ROOT));
      const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
      const max = file === "workers/super_peer.ts" ? MAX_ENTRY_LINES : MAX_FILE_LINES;
      if (lines > max) findings.push({ file, problem: `${lines} lines, more than ${max}` });
      const deps: string[] = [];
      for (const spec of importsOf(text)) {
        if (file.startsWith("src/") && spec.startsWith("cloudflare:")) {
          findings.push({ file, problem: `imports "${spec}": src/ is runtime-neutral` });
        }
        const target = resolve(file, spec);
        if (!target) continue;
        if (file.startsWith("src/") && target.startsWith("workers/")) {
          findings.push({ file, problem: `imports ${target}: src/ never imports workers/` });
        }
        if (file.startsWith("workers/") && target.startsWith("src/client/")) {
          findings.push({ file, problem: `imports ${target}: workers/ never imports the client` });
        }
        deps.push(target);
      }
      graph.set(file, deps);
    }
  }
  for (const cycle of cycles(graph)) {
    findings.push({ file: cycle[0], problem: `import cycle: ${cycle.join(" → ")} → ${cycle[0]}` });
  }
  return findings;
}

// Tarjan's strongly connected components: each component of more than one file (or a file
// that imports itself) holds a cycle.
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

if (import.meta.main) {
  const findings = await checkLayers();
  for (const f of findings) console.log(`${f.file}: ${f.problem}`);
  console.log(findings.length === 0 ? "layers: clean" : `layers: ${findings.length} problems`);
  Deno.exit(findings.length === 0 ? 0 : 1);
}
