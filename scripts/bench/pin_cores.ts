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

/**
 * Pins every workerd process to the last core and this process to the rest.
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
  const workerd: string[] = [];
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        if (Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim() === "workerd") {
          workerd.push(entry.name);
        }
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    return "not pinned: no /proc";
  }
  if (!await pin(`0-${last - 1}`, String(Deno.pid))) return "not pinned: taskset failed";
  for (const pid of workerd) await pin(String(last), pid);
  return `workerd on core ${last}, the bench on cores 0-${last - 1}`;
}

/**
 * Gives this process every core again (the benchmarks after a flood run unpinned).
 *
 * @example Usage
 * ```ts ignore
 * await pinApart();
 * try { /* a flood *\/ } finally { await unpinSelf(); }
 * ```
 */
export async function unpinSelf(): Promise<void> {
  await pin(`0-${navigator.hardwareConcurrency - 1}`, String(Deno.pid));
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
