/**
 * A network id of its own for every deployment: hellos, transfers, receipts and blocks sign the
 * network id, so two networks that share one (every copy left at `dev`) would take each
 * other's signed hellos and transfers. The deploy task makes one at the first deploy and writes
 * it into `wrangler.toml`; the local network makes one per state directory.
 *
 * @module
 */
import { base32nopad } from "@scure/base";

/** The id the repository ships with: the sign that no id was made yet. */
export const UNSET_NETWORK_ID = "dev";

/**
 * A fresh network id: the prefix, a dash and 16 random base32 characters (80 bits), lower case,
 * within the network id pattern.
 *
 * @param prefix What the id starts with, e.g. `net` or `local`.
 * @returns The id.
 *
 * @example Usage
 * ```ts
 * import { newNetworkId } from "./network_id.ts";
 * console.assert(/^net-[a-z2-7]{16}$/.test(newNetworkId("net")));
 * ```
 */
export function newNetworkId(prefix: string): string {
  return `${prefix}-${
    base32nopad.encode(crypto.getRandomValues(new Uint8Array(10))).toLowerCase()
  }`;
}

/** What {@linkcode assignDeployedNetworkId} found and did. */
export interface AssignedId {
  /** The `wrangler.toml` text, with the id written in where one was made. */
  readonly text: string;
  /** The id the production network runs under. */
  readonly id: string;
  /** Whether it was made now (the first deploy). */
  readonly made: boolean;
}

const SECTION = /^\[env\.production\.vars\][ \t]*$/m;
const ID_LINE = /^NETWORK_ID[ \t]*=[ \t]*"([^"]*)"[ \t]*$/m;

/**
 * Reads the production network id from `wrangler.toml` text, and makes one if it is still
 * {@linkcode UNSET_NETWORK_ID}.
 *
 * @param text The `wrangler.toml` text.
 * @param make Makes an id (tests pass a fixed one).
 * @returns The text (changed only when an id was made), the id, whether it was made.
 * @throws {Error} If `[env.production.vars]` or its `NETWORK_ID` line is missing.
 *
 * @example Usage
 * ```ts
 * import { assignDeployedNetworkId } from "./network_id.ts";
 * const toml = '[vars]\nNETWORK_ID = "dev"\n[env.production.vars]\nNETWORK_ID = "dev"\n';
 * const r = assignDeployedNetworkId(toml, () => "net-x");
 * console.assert(r.made && r.text.endsWith('NETWORK_ID = "net-x"\n'));
 * console.assert(r.text.startsWith('[vars]\nNETWORK_ID = "dev"'));
 * ```
 */
export function assignDeployedNetworkId(
  text: string,
  make: () => string = () => newNetworkId("net"),
): AssignedId {
  const section = SECTION.exec(text);
  if (!section) throw new Error("wrangler.toml has no [env.production.vars] section");
  const start = section.index + section[0].length;
  const nextSection = text.slice(start).search(/^\[/m);
  const end = nextSection === -1 ? text.length : start + nextSection;
  const body = text.slice(start, end);
  const line = ID_LINE.exec(body);
  if (!line) throw new Error("wrangler.toml's [env.production.vars] has no NETWORK_ID line");
  if (line[1] !== UNSET_NETWORK_ID) return { text, id: line[1], made: false };
  const id = make();
  const changed = body.slice(0, line.index) + `NETWORK_ID = "${id}"` +
    body.slice(line.index + line[0].length);
  return { text: text.slice(0, start) + changed + text.slice(end), id, made: true };
}

/**
 * The id of a local network kept in `dir`: read from its `network_id` file, or made and
 * written there. A directory that already holds state from before ids were made keeps
 * {@linkcode UNSET_NETWORK_ID}, so that its ledger (which signs the id) still verifies.
 *
 * @param dir The state directory (`.state` for `deno task dev`).
 * @returns The id.
 *
 * @example Usage
 * ```ts
 * import { localNetworkId } from "./network_id.ts";
 * const dir = await Deno.makeTempDir();
 * const id = await localNetworkId(dir);
 * console.assert(id.startsWith("local-") && await localNetworkId(dir) === id);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function localNetworkId(dir: string): Promise<string> {
  const file = `${dir}/network_id`;
  try {
    return (await Deno.readTextFile(file)).trim();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  let existing = false;
  try {
    for await (const _ of Deno.readDir(dir)) {
      existing = true;
      break;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const id = existing ? UNSET_NETWORK_ID : newNetworkId("local");
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(file, `${id}\n`);
  return id;
}
