/**
 * Runs a Deno script in a network namespace of its own (`unshare --net`, as root), so that
 * no packet a browser or a WebRTC stack sends can leave the machine.
 *
 * The namespace has loopback, and, when asked, one more address on a veth pair whose far
 * end is in the same namespace and leads nowhere. Chromium offers no ICE host candidate on
 * the loopback interface, so two Chromium peers need that address to find each other; a
 * packet between two addresses of one host still travels the kernel's local route (the
 * loopback device), and there is no route out of the namespace.
 *
 * @module
 */

/** The extra local address, when asked for. */
export const NAMESPACE_HOST_ADDRESS = "10.200.0.1";

/** What the script printed, and how it ended. */
export interface NamespaceRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a script in a new network namespace.
 *
 * @example Usage
 * ```ts
 * import { runIsolated } from "./isolated_namespace.ts";
 * // As root, with unshare: the script sees only loopback.
 * export const check = () => runIsolated("test/support/browser_direct_check.ts");
 * ```
 *
 * @param script Path of the script.
 * @param options `hostAddress`: add {@linkcode NAMESPACE_HOST_ADDRESS}; `args`: for the script;
 *   `timeoutMs`: stop it after this long (exit code 124, as `timeout` says), so that a check that
 *   hangs fails rather than holding the suite.
 * @returns Its exit code and output.
 */
export async function runIsolated(
  script: string,
  options: { hostAddress?: boolean; args?: string[]; timeoutMs?: number } = {},
): Promise<NamespaceRun> {
  const setup = ["ip link set lo up"];
  if (options.hostAddress) {
    setup.push(
      "ip link add sp0 type veth peer name sp1",
      `ip addr add ${NAMESPACE_HOST_ADDRESS}/24 dev sp0`,
      "ip link set sp0 up",
      "ip link set sp1 up",
      // Chromium gathers candidates only on an interface with a default route.
      "ip route add default dev sp0",
    );
  }
  const quoted = [Deno.execPath(), "run", "-A", script, ...(options.args ?? [])]
    .map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const child = new Deno.Command("unshare", {
    args: ["--net", "sh", "-c", `${setup.join(" && ")} && exec ${quoted}`],
    cwd: new URL("../", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs);
  const out = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  const stderr = decoder.decode(out.stderr);
  return {
    code: timedOut ? 124 : out.code,
    stdout: decoder.decode(out.stdout),
    stderr: timedOut ? `${stderr}\nstopped after ${options.timeoutMs} ms` : stderr,
  };
}
