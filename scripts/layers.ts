/**
 * The code's layering, checked: no import cycle in `src/` or `workers/` (type-only imports
 * included), `src/` runtime-neutral (no `cloudflare:*`, nothing from `workers/`), `workers/`
 * never reaching into `src/client/`, a `_private.ts` file imported only from its own folder,
 * `workers/` in its wings (the entry, the shared files, `edge/` and `super_peer/`, neither wing
 * importing the other), React in `src/react/` alone and that folder on the client's entries
 * only, and no file grown past its size. Run by the test suite
 * (`test/layers_test.ts`) and on its own: `deno run --allow-read scripts/layers.ts`.
 *
 * @module
 */

/** Most lines of a file in `src/` or `workers/`. */
export const MAX_FILE_LINES = 400;
/** Most lines of the Durable Object's entry, a list of doors. */
export const MAX_ENTRY_LINES = 300;
/** The Durable Object's entry: its doors. */
export const SUPER_PEER_ENTRY = "workers/super_peer/super_peer.ts";
/** The Worker's entry, which wrangler points at: the one file that imports both wings. */
export const WORKER_ENTRY = "workers/entry.ts";
/** The files of `workers/` that both wings use; they import neither wing. */
export const SHARED_WORKER_FILES: readonly string[] = [
  "workers/config.ts",
  "workers/handoff.ts",
  "workers/http_error.ts",
  "workers/ledger_routing.ts",
  "workers/log.ts",
  "workers/rpc.ts",
  "workers/shard_keys.ts",
  "workers/shards.ts",
  "workers/verifier.ts",
  "workers/verifier_entrypoint.ts",
];
/** The one folder that may import React: the package's root and the rest never need it. */
export const REACT_DIR = "src/react/";
/** What `src/react/` may import of the library: its entries, as an application would. */
export const REACT_SOURCES: readonly string[] = [
  "src/client/mod.ts",
  "src/identity/mod.ts",
  "src/protocol/mod.ts",
];

/** The wings of `workers/`, and the folder of the runtime's type declarations. */
export const WINGS: readonly string[] = ["workers/edge/", "workers/super_peer/"];
const TYPES_DIR = "workers/types/";

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

/** The wing a file of `workers/` lives in, if any. */
function wingOf(file: string): string | undefined {
  return WINGS.find((w) => file.startsWith(w));
}

/** What is wrong with one import of a file, if anything. */
function importProblem(file: string, spec: string, target: string | undefined): string | undefined {
  if (file.startsWith("src/") && spec.startsWith("cloudflare:")) {
    return `imports "${spec}": src/ is runtime-neutral`;
  }
  if (/^react(-dom)?(\/|$)/.test(spec) && !file.startsWith(REACT_DIR)) {
    return `imports "${spec}": only ${REACT_DIR} imports React`;
  }
  if (!target) return undefined;
  if (
    file.startsWith(REACT_DIR) && !target.startsWith(REACT_DIR) && !REACT_SOURCES.includes(target)
  ) {
    return `imports ${target}: ${REACT_DIR} takes the library by its entries`;
  }
  if (file.startsWith("src/") && target.startsWith("workers/")) {
    return `imports ${target}: src/ never imports workers/`;
  }
  if (file.startsWith("workers/") && target.startsWith("src/client/")) {
    return `imports ${target}: workers/ never imports the client`;
  }
  const base = target.slice(target.lastIndexOf("/") + 1);
  if (base.startsWith("_") && dirOf(target) !== dirOf(file)) {
    return `imports ${target}: a _private file is its own folder's`;
  }
  if (!file.startsWith("workers/") || file === WORKER_ENTRY) return undefined;
  const from = wingOf(file), to = wingOf(target);
  if (to && to !== from) {
    return from
      ? `imports ${target}: ${from} imports nothing of ${to}`
      : `imports ${target}: a shared file imports no wing`;
  }
  return undefined;
}

function dirOf(file: string): string {
  return file.slice(0, file.lastIndexOf("/") + 1);
}

/** Where a file of `workers/` may live: the entry, a shared file, a wing, the types. */
function placeProblem(file: string): string | undefined {
  if (!file.startsWith("workers/") || file === WORKER_ENTRY) return undefined;
  if (SHARED_WORKER_FILES.includes(file) || wingOf(file) || file.startsWith(TYPES_DIR)) {
    return undefined;
  }
  return `outside the wings: workers/ holds ${WORKER_ENTRY}, the shared files and ${
    WINGS.join(", ")
  }`;
}

/**
 * Checks the layering of `src/` and `workers/`.
 *
 * @param planted Files to check as if they were in the tree (path → text), in place of the
 * file of that path if there is one: how a test shows that a wrong import is caught.
 * @returns Every finding; none when all is well.
 *
 * @example Usage
 * ```ts ignore
 * import { checkLayers } from "./layers.ts";
 * const findings = await checkLayers();
 * console.assert(findings.length === 0);
 * ```
 */
export async function checkLayers(planted: Record<string, string> = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  const graph = new Map<string, string[]>();
  const texts = new Map<string, string>();
  for (const dir of ["src", "workers"]) {
    for await (const file of sources(dir)) {
      texts.set(file, await Deno.readTextFile(new URL(file, ROOT)));
    }
  }
  for (const [file, text] of Object.entries(planted)) texts.set(file, text);
  for (const [file, text] of texts) {
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    const max = file === SUPER_PEER_ENTRY ? MAX_ENTRY_LINES : MAX_FILE_LINES;
    if (lines > max) findings.push({ file, problem: `${lines} lines, more than ${max}` });
    const place = placeProblem(file);
    if (place) findings.push({ file, problem: place });
    const deps: string[] = [];
    for (const spec of importsOf(text)) {
      const target = resolve(file, spec);
      const problem = importProblem(file, spec, target);
      if (problem) findings.push({ file, problem });
      if (target) deps.push(target);
    }
    graph.set(file, deps);
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
