/**
 * The benchmarks' bare objects: a bundled script of one SQLite-backed Durable Object class run
 * by Miniflare on loopback, as the floor a super-peer's figures are set beside.
 *
 * @module
 */
import type { MiniflareOptions } from "miniflare";
import { COMPATIBILITY_DATE } from "../local_network.ts";

/**
 * Miniflare's options for one of the bare objects of `scripts/bench/`.
 *
 * @param script The script's file name beside this module, e.g. `bare_gate.js`.
 * @param binding The namespace's binding, as the script's `fetch` names it.
 * @param className The Durable Object class the script exports.
 * @returns The options; add more by spreading them.
 *
 * @example Usage
 * ```ts ignore
 * import { Miniflare } from "miniflare";
 * import { bareObjectOptions } from "./bare_object.ts";
 * const mf = new Miniflare(bareObjectOptions("bare_gate.js", "BARE_GATE", "BareGate"));
 * ```
 */
export function bareObjectOptions(
  script: string,
  binding: string,
  className: string,
): MiniflareOptions {
  return {
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: new URL(`./${script}`, import.meta.url).pathname,
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: { [binding]: { className, useSQLite: true } },
  };
}
