/**
 * Keeps the network and its clients on cores of their own while a flood is measured: workerd
 * (every shard, the edge, the verifier) on the machine's last core, this process (the
 * bystander and the flooders' threads) on the others. A deployed network's super-peers do
 * not share their cores with the peers that flood them; on one small machine, unpinned, the
 * flooders' own sending takes cycles from the shard they are measured against, and the
 * scheduler moves both about.
 *
 * Linux only, through `taskset` (util-linux); elsewhere, or with one core, nothing is pinned
 * and the report says so.
 *
 * @module
 */
import { ownWorkerd } from "./cpu_times.ts";

/**
 * Pins the workerd processes this process started to the last core, and this process to the
 * rest.
 *
 * @example Usage
 * ```ts ignore
 * const net = await startNetwork({ shards: 8 });
 * console.log(await pinApart()); // "workerd on core 1, the bench on cores 0-0"
 * ```
 *
 * @returns What was done, for the report; "not pinned: …" when it could not be.
 */
export async function pinApart(): Promise<string> {
  const cores = navigator.hardwareConcurrency;
  if (cores < 2) return "not pinned: one core";
  const last = cores - 1;
  let workerd: string[];
  try {
    workerd = ownWorkerd();
  } catch {
    return "not pinned: no /proc";
  }
  original ??= await affinityOf(String(Deno.pid));
  if (!await pin(`0-${last - 1}`, String(Deno.pid))) return "not pinned: taskset failed";
  for (const pid of workerd) await pin(String(last), pid);
  return `workerd on core ${last}, the bench on cores 0-${last - 1}`;
}

/**
 * Gives this process the cores it had before {@linkcode pinApart} (the benchmarks after a
 * flood run as they were started).
 *
 * @example Usage
 * ```ts ignore
 * await pinApart();
 * try { /* a flood *\/ } finally { await unpinSelf(); }
 * ```
 */
export async function unpinSelf(): Promise<void> {
  if (original !== undefined) await pin(original, String(Deno.pid));
}

/** This process's cores when first pinned, as `taskset -c` lists them. */
let original: string | undefined;

async function affinityOf(pid: string): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("taskset", { args: ["-c", "-p", pid], stderr: "null" })
      .output();
    // "pid 123's current affinity list: 0,1"
    return new TextDecoder().decode(out.stdout).trim().split(": ").at(-1) || undefined;
  } catch {
    return undefined;
  }
}

async function pin(cpus: string, pid: string): Promise<boolean> {
  try {
    const done = await new Deno.Command("taskset", {
      args: ["-a", "-p", "-c", cpus, pid],
      stdout: "null",
      stderr: "null",
    }).output();
    return done.success;
  } catch {
    return false; // no taskset here
  }
}
