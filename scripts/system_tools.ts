/**
 * The programs from the system that tasks use: headless Chromium for the browser tests and
 * benchmarks, `unshare` and `ip` for the isolated network namespace they run in, Prometheus
 * (`prometheus`, `promtool`) for the metrics test, coturn for the TURN tests, and nftables and
 * conntrack for the NAT matrix's routers. A task calls `ensureTools`
 * first: what is missing is installed with apt-get where the task runs as root on Debian (as
 * CI does), else the task stops with one line saying what to install.
 *
 * @module
 */

/** A program a task needs, and the Debian package that has it. */
export interface Tool {
  /** Its path. */
  path: string;
  /** The Debian package. */
  pkg: string;
  /** What it is for, in the one line printed when it is missing. */
  why: string;
}

/** Every tool, by name. */
export const TOOLS = {
  chromium: { path: "/usr/bin/chromium", pkg: "chromium", why: "the browser tests" },
  prometheus: { path: "/usr/bin/prometheus", pkg: "prometheus", why: "the metrics test" },
  promtool: { path: "/usr/bin/promtool", pkg: "prometheus", why: "the metrics test" },
  unshare: { path: "/usr/bin/unshare", pkg: "util-linux", why: "the isolated browser tests" },
  ip: { path: "/usr/sbin/ip", pkg: "iproute2", why: "the isolated browser tests" },
  turnserver: { path: "/usr/bin/turnserver", pkg: "coturn", why: "the TURN tests" },
  turnclient: { path: "/usr/bin/turnutils_uclient", pkg: "coturn", why: "the TURN tests" },
  nft: { path: "/usr/sbin/nft", pkg: "nftables", why: "the NAT matrix's routers" },
  conntrack: { path: "/usr/sbin/conntrack", pkg: "conntrack", why: "the NAT matrix's routers" },
  python3: { path: "/usr/bin/python3", pkg: "python3", why: "the independent check of log proofs" },
} as const satisfies Record<string, Tool>;

function present(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/**
 * Makes sure the tools are there: installs the missing ones with apt-get when it can, else
 * prints one line naming the packages and exits with code 1.
 *
 * @example Usage
 * ```ts
 * import { ensureTools, TOOLS } from "./system_tools.ts";
 * export const check = () => ensureTools([TOOLS.chromium]);
 * ```
 *
 * @param tools The tools needed.
 */
export async function ensureTools(tools: readonly Tool[]): Promise<void> {
  const missing = tools.filter((t) => !present(t.path));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => t.pkg))];
  const root = Deno.uid?.() === 0;
  if (root && present("/usr/bin/apt-get")) {
    console.error(`installing ${pkgs.join(", ")} (apt-get), for ${missing[0].why}`);
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    const run = (args: string[]) =>
      new Deno.Command("apt-get", { args, env, stdout: "null", stderr: "null" }).output();
    let out = await run(["install", "-y", "-qq", ...pkgs]);
    if (!out.success) {
      await run(["update", "-qq"]);
      out = await run(["install", "-y", "-qq", ...pkgs]);
    }
    if (out.success && missing.every((t) => present(t.path))) return;
  }
  console.error(
    `missing ${missing.map((t) => t.path).join(", ")}: install the Debian package${
      pkgs.length > 1 ? "s" : ""
    } ${pkgs.join(" ")} (apt-get install ${pkgs.join(" ")}), needed for ${missing[0].why}`,
  );
  Deno.exit(1);
}
