/**
 * Content shared from a `Blob` (a browser's `File`), never read whole: hashed a megabyte
 * slice at a time, then each piece sliced out when asked for.
 *
 * @module
 */
import { leafHash } from "../merkle/mod.ts";
import { PIECE_BYTES } from "./content_id.ts";
import { PieceTree } from "./piece_tree.ts";
import { type ContentSource, wholeSource } from "./seeder.ts";

/** Bytes read at a time while hashing: a whole number of pieces. */
const SLICE_BYTES = 64 * PIECE_BYTES;

/**
 * A `Blob` to serve.
 *
 * @example Usage
 * ```ts
 * import { blobSource } from "./blob_source.ts";
 * const source = await blobSource(new Blob([new Uint8Array(20_000)]));
 * console.assert(source.id.pieces === 2 && (await source.read(1)).piece.length === 3_616);
 * ```
 *
 * @param blob The content.
 * @returns The source.
 */
export async function blobSource(blob: Blob): Promise<ContentSource> {
  const leaves: Uint8Array[] = [];
  for (let at = 0; at < blob.size; at += SLICE_BYTES) {
    const bytes = new Uint8Array(await blob.slice(at, at + SLICE_BYTES).arrayBuffer());
    for (let p = 0; p < bytes.length; p += PIECE_BYTES) {
      leaves.push(leafHash(bytes.subarray(p, p + PIECE_BYTES)));
    }
  }
  const tree = PieceTree.fromLeaves(leaves, blob.size);
  return wholeSource(
    tree,
    async (i) =>
      new Uint8Array(await blob.slice(i * PIECE_BYTES, (i + 1) * PIECE_BYTES).arrayBuffer()),
  );
}
