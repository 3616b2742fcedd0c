// The documents against the tree and the code: the README's layout against the folders of src/
// and workers/, the HTTP API of docs/PROTOCOL.md against the OpenAPI document the network
// serves, and every table of contents and link between the documents against their headings.
import { openApiDocument } from "../workers/edge/openapi.ts";
import { assert, assertEquals } from "./support/assert.ts";

const ROOT = new URL("../", import.meta.url);

const read = (path: string) => Deno.readTextFile(new URL(path, ROOT));

/** The text of the `## title` section of a document, up to the next `## ` heading. */
function section(text: string, title: RegExp): string {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("## ") && title.test(l.slice(3)));
  assert(start >= 0, `no section ${title}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** The lines of a document outside its fenced code blocks. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split("\n").filter((line) => {
    if (line.startsWith("```")) fenced = !fenced;
    return !fenced && !line.startsWith("```");
  });
}

/** The anchors of a document's headings, as GitHub makes them. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(text)) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(
      /\s/g,
      "-",
    );
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Every folder under a folder of the repository, itself included, as `a/b` paths. */
async function folders(dir: string): Promise<string[]> {
  const out = [dir];
  for await (const entry of Deno.readDir(new URL(`${dir}/`, ROOT))) {
    if (entry.isDirectory) out.push(...await folders(`${dir}/${entry.name}`));
  }
  return out;
}

const isDirectory = (path: string) =>
  Deno.stat(new URL(`${path}/`, ROOT)).then((s) => s.isDirectory, () => false);

Deno.test("README layout names every folder of src/ and workers/, and only folders that exist", async () => {
  const layout = section(await read("README.md"), /^Layout$/);
  // Each folder is an item of the list that starts with its backticked path: `- \`src/seal/\``.
  const named = [...layout.matchAll(/^\s*- `([^`\s]+)\/`/gm)].map((m) => m[1]);
  assert(named.length > 0, "the layout names folders as list items: - `path/`: what");
  const missing = [];
  for (const path of named) if (!await isDirectory(path)) missing.push(path);
  const actual = [...await folders("src"), ...await folders("workers")];
  const unnamed = actual.filter((path) => !named.includes(path)).sort();
  // Both ways at once, so that one failure shows all that is wrong.
  assertEquals(
    { "named, but no such folder": missing, "a folder of src/ or workers/ not named": unnamed },
    { "named, but no such folder": [], "a folder of src/ or workers/ not named": [] },
  );
});

Deno.test("every route of /v1/openapi.json is documented in docs/PROTOCOL.md, and every documented route is in it", async () => {
  const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
  const doc = openApiDocument() as { paths: Record<string, Record<string, unknown>> };
  // `{hash}` in OpenAPI is `:hash` in the document.
  const served = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((key) => METHODS.includes(key)).map((method) =>
      `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ":$1")}`
    )
  );
  // Rows of the HTTP API's table: `| GET | \`/v1/health\` | what it answers |`.
  const api = section(await read("docs/PROTOCOL.md"), /^\d+\. HTTP API$/);
  const documented = [...api.matchAll(/^\|\s*([A-Z]+)\s*\|\s*`([^`\s]+)`\s*\|/gm)]
    .map((m) => `${m[1]} ${m[2]}`);
  assert(served.length > 0 && documented.length > 0, "both lists hold routes");
  // Both ways at once, so that one failure shows all that is wrong.
  assertEquals(
    {
      "served, not documented": served.filter((r) => !documented.includes(r)).sort(),
      "documented, not served": documented.filter((r) => !served.includes(r)).sort(),
    },
    { "served, not documented": [], "documented, not served": [] },
  );
  assertEquals(new Set(documented).size, documented.length, "each route documented once");
});

Deno.test("every document in docs/ opens with a table of contents that reaches its headings", async () => {
  // BENCHMARKS.md is written by the benchmarks, not by hand.
  for (
    const name of [
      "GUIDE.md",
      "PROTOCOL.md",
      "LEDGER.md",
      "SECURITY.md",
      "OPERATIONS.md",
      "REACT.md",
    ]
  ) {
    const text = await read(`docs/${name}`);
    const contents = section(text, /^Contents$/);
    const first = prose(text).find((l) => l.startsWith("## "));
    assertEquals(first, "## Contents", `docs/${name}: the contents come before any section`);
    const links = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    const headings = anchors(text);
    assertEquals(links.filter((a) => !headings.has(a)), [], `docs/${name}: contents to nowhere`);
    const sections = prose(text).filter((l) => l.startsWith("## ") && l !== "## Contents");
    assertEquals(
      sections.filter((l) => !links.some((a) => anchors(l).has(a))),
      [],
      `docs/${name}: sections the contents leave out`,
    );
  }
});

Deno.test("links between README.md and docs/ reach a file, and a heading in it", async () => {
  const docs = ["README.md"];
  for await (const entry of Deno.readDir(new URL("docs/", ROOT))) {
    if (entry.name.endsWith(".md")) docs.push(`docs/${entry.name}`);
  }
  const broken: string[] = [];
  for (const from of docs) {
    const text = await read(from);
    for (const line of prose(text)) {
      for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split("#");
        const file = path ? new URL(path, new URL(from, ROOT)) : new URL(from, ROOT);
        const found = await Deno.readTextFile(file).catch(() => undefined);
        if (found === undefined) broken.push(`${from}: ${target} (no file)`);
        else if (anchor && !anchors(found).has(anchor)) broken.push(`${from}: ${target}`);
      }
    }
  }
  assertEquals(broken, []);
});

Deno.test("README.md stays short, and docs/PROTOCOL.md starts with the minimal client", async () => {
  const lines = (await read("README.md")).split("\n").length;
  assert(lines < 200, `README.md has ${lines} lines; reference belongs in docs/`);
  const first = prose(await read("docs/PROTOCOL.md")).find((l) => /^## \d+\. /.test(l));
  assertEquals(first, "## 1. What a minimal client does");
});

Deno.test("every file or folder of the repository that a document names exists", async () => {
  const docs = [
    "README.md",
    ...[...Deno.readDirSync(new URL("docs/", ROOT))]
      .filter((e) => e.name.endsWith(".md")).map((e) => `docs/${e.name}`),
  ];
  const missing: string[] = [];
  for (const doc of docs) {
    const text = await read(doc);
    // Paths in backticks that start at one of the repository's folders.
    for (const [, path] of text.matchAll(/`((?:src|workers|scripts|test|examples)\/[\w./-]*)`/g)) {
      try {
        await Deno.stat(new URL(path, ROOT));
      } catch {
        missing.push(`${doc}: ${path}`);
      }
    }
  }
  assertEquals(missing, []);
});
