/**
 * Content ids: what names a shared file. Content is cut into pieces of `SWARM_PIECE_BYTES`
 * (the last one shorter); each piece's leaf hash is `SHA-256(0x00 || piece)`, and the root is
 * the RFC 6962 Merkle root over them (`src/merkle/`; the empty content's is
 * `SHA-256("")`). The id is the root in hex, a dot, and the size in bytes in decimal:
 * `<64 hex>.<size>`. The size fixes the number of pieces and the length of each, so a piece
 * checks against the id alone, with its index and its audit path.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import { DEFAULT_LIMITS } from "../protocol/limits.ts";
import type { Refusal } from "../protocol/refusal.ts";

/** A parsed content id. */
export interface ContentId {
  /** The Merkle root over the pieces' leaf hashes, 32 bytes. */
  root: Uint8Array;
  /** The content's size in bytes. */
  size: number;
  /** The number of pieces: `ceil(size / SWARM_PIECE_BYTES)`. */
  pieces: number;
  /** The id's text, `<root hex>.<size>`. */
  text: string;
}

/**
 * Bytes of each piece: fixed by the protocol version, so every id names pieces of this size.
 */
export const PIECE_BYTES: number = DEFAULT_LIMITS.SWARM_PIECE_BYTES;

/**
 * The number of pieces of content of a size.
 *
 * @example Usage
 * ```ts
 * import { PIECE_BYTES, pieceCount } from "./content_id.ts";
 * console.assert(pieceCount(0) === 0 && pieceCount(1) === 1 && pieceCount(PIECE_BYTES + 1) === 2);
 * ```
 *
 * @param size The size in bytes.
 * @returns How many pieces.
 */
export function pieceCount(size: number): number {
  return Math.ceil(size / PIECE_BYTES);
}

/**
 * The length of piece `index` of content of a size.
 *
 * @example Usage
 * ```ts
 * import { PIECE_BYTES, pieceLength } from "./content_id.ts";
 * console.assert(pieceLength(PIECE_BYTES + 5, 1) === 5);
 * ```
 *
 * @param size The content's size.
 * @param index The piece.
 * @returns Its length in bytes.
 */
export function pieceLength(size: number, index: number): number {
  return Math.min(PIECE_BYTES, size - index * PIECE_BYTES);
}

/**
 * Makes a content id from its root and size.
 *
 * @example Usage
 * ```ts
 * import { contentId } from "./content_id.ts";
 * const id = contentId(new Uint8Array(32), 5);
 * console.assert(id.text === "0".repeat(64) + ".5" && id.pieces === 1);
 * ```
 *
 * @param root The 32-byte root.
 * @param size The size in bytes.
 * @returns The id.
 */
export function contentId(root: Uint8Array, size: number): ContentId {
  return { root, size, pieces: pieceCount(size), text: `${hex.encode(root)}.${size}` };
}

/**
 * Reads a content id. Never throws.
 *
 * @example Usage
 * ```ts
 * import { parseContentId } from "./content_id.ts";
 * const ok = parseContentId("ab".repeat(32) + ".100000");
 * console.assert(ok.ok && ok.id.pieces === 7);
 * const bad = parseContentId("ab.12");
 * console.assert(!bad.ok && bad.code === "CONTENT_ID_MALFORMED");
 * ```
 *
 * @param text The id's text.
 * @param maxBytes The largest size allowed.
 * @returns The id, or a refusal.
 */
export function parseContentId(
  text: unknown,
  maxBytes: number = DEFAULT_LIMITS.MAX_CONTENT_BYTES,
): { ok: true; id: ContentId } | Refusal {
  const m = typeof text === "string" ? /^([0-9a-f]{64})\.(0|[1-9][0-9]{0,15})$/.exec(text) : null;
  const size = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(size) || size > maxBytes) {
    return {
      ok: false,
      code: "CONTENT_ID_MALFORMED",
      message: `A content id is <64 lowercase hex>.<size in bytes, at most ${maxBytes}>, not ${
        JSON.stringify(typeof text === "string" ? text.slice(0, 100) : text)
      }`,
    };
  }
  return { ok: true, id: contentId(hex.decode(m[1]), size) };
}
