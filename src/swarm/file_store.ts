/**
 * A download into a file (Deno, Node), resumable: each piece is written at its place in the
 * output file, then its index and audit path are appended to a log beside it (`<file>.part`).
 * A run killed half-way leaves both; the next run reads the log, checks every piece it names
 * against the content id again, and fetches only the rest. A log cut short by the kill loses
 * at most the piece being logged. Once every wanted piece is in, the log goes.
 *
 * ```
 * <file>.part   "superpeer-part 1 <content id>\n" then, per piece: index u32 | k u8 | k × 32 bytes
 * ```
 *
 * @module
 */
import { type ContentId, PIECE_BYTES, pieceLength } from "./content_id.ts";
import { type FileHandleLike, isNotFound, nodeFs } from "./node_fs.ts";
import type { PieceStore, PieceStoreFactory } from "./piece_store.ts";
import type { PieceTree } from "./piece_tree.ts";
import { hashFile } from "./file_source.ts";

/** The suffix of the resume log beside an output file. */
export const PART_SUFFIX = ".part";

function header(id: ContentId): Uint8Array {
  return new TextEncoder().encode(`superpeer-part 1 ${id.text}\n`);
}

/** Reads a log's records after its header; a record cut short ends it. */
function records(log: Uint8Array, from: number): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  const view = new DataView(log.buffer, log.byteOffset, log.byteLength);
  for (let at = from; at + 5 <= log.length;) {
    const index = view.getUint32(at);
    const k = log[at + 4];
    if (k > 32 || at + 5 + 32 * k > log.length) break;
    const proof = Array.from({ length: k }, (_, j) => log.slice(at + 5 + 32 * j, at + 37 + 32 * j));
    out.set(index, proof);
    at += 5 + 32 * k;
  }
  return out;
}

function record(index: number, proof: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(5 + 32 * proof.length);
  new DataView(out.buffer).setUint32(0, index);
  out[4] = proof.length;
  proof.forEach((p, j) => out.set(p, 5 + 32 * j));
  return out;
}

/**
 * A store that writes a content into a file, resumable (see the module's text). A file that
 * already holds the whole content (and no log) is kept as it is: nothing is fetched.
 *
 * @example Usage
 * ```ts
 * import { fileStore } from "./file_store.ts";
 * import { PieceTree } from "./piece_tree.ts";
 * const path = await Deno.makeTempFile();
 * const bytes = new Uint8Array(20_000).fill(3);
 * const tree = PieceTree.of(bytes);
 * const store = await fileStore(path)(tree.id);
 * await store.put(1, bytes.subarray(16_384), tree.proof(1));
 * await store.close(); // killed here, say
 * const again = await fileStore(path)(tree.id);
 * console.assert((await again.held()).join() === "1");
 * await again.close();
 * ```
 *
 * @param path The output file.
 * @returns The factory.
 */
export function fileStore(path: string): PieceStoreFactory {
  return async (id) => {
    const fs = await nodeFs();
    const logPath = path + PART_SUFFIX;
    const head = header(id);
    let log: Uint8Array | undefined;
    try {
      log = await fs.readFile(logPath);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const sameContent = log !== undefined && log.length >= head.length &&
      head.every((b, i) => log![i] === b);
    let proofs = sameContent ? records(log!, head.length) : new Map<number, Uint8Array[]>();
    let data: FileHandleLike;
    let appender: FileHandleLike | undefined;
    if (!sameContent) {
      // No log of this content: a file that is already the whole content is kept.
      const tree = log === undefined ? await existing(path, id) : undefined;
      if (tree) {
        proofs = new Map(Array.from({ length: id.pieces }, (_, i) => [i, tree.proof(i)]));
        data = await fs.open(path, "r");
        return store(id, data, undefined, proofs, async () => {});
      }
      data = await fs.open(path, "w+");
      appender = await fs.open(logPath, "w+");
      await appender.write(head, 0, head.length, null);
    } else {
      try {
        data = await fs.open(path, "r+");
      } catch (error) {
        // The log outlived its file: start over.
        if (!isNotFound(error)) throw error;
        proofs = new Map();
        data = await fs.open(path, "w+");
      }
      appender = await fs.open(logPath, "a");
    }
    await data.truncate(id.size);
    return store(id, data, appender, proofs, () => fs.rm(logPath, { force: true }));
  };
}

/** The tree of a file that is already the content, if it is. */
async function existing(path: string, id: ContentId): Promise<PieceTree | undefined> {
  try {
    const tree = await hashFile(path);
    return tree.id.text === id.text ? tree : undefined;
  } catch {
    return undefined;
  }
}

function store(
  id: ContentId,
  data: FileHandleLike,
  appender: FileHandleLike | undefined,
  proofs: Map<number, Uint8Array[]>,
  removeLog: () => Promise<void>,
): PieceStore {
  // Appends one at a time, so that records never interleave.
  let appending = Promise.resolve();
  let closed = false;
  return {
    held: () => Promise.resolve([...proofs.keys()].filter((i) => i < id.pieces)),
    async put(index, piece, proof) {
      await data.write(piece, 0, piece.length, index * PIECE_BYTES);
      const bytes = record(index, proof);
      appending = appending.then(async () => {
        await appender?.write(bytes, 0, bytes.length, null);
      });
      await appending;
      proofs.set(index, proof);
    },
    async get(index) {
      const proof = proofs.get(index);
      if (!proof || closed) return undefined;
      const piece = new Uint8Array(pieceLength(id.size, index));
      const { bytesRead } = await data.read(piece, 0, piece.length, index * PIECE_BYTES);
      return bytesRead === piece.length ? { piece, proof } : undefined;
    },
    async finish() {
      await appending;
      await appender?.close();
      appender = undefined;
      await removeLog();
    },
    async close() {
      if (closed) return;
      closed = true;
      await appending;
      await appender?.close();
      await data.close();
    },
  };
}
