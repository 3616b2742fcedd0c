/**
 * The command line of a coturn TURN server (Debian's `turnserver`) as the tests and the NAT lab
 * run it: one address, TURN REST credentials checked with a shared secret (as the network
 * mints them), no TLS and no admin console, its state in a directory of the caller's.
 *
 * @module
 */

/** Where and how coturn runs. */
export interface TurnServerOptions {
  /** The address it listens and relays on. */
  address: string;
  /** Its port, for UDP and TCP. */
  port: number;
  /** The secret it shares with the network (`TURN_SECRET`). */
  secret: string;
  /** A directory for its database and pid file. */
  dir: string;
  /** Whether it relays to loopback peers (a test on one machine). @default false */
  loopbackPeers?: boolean;
  /** Most allocations at once per user name (coturn's `user-quota`). @default no cap */
  userQuota?: number;
  /** Where it logs, verbose (a file, to read after a run). @default "stdout", not verbose */
  logFile?: string;
}

/**
 * coturn's arguments.
 *
 * @example Usage
 * ```ts
 * import { turnServerArgs } from "./turn_server.ts";
 * const args = turnServerArgs({ address: "127.0.0.1", port: 3478, secret: "s", dir: "/tmp/x" });
 * console.assert(args.includes("--use-auth-secret"));
 * ```
 *
 * @param o Where and how.
 * @returns The arguments, for `turnserver`.
 */
export function turnServerArgs(o: TurnServerOptions): string[] {
  return [
    "-n",
    `--listening-ip=${o.address}`,
    `--relay-ip=${o.address}`,
    `--listening-port=${o.port}`,
    "--use-auth-secret",
    `--static-auth-secret=${o.secret}`,
    "--realm=superpeer.test",
    "--no-tls",
    "--no-dtls",
    "--no-cli",
    ...(o.loopbackPeers ? ["--allow-loopback-peers"] : []),
    ...(o.userQuota ? [`--user-quota=${o.userQuota}`] : []),
    `--db=${o.dir}/turndb`,
    `--pidfile=${o.dir}/turnserver.pid`,
    `--log-file=${o.logFile ?? "stdout"}`,
    ...(o.logFile ? ["-v"] : []),
    "--simple-log",
  ];
}
