/**
 * Checkpoints (C2SP `tlog-checkpoint`): the text a log signs to commit to its tree at one
 * size: its origin (the log's name), the size in decimal, the root hash in base64, then
 * extension lines the log defines (a shard's state root, `state <base64>`). Signed as a note
 * (`note.ts`) by the log's key, cosigned by witnesses (`cosignature.ts`).
 *
 * @module
 */
import { base64 } from "@scure/base";
import { HASH_BYTES } from "../merkle/mod.ts";

/** What a checkpoint says. */
export interface Checkpoint {
  /** The log's origin: unique among logs, the name its key signs under. */
  origin: string;
  /** The tree's size: how many entries the log holds. */
  size: number;
  /** The tree's root hash (32 bytes). */
  root: Uint8Array;
  /** Further lines, each non-empty, in order. */
  extensions: string[];
}

/**
 * A checkpoint's text: what its note signs.
 *
 * @param c The checkpoint.
 * @returns The text, ending in a newline.
 * @throws {TypeError} If the origin, size, root or an extension cannot be written.
 *
 * @example Usage
 * ```ts
 * import { formatCheckpoint, parseCheckpoint } from "./checkpoint.ts";
 * const text = formatCheckpoint({ origin: "log", size: 3, root: new Uint8Array(32), extensions: [] });
 * console.assert(parseCheckpoint(text)?.size === 3);
 * ```
 */
export function formatCheckpoint(c: Checkpoint): string {
  if (!isLine(c.origin)) throw new TypeError("A checkpoint's origin is one non-empty line");
  if (!Number.isSafeInteger(c.size) || c.size < 0) throw new TypeError("Bad checkpoint size");
  if (c.root.length !== HASH_BYTES) throw new TypeError("A checkpoint's root is 32 bytes");
  if (!c.extensions.every(isLine)) throw new TypeError("Each extension is one non-empty line");
  return [c.origin, String(c.size), base64.encode(c.root), ...c.extensions].join("\n") + "\n";
}

/**
 * Reads a checkpoint's text (a note's text, once its signature is checked).
 *
 * @param text The text.
 * @returns The checkpoint, or `undefined` if the text is not one.
 *
 * @example Usage
 * ```ts
 * import { parseCheckpoint } from "./checkpoint.ts";
 * console.assert(parseCheckpoint("log\n01\nAA==\n") === undefined);
 * ```
 */
export function parseCheckpoint(text: string): Checkpoint | undefined {
  if (!text.endsWith("\n")) return undefined;
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3 || !lines.every(isLine)) return undefined;
  const [origin, sizeText, rootText, ...extensions] = lines;
  // Decimal, no sign, no leading zero (but "0"): one text per size.
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) return undefined;
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) return undefined;
  let root: Uint8Array;
  try {
    root = base64.decode(rootText);
  } catch {
    return undefined;
  }
  if (root.length !== HASH_BYTES) return undefined;
  return { origin, size, root, extensions };
}

function isLine(s: string): boolean {
  return s.length > 0 && !s.includes("\n");
}
