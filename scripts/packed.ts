/**
 * The npm package, packed once per change of its sources: the tarball of `deno task pack` is
 * reused while the files it is built from hash the same, so that the Node example, the app
 * template and the tests that install the package do not each spend a build on it.
 *
 * @module
 */
import { hex } from "../src/encoding/mod.ts";
import { pack } from "./pack.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const STAMP = `${ROOT}dist/npm/.inputs`;

/** What the package is built from: the client's sources and the build's own settings. */
async function inputs(): Promise<string[]> {
  const files = [
    "mod.ts",
    "deno.json",
    "deno.lock",
    "scripts/pack.ts",
    "scripts/pack_types/node_buffer.d.ts",
  ];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts")) files.push(path);
    }
  };
  await walk("src");
  return files.sort();
}

/** A hash of every input's path and bytes. */
async function inputsHash(): Promise<string> {
  const parts: Uint8Array[] = [];
  for (const file of await inputs()) {
    parts.push(new TextEncoder().encode(`${file}\0`), await Deno.readFile(`${ROOT}${file}`));
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) all.set(p, (at += p.length) - p.length);
  return hex.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", all)));
}

/**
 * The packed package's tarball, built only when a source changed since the last build.
 *
 * @returns The tarball's path.
 *
 * @example Usage
 * ```ts ignore
 * import { packedTarball } from "./packed.ts";
 * console.log(await packedTarball()); // …/dist/npm/superpeer-0.1.0.tgz
 * ```
 */
export async function packedTarball(): Promise<string> {
  const hash = await inputsHash();
  const stamp = await Deno.readTextFile(STAMP).then((t) => t.split("\n"), () => []);
  if (stamp[0] === hash && stamp[1]) {
    const found = await Deno.stat(stamp[1]).then(() => true, () => false);
    if (found) return stamp[1];
  }
  const tarball = await pack();
  await Deno.writeTextFile(STAMP, `${hash}\n${tarball}\n`);
  return tarball;
}
