/**
 * The command line (`deno task peer`) run as a person runs it, for tests: its own process,
 * with none of the caller's `SUPERPEER_*` settings unless a test gives them.
 *
 * @module
 */

const SCRIPT = new URL("../../scripts/peer.ts", import.meta.url).pathname;

/**
 * The command line as a process, not started.
 *
 * @param args Its arguments.
 * @param env Settings for it (`SUPERPEER_INVITATION`, …); the others are cleared.
 * @returns The command.
 */
export function cliCommand(args: string[], env: Record<string, string> = {}): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { SUPERPEER_URL: "", SUPERPEER_IDENTITY: "", SUPERPEER_INVITATION: "", ...env },
  });
}

/**
 * Runs the command line to its end.
 *
 * @param args Its arguments.
 * @param env Settings for it.
 * @returns Its exit code, and stdout and stderr as text, trimmed.
 */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  const o = await cliCommand(args, env).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: o.code, out: text(o.stdout).trim(), err: text(o.stderr).trim() };
}
