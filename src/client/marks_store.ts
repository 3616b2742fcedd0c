/**
 * Where a peer keeps its marks across restarts: the peers that sealed with it (so that a relay
 * cannot talk it out of sealing after a restart), the keys of sealed mail it took, and the last
 * number taken per topic publisher (so that a relay cannot play either again). A file in Deno
 * and Node, IndexedDB in browsers; a store holds one peer's marks, named by its id.
 *
 * @module
 */
import { isNotFound, nodeFs } from "../swarm/node_fs.ts";
import type { IndexedDbFactory } from "../swarm/indexeddb_store.ts";

/** A peer's marks, as saved. */
export interface MarksSnapshot {
  /** The peer whose marks they are: marks of another identity are not taken. */
  readonly peer: string;
  /** Peers that sealed with this one, least recently first. */
  readonly sealedBefore: readonly string[];
  /** Keys of sealed mail taken, with when each was sealed (ms since the epoch). */
  readonly mail: readonly (readonly [string, number])[];
  /** The last number taken per `topic + "\n" + publisher`. */
  readonly topics: readonly (readonly [string, number])[];
}

/** Keeps a peer's marks. */
export interface MarksStore {
  /** The marks saved for this peer, if any (unreadable ones count as none). */
  load(peer: string): Promise<MarksSnapshot | undefined>;
  /** Saves the marks, replacing the last. */
  save(marks: MarksSnapshot): Promise<void>;
}

const isPair = (v: unknown): v is [string, number] =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && Number.isFinite(v[1]);

/**
 * Reads saved marks, checking their shape: anything else is `undefined` (a damaged file starts
 * the peer with no marks rather than not at all).
 *
 * @example Usage
 * ```ts
 * import { parseMarks } from "./marks_store.ts";
 * const text = '{"v":1,"peer":"p","sealedBefore":["q"],"mail":[],"topics":[["t\\nq",3]]}';
 * console.assert(parseMarks(text, "p")?.topics[0][1] === 3);
 * console.assert(parseMarks(text, "other") === undefined && parseMarks("{", "p") === undefined);
 * ```
 *
 * @param text The saved text.
 * @param peer The peer loading them.
 * @returns The marks, or `undefined`.
 */
export function parseMarks(text: string, peer: string): MarksSnapshot | undefined {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (
    typeof v !== "object" || v === null || v.v !== 1 || v.peer !== peer ||
    !Array.isArray(v.sealedBefore) || !v.sealedBefore.every((p) => typeof p === "string") ||
    !Array.isArray(v.mail) || !v.mail.every(isPair) ||
    !Array.isArray(v.topics) || !v.topics.every(isPair)
  ) return undefined;
  return v as unknown as MarksSnapshot;
}

/**
 * The text marks are saved as.
 *
 * @example Usage
 * ```ts
 * import { marksText, parseMarks } from "./marks_store.ts";
 * const marks = { peer: "p", sealedBefore: ["q"], mail: [], topics: [] };
 * console.assert(parseMarks(marksText(marks), "p")?.sealedBefore[0] === "q");
 * ```
 *
 * @param marks The marks.
 * @returns JSON, version 1.
 */
export function marksText(marks: MarksSnapshot): string {
  return JSON.stringify({ v: 1, ...marks });
}

/**
 * Marks in a file (Deno and Node), written whole to a file beside it and renamed over it, so
 * that a crash mid-write leaves the last whole save.
 *
 * @example Usage
 * ```ts
 * import { fileMarks } from "./marks_store.ts";
 * const path = `${await Deno.makeTempDir()}/me.marks.json`;
 * const store = fileMarks(path);
 * await store.save({ peer: "p", sealedBefore: ["q"], mail: [], topics: [] });
 * console.assert((await store.load("p"))?.sealedBefore[0] === "q");
 * ```
 *
 * @param path The file.
 * @returns The store.
 */
export function fileMarks(path: string): MarksStore {
  return {
    async load(peer) {
      const fs = await nodeFs();
      try {
        return parseMarks(new TextDecoder().decode(await fs.readFile(path)), peer);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async save(marks) {
      const fs = await nodeFs();
      await fs.writeFile(`${path}.tmp`, marksText(marks));
      await fs.rename(`${path}.tmp`, path);
    },
  };
}

/** The object store marks are kept in. */
const MARKS = "marks";

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Marks in IndexedDB (browsers; the default there), one record per peer id.
 *
 * @example Usage
 * ```ts
 * import { indexedDbMarks } from "./marks_store.ts";
 * import { Peer } from "./peer.ts";
 * import type { Identity } from "../identity/mod.ts";
 * // In a page: the default, spelled out.
 * export const peer = (identity: Identity) =>
 *   new Peer({ url: location.origin, identity, marks: indexedDbMarks() });
 * ```
 *
 * @param name The database's name. @default "superpeer-marks"
 * @param factory The IndexedDB to use. @default globalThis.indexedDB
 * @returns The store.
 */
export function indexedDbMarks(
  name = "superpeer-marks",
  factory?: IndexedDbFactory,
): MarksStore {
  let db: Promise<IDBDatabase> | undefined;
  const open = () => {
    const idb = (factory ?? (globalThis as { indexedDB?: unknown }).indexedDB) as
      | IDBFactory
      | undefined;
    if (!idb) return Promise.reject(new TypeError("No IndexedDB here: use fileMarks"));
    const request = idb.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(MARKS);
    return done(request);
  };
  return {
    async load(peer) {
      const store = (await (db ??= open())).transaction(MARKS).objectStore(MARKS);
      const text = await done(store.get(peer));
      return typeof text === "string" ? parseMarks(text, peer) : undefined;
    },
    async save(marks) {
      const tx = (await (db ??= open())).transaction(MARKS, "readwrite");
      tx.objectStore(MARKS).put(marksText(marks), marks.peer);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
      });
    },
  };
}
