/**
 * Content shared from a file by its path (Deno, Node), never read whole: the file is read
 * once, a megabyte at a time, to hash its pieces, and then each piece is read when asked for.
 *
 * @module
 */
import { leafHash } from "../merkle/mod.ts";
import { PIECE_BYTES, pieceCount } from "./content_id.ts";
import { nodeFs } from "./node_fs.ts";
import { PieceTree } from "./piece_tree.ts";
import { type ContentSource, wholeSource } from "./seeder.ts";

/** Bytes read at a time while hashing: a whole number of pieces. */
const READ_BYTES = 64 * PIECE_BYTES;

/**
 * The piece tree of a file, read a megabyte at a time.
 *
 * @example Usage
 * ```ts
 * import { hashFile } from "./file_source.ts";
 * import { PieceTree } from "./piece_tree.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array(50_000).fill(1));
 * const tree = await hashFile(path);
 * console.assert(tree.id.text === PieceTree.of(new Uint8Array(50_000).fill(1)).id.text);
 * ```
 *
 * @param path The file.
 * @returns Its tree.
 */
export async function hashFile(path: string): Promise<PieceTree> {
  const fs = await nodeFs();
  const file = await fs.open(path, "r");
  try {
    const size = (await file.stat()).size;
    const leaves: Uint8Array[] = [];
    const buffer = new Uint8Array(READ_BYTES);
    for (let at = 0; at < size; at += READ_BYTES) {
      const want = Math.min(READ_BYTES, size - at);
      const { bytesRead } = await file.read(buffer, 0, want, at);
      if (bytesRead !== want) throw new Error(`${path} changed while it was read`);
      for (let p = 0; p < want; p += PIECE_BYTES) {
        leaves.push(leafHash(buffer.subarray(p, Math.min(p + PIECE_BYTES, want))));
      }
    }
    if (leaves.length !== pieceCount(size)) throw new Error(`${path} changed while it was read`);
    return PieceTree.fromLeaves(leaves, size);
  } finally {
    await file.close();
  }
}

/**
 * A file to serve by its path: hashed once, then each piece read from the file when asked
 * for. The file should not change while shared; if it does, downloaders refuse its pieces.
 *
 * @example Usage
 * ```ts
 * import { fileSource } from "./file_source.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array(40_000).fill(9));
 * const source = await fileSource(path);
 * console.assert((await source.read(2)).piece.length === 40_000 - 2 * 16_384);
 * await source.close?.();
 * ```
 *
 * @param path The file.
 * @returns The source, with `close` to let go of the file.
 */
export async function fileSource(path: string): Promise<ContentSource> {
  const tree = await hashFile(path);
  const fs = await nodeFs();
  const file = await fs.open(path, "r");
  const source = wholeSource(tree, async (i) => {
    const piece = new Uint8Array(Math.min(PIECE_BYTES, tree.id.size - i * PIECE_BYTES));
    await file.read(piece, 0, piece.length, i * PIECE_BYTES);
    return piece;
  });
  return { ...source, close: () => file.close() };
}
