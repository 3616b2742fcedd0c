/**
 * The identity file of the command line: made on first use (mode 0600), loaded after, and a
 * file that is not an identity said so in one line.
 *
 * @module
 */
import { Identity } from "../../mod.ts";
import { UsageError } from "./args.ts";

/**
 * Loads the identity at `path`, or makes and saves a new one if there is no file.
 *
 * @example Usage
 * ```ts
 * import { loadOrCreateIdentity } from "./identity_file.ts";
 * const dir = await Deno.makeTempDir();
 * const first = await loadOrCreateIdentity(`${dir}/me.json`);
 * const again = await loadOrCreateIdentity(`${dir}/me.json`);
 * console.assert(first.created && !again.created);
 * console.assert(first.identity.peerId === again.identity.peerId);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The file.
 * @returns The identity, and whether it was made now.
 * @throws {UsageError} If the path is a directory, or the file is not an identity.
 */
export async function loadOrCreateIdentity(
  path: string,
): Promise<{ identity: Identity; created: boolean }> {
  let text: string | undefined;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.IsADirectory) {
      throw new UsageError(`identity file ${path} is a directory; give a file: --identity FILE`);
    }
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new UsageError(`cannot read identity file ${path}: ${(error as Error).message}`);
    }
  }
  if (text !== undefined) {
    try {
      return { identity: await Identity.fromJSON(text), created: false };
    } catch (error) {
      throw new UsageError(
        `${path} is not a superpeer identity (${
          (error as Error).message.replace(/^Cannot load identity: /, "")
        }); move it away to make a new one, or give another with --identity FILE`,
      );
    }
  }
  const identity = await Identity.generate();
  const dir = path.replace(/\/[^/]*$/, "");
  if (dir && dir !== path) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(identity, null, 2) + "\n", {
    mode: 0o600,
    createNew: true,
  });
  return { identity, created: true };
}
