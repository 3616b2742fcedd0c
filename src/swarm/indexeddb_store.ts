/**
 * A download kept in the browser's IndexedDB, so that one interrupted by a reload or a closed
 * tab resumes from what it already checked: each piece is a record keyed by the content id
 * and its index, holding its bytes and its audit path. A finished download's records stay
 * while the content is served, and go when it is unshared (or the peer closes); an
 * unfinished one's stay for the next run.
 *
 * @module
 */
import type { ContentId } from "./content_id.ts";
import type { PieceStoreFactory, StoredPiece } from "./piece_store.ts";

/**
 * What a store needs of an `IDBFactory` (`globalThis.indexedDB`, or an implementation of it):
 * its own type rather than the DOM's, so that a project without the DOM library types it.
 */
export interface IndexedDbFactory {
  /** Opens a database, as `IDBFactory.open` does. */
  open(name: string, version?: number): unknown;
}

/** The object store's name in the database. */
const PIECES = "pieces";

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

function open(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  const request = factory.open(name, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(PIECES);
  return done(request);
}

/**
 * A store in IndexedDB (browsers; any runtime given an `IDBFactory`).
 *
 * @example Usage
 * ```ts
 * import { indexedDbStore } from "./indexeddb_store.ts";
 * import type { Peer } from "../client/peer.ts";
 * // In a page: a download that survives a reload.
 * export const save = (peer: Peer, id: string) =>
 *   peer.swarm.fetch(id, { store: indexedDbStore() });
 * ```
 *
 * @param name The database's name. @default "superpeer-swarm"
 * @param factory The IndexedDB to use. @default globalThis.indexedDB
 * @returns The factory of stores.
 * @throws {TypeError} When a store is opened where there is no IndexedDB.
 */
export function indexedDbStore(
  name = "superpeer-swarm",
  factory?: IndexedDbFactory,
): PieceStoreFactory {
  return async (id: ContentId) => {
    const idb = (factory ?? (globalThis as { indexedDB?: unknown }).indexedDB) as
      | IDBFactory
      | undefined;
    if (!idb) throw new TypeError("No IndexedDB here: use fileStore or memoryStore");
    const db = await open(idb, name);
    const range = IDBKeyRange.bound([id.text, 0], [id.text, Number.MAX_SAFE_INTEGER]);
    let finished = false;
    let closed = false;
    const tx = (mode: IDBTransactionMode) => db.transaction(PIECES, mode);
    return {
      async held() {
        const keys = await done(tx("readonly").objectStore(PIECES).getAllKeys(range));
        return keys.map((k) => (k as [string, number])[1]).filter((i) => i < id.pieces);
      },
      async put(index, piece, proof) {
        const t = tx("readwrite");
        t.objectStore(PIECES).put({ piece, proof } satisfies StoredPiece, [id.text, index]);
        await committed(t);
      },
      async get(index) {
        if (closed) return undefined;
        const value = await done(tx("readonly").objectStore(PIECES).get([id.text, index]));
        return value as StoredPiece | undefined;
      },
      finish() {
        finished = true;
        return Promise.resolve();
      },
      async close() {
        if (closed) return;
        closed = true;
        if (finished) {
          const t = tx("readwrite");
          t.objectStore(PIECES).delete(range);
          await committed(t);
        }
        db.close();
      },
    };
  };
}
