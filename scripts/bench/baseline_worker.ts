/**
 * A benchmark's "before": the Worker as an earlier commit built it, bundled from that commit's
 * sources (`git archive`) with this checkout's packages, so that one run compares the two on the
 * same machine at the same time.
 *
 * @module
 */
import { bundleWorker, embeddedModules, ROOT } from "../local_network.ts";

/**
 * Bundles the Worker of an earlier commit.
 *
 * @example Usage
 * ```ts ignore
 * const scriptPath = await baselineWorker("d5491aa");
 * if (scriptPath) await startNetwork({ scriptPath });
 * ```
 *
 * @param commit The commit (a name git knows in this repository).
 * @returns The bundle's path, or `undefined` if git or the commit is not at hand (a shallow
 *   clone): the caller says so and measures without it.
 */
export async function baselineWorker(commit: string): Promise<string | undefined> {
  // Under the repository, so that its bare imports resolve to this checkout's packages.
  const dir = `${ROOT}.build/baseline/${commit}`;
  const entry = `${dir}/workers/entry.ts`;
  const present = await Deno.stat(entry).then(() => true, () => false);
  if (!present) {
    await Deno.mkdir(dir, { recursive: true });
    const archive = new Deno.Command("git", {
      args: ["archive", "--format=tar", commit, "src", "workers", "mod.ts", "deno.json"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    });
    const out = await archive.output().catch(() => undefined);
    if (!out?.success) return undefined;
    const untar = new Deno.Command("tar", { args: ["-x", "-C", dir], stdin: "piped" }).spawn();
    const writer = untar.stdin.getWriter();
    await writer.write(out.stdout);
    await writer.close();
    if (!(await untar.status).success) return undefined;
  }
  return await bundleWorker(
    entry,
    `${ROOT}.build/bench/baseline-${commit}.js`,
    await embeddedModules(),
  );
}
