/**
 * Makes a new app on the npm package: a folder with a page and a Node peer that talk through a
 * superpeer network, ready for `npm install` and `npm start`. The package is packed (or the
 * last build reused) and copied into the app's `vendor/`, so the folder stands on its own.
 *
 * Usage: `deno task create <folder> [--url ws://127.0.0.1:8787]`
 *
 * @module
 */
import { basename, resolve } from "node:path";
import { packedTarball } from "./packed.ts";

const TEMPLATE = new URL("../templates/app/", import.meta.url).pathname;
const DEFAULT_URL = "ws://127.0.0.1:8787";

/** What the command was asked. */
export interface CreateOptions {
  /** The new app's folder; it must not exist, or be empty. */
  dir: string;
  /** The network the app's README and defaults name. @default "ws://127.0.0.1:8787" */
  url?: string;
  /** A packed tarball to use instead of packing. */
  tarball?: string;
}

/**
 * Makes the app folder.
 *
 * @param options Where, and on which network.
 * @returns The files written, relative to the folder.
 * @throws {Error} If the folder exists and is not empty, or its name is no npm package name.
 *
 * @example Usage
 * ```ts ignore
 * import { createApp } from "./create_app.ts";
 * await createApp({ dir: "my-app" }); // then: cd my-app && npm install && npm start
 * ```
 */
export async function createApp(options: CreateOptions): Promise<string[]> {
  const dir = resolve(options.dir);
  const name = basename(dir).toLowerCase();
  if (!/^[a-z0-9][a-z0-9._-]{0,213}$/.test(name)) {
    throw new Error(`"${basename(dir)}" cannot name an npm package: use letters, digits, . _ -`);
  }
  const existing = await Array.fromAsync(Deno.readDir(dir)).catch(() => []);
  if (existing.length > 0) throw new Error(`${dir} exists and is not empty: pick a new folder`);
  const tarball = options.tarball ?? await packedTarball();
  const vendored = `vendor/${basename(tarball)}`;
  const written: string[] = [];
  const copy = async (from: string, to: string) => {
    for await (const entry of Deno.readDir(from)) {
      if (entry.isDirectory) {
        await Deno.mkdir(`${to}/${entry.name}`, { recursive: true });
        await copy(`${from}/${entry.name}`, `${to}/${entry.name}`);
      } else {
        // The template keeps its ignore file as `gitignore`, so that it rules the app and not
        // the repository that holds the template.
        const target = entry.name === "gitignore" ? ".gitignore" : entry.name;
        await Deno.copyFile(`${from}/${entry.name}`, `${to}/${target}`);
        written.push(`${to}/${target}`.slice(dir.length + 1));
      }
    }
  };
  await Deno.mkdir(`${dir}/vendor`, { recursive: true });
  await copy(TEMPLATE, dir);
  await Deno.copyFile(tarball, `${dir}/${vendored}`);
  const pkg = {
    name,
    private: true,
    type: "module",
    description: "A page and a Node peer that talk through a superpeer network",
    scripts: { start: "node server.mjs", peer: "node peer.mjs" },
    engines: { node: ">=20" },
    dependencies: { superpeer: `file:${vendored}` },
  };
  await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  const url = options.url ?? DEFAULT_URL;
  const readme = (await Deno.readTextFile(`${dir}/README.md`)).replaceAll("{{name}}", name)
    .replaceAll("{{url}}", url);
  await Deno.writeTextFile(`${dir}/README.md`, readme);
  written.push(vendored, "package.json");
  return written.sort();
}

if (import.meta.main) {
  const args = [...Deno.args];
  const at = args.indexOf("--url");
  const url = at >= 0 ? args.splice(at, 2)[1] : undefined;
  if (args.length !== 1 || args[0].startsWith("-") || (at >= 0 && !url)) {
    console.error("usage: deno task create <folder> [--url ws://host:port]");
    Deno.exit(2);
  }
  try {
    const files = await createApp({ dir: args[0], ...(url ? { url } : {}) });
    console.log(`made ${args[0]}/: ${files.join(", ")}`);
    console.log(
      [
        "",
        "next:",
        `  cd ${args[0]}`,
        "  npm install",
        `  npm start          # the page on http://127.0.0.1:5173, a Node peer beside it`,
        "",
        `with a network running at ${url ?? DEFAULT_URL} (here: deno task dev);`,
        "SUPERPEER_URL picks another network, PORT the page's port",
      ].join("\n"),
    );
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
}
