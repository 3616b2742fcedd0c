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
