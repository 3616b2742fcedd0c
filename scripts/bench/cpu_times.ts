/**
 * CPU time used so far by this process (the bench: its bystander and flooders) and by every
 * workerd process, from Linux's `/proc`: a benchmark that loads the machine from the same
 * cores it measures on says how much of them its own clients took.
 *
 * @module
 */

/** Clock ticks per second of `/proc/<pid>/stat` (`getconf CLK_TCK`, 100 on Linux). */
const TICKS = 100;

/** CPU seconds so far, by whom. */
export interface CpuTimes {
  /** This process, all threads. */
  bench: number;
  /** Every process named `workerd`. */
  workerd: number;
}

function seconds(stat: string): number {
  // Fields after the command (which may hold spaces, in parentheses): utime and stime are the
  // 12th and 13th of those after it.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / TICKS;
}

/**
 * Reads the CPU time used so far; zero where `/proc` cannot be read (not Linux).
 *
 * @example Usage
 * ```ts ignore
 * const before = cpuTimes();
 * // … a phase …
 * const used = cpuShare(before, cpuTimes(), 1.5); // cores used, by whom
 * ```
 *
 * @returns The times.
 */
export function cpuTimes(): CpuTimes {
  let bench = 0;
  let workerd = 0;
  try {
    bench = seconds(Deno.readTextFileSync("/proc/self/stat"));
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        if (Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim() !== "workerd") continue;
        workerd += seconds(Deno.readTextFileSync(`/proc/${entry.name}/stat`));
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    // No /proc here.
  }
  return { bench, workerd };
}

/**
 * Cores used between two readings.
 *
 * @example Usage
 * ```ts ignore
 * const used = cpuShare(before, cpuTimes(), 1.5);
 * console.log(`workerd ${used.workerd.toFixed(2)} cores`);
 * ```
 *
 * @param before The first reading.
 * @param after The second.
 * @param wallSeconds Wall time between them.
 * @returns Cores used (1 = one core all the time), by whom.
 */
export function cpuShare(before: CpuTimes, after: CpuTimes, wallSeconds: number): CpuTimes {
  return {
    bench: (after.bench - before.bench) / wallSeconds,
    workerd: (after.workerd - before.workerd) / wallSeconds,
  };
}

/**
 * The workerd processes this process started (its descendants), not another's on the machine.
 *
 * @example Usage
 * ```ts ignore
 * const pids = ownWorkerd(); // ["4242"]
 * ```
 *
 * @returns Their pids; throws where `/proc` cannot be read.
 */
export function ownWorkerd(): string[] {
  const parentOf = new Map<string, string>();
  const workerd: string[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
      // The parent is the second field after the command, which may hold spaces.
      parentOf.set(entry.name, stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (Deno.readTextFileSync(`/proc/${entry.name}/comm`).trim() === "workerd") {
        workerd.push(entry.name);
      }
    } catch {
      // Gone meanwhile.
    }
  }
  const self = String(Deno.pid);
  return workerd.filter((pid) => {
    for (let p = parentOf.get(pid); p !== undefined && p !== "0"; p = parentOf.get(p)) {
      if (p === self) return true;
    }
    return false;
  });
}

/**
 * CPU time used so far by the workerd processes this process started, in nanoseconds, from
 * each thread's `schedstat` (user and kernel time, to the nanosecond, where `stat` counts
 * 10 ms ticks): fine enough to price a request from a phase of a few seconds at one peer's
 * rate.
 *
 * @example Usage
 * ```ts ignore
 * const before = ownWorkerdNs();
 * // … a phase …
 * const us = (ownWorkerdNs() - before) / 1000;
 * ```
 *
 * @returns Nanoseconds on a CPU, summed over their threads; `NaN` where there is none to read.
 */
export function ownWorkerdNs(): number {
  let ns = 0;
  try {
    const pids = ownWorkerd();
    if (pids.length === 0) return NaN;
    for (const pid of pids) {
      try {
        for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
          try {
            ns += Number(
              Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(" ")[0],
            );
          } catch {
            // A thread gone meanwhile.
          }
        }
      } catch {
        // Gone meanwhile.
      }
    }
  } catch {
    return NaN; // no /proc here
  }
  return ns;
}
