/**
 * The few file operations the swarm needs in Deno and Node, from `node:fs/promises` (both
 * runtimes have it), loaded only when a file is used: the module is imported by a name kept
 * in a variable, so that a bundle for the browser leaves it out instead of failing on it.
 *
 * @module
 */

/** An open file, as `node:fs/promises` gives it. */
export interface FileHandleLike {
  /** Reads into a buffer from a position. */
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  /** Writes from a buffer at a position (`null`: at the end, for a file opened to append). */
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number | null,
  ): Promise<unknown>;
  /** Sets the file's length. */
  truncate(length: number): Promise<void>;
  /** The file's size. */
  stat(): Promise<{ size: number; isFile(): boolean }>;
  /** Closes it. */
  close(): Promise<void>;
}

/** The module's functions used here. */
export interface NodeFs {
  /** Opens a file (`r`, `r+`, `w+`, `a`). */
  open(path: string, flags: string): Promise<FileHandleLike>;
  /** Removes a file. */
  rm(path: string, options: { force: boolean }): Promise<void>;
  /** Reads a whole (small) file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Writes a whole file. */
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  /** Renames a file, replacing any at the new path. */
  rename(from: string, to: string): Promise<void>;
}

/**
 * The runtime's `node:fs/promises`.
 *
 * @example Usage
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const fs = await nodeFs();
 * await fs.rm("/nonexistent/superpeer-probe", { force: true });
 * ```
 *
 * @returns It.
 * @throws {TypeError} Where the runtime has none (a browser): use a `Blob` or IndexedDB there.
 */
export async function nodeFs(): Promise<NodeFs> {
  const name = "node:fs/promises";
  try {
    return await import(name) as NodeFs;
  } catch {
    throw new TypeError("Files by path need Deno or Node; in a browser, share a Blob or File");
  }
}

/**
 * Whether a file error says the file does not exist.
 *
 * @example Usage
 * ```ts
 * import { isNotFound } from "./node_fs.ts";
 * console.assert(isNotFound(Object.assign(new Error("x"), { code: "ENOENT" })));
 * ```
 *
 * @param error The error.
 * @returns Whether it is "no such file".
 */
export function isNotFound(error: unknown): boolean {
  return (error as { code?: string })?.code === "ENOENT";
}
