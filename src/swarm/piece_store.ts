/**
 * Where a download keeps its pieces: one small interface, so that the same download runs on
 * memory, on a file with its resume state beside it (Deno, Node) or on IndexedDB (browsers),
 * and one contract suite checks them all (`test/swarm/piece_store_contract.ts`). A store
 * keeps each piece with its audit path, so that what it holds can be served on and checked
 * again after a restart; it checks nothing itself (the download does, on the way in and on
 * resuming).
 *
 * @module
 */
import type { ContentId } from "./content_id.ts";

/** A piece and its audit path. */
export interface StoredPiece {
  /** The piece's bytes. */
  piece: Uint8Array;
  /** Its audit path to the content's root. */
  proof: Uint8Array[];
}

/** The pieces of one content, as one download keeps them. */
export interface PieceStore {
  /**
   * The pieces it holds: on opening, those an earlier run left (a resumed download), each
   * checked again before it counts.
   */
  held(): Promise<number[]>;
  /** Keeps a checked piece; resolves once it would survive a restart of the process. */
  put(index: number, piece: Uint8Array, proof: Uint8Array[]): Promise<void>;
  /** A piece kept, or `undefined`. */
  get(index: number): Promise<StoredPiece | undefined>;
  /** Every wanted piece is in: the resume state may go (the pieces stay, to be served). */
  finish(): Promise<void>;
  /**
   * Lets go of the pieces (the content is no longer served). A finished store's own copy may
   * go (IndexedDB); an unfinished one keeps its resume state for the next run.
   */
  close(): Promise<void>;
}

/** Opens the store of one content. */
export type PieceStoreFactory = (id: ContentId) => Promise<PieceStore>;

/**
 * Pieces in memory: the default, and what a resumed download cannot use.
 *
 * @example Usage
 * ```ts
 * import { contentId } from "./content_id.ts";
 * import { memoryStore } from "./piece_store.ts";
 * const id = contentId(new Uint8Array(32), 10);
 * const store = await memoryStore()(id);
 * await store.put(0, new Uint8Array(10), []);
 * console.assert((await store.get(0))?.piece.length === 10);
 * console.assert((await (await memoryStore()(id)).held()).length === 0); // nothing survives
 * ```
 *
 * @returns The factory.
 */
export function memoryStore(): PieceStoreFactory {
  return () => {
    const pieces = new Map<number, StoredPiece>();
    return Promise.resolve({
      held: () => Promise.resolve([...pieces.keys()]),
      put: (index, piece, proof) => {
        pieces.set(index, { piece, proof });
        return Promise.resolve();
      },
      get: (index) => Promise.resolve(pieces.get(index)),
      finish: () => Promise.resolve(),
      close: () => {
        pieces.clear();
        return Promise.resolve();
      },
    });
  };
}
