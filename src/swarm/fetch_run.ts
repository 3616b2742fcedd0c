/**
 * One fetch of a content: opens its store and takes back what an earlier run kept (each
 * piece checked again), serves what it holds as it goes (partial seeding, announced at the
 * content's home), finds providers and greets each with its bitfield, asks for more while
 * few answer, and runs the {@linkcode Download} until every wanted piece is in the store.
 *
 * @module
 */
import { ProtocolError } from "../protocol/errors.ts";
import { Bitfield } from "./bitfield.ts";
import { type ContentId, PIECE_BYTES } from "./content_id.ts";
import { Download, type DownloadProgress } from "./download.ts";
import { memoryStore, type PieceStore, type PieceStoreFactory } from "./piece_store.ts";
import { PieceVerifier } from "./piece_tree.ts";
import type { ContentSource } from "./seeder.ts";
import type { FetchHost } from "./swarm_host.ts";
import { encodeSwarm, SWARM } from "./wire.ts";
import { DEFAULT_FIND_PROVIDERS_MS } from "./defaults.ts";

/** While a fetch has fewer providers than this, it asks for more every few seconds. */
const MORE_PROVIDERS_BELOW = 8;

/** How often a fetch with few providers asks for more, in ms. */
const REFRESH_PROVIDERS_MS = 2_000;

/** Options of a fetch. */
export interface FetchOptions {
  /** Only these bytes (the pieces that cover them are fetched). */
  range?: { offset: number; length: number };
  /** How long to look for providers. @default 10000 */
  findProvidersMs?: number;
  /** Told after each piece kept. */
  onProgress?: (p: FetchReport) => void;
  /** Strikes before a provider is no longer asked. @default 3 */
  maxBadPieces?: number;
  /**
   * Where pieces are kept: `memoryStore()` (the default), `fileStore(path)` (Deno, Node;
   * resumable), `indexedDbStore()` (browsers; resumable).
   */
  store?: PieceStoreFactory;
}

/** What a fetch did. */
export interface FetchReport extends DownloadProgress {
  /** Pieces taken from an earlier run (checked again), not fetched. */
  resumed: number;
}

/**
 * The byte range asked for, clamped to the content, and the pieces that cover it.
 *
 * @example Usage
 * ```ts
 * import { contentId } from "./content_id.ts";
 * import { rangeOf } from "./fetch_run.ts";
 * const r = rangeOf(contentId(new Uint8Array(32), 100_000), { offset: 20_000, length: 10 });
 * console.assert(r.first === 1 && r.last === 1 && r.length === 10);
 * ```
 *
 * @param id The content.
 * @param range The bytes wanted; all by default.
 * @returns The range and its first and last piece.
 */
export function rangeOf(
  id: ContentId,
  range?: { offset: number; length: number },
): { first: number; last: number; offset: number; length: number } {
  const offset = Math.max(0, Math.min(range?.offset ?? 0, id.size));
  const length = Math.max(0, Math.min(range?.length ?? id.size, id.size - offset));
  const first = Math.floor(offset / PIECE_BYTES);
  const last = Math.max(first, Math.ceil((offset + length) / PIECE_BYTES) - 1);
  return { first, last: Math.min(last, Math.max(0, id.pieces - 1)), offset, length };
}

/**
 * A fetch under way.
 *
 * @example Usage
 * ```ts
 * import { FetchRun } from "./fetch_run.ts";
 * import { parseContentId } from "./content_id.ts";
 * import type { FetchHost } from "./swarm_host.ts";
 * export async function get(host: FetchHost, text: string) {
 *   const parsed = parseContentId(text);
 *   if (!parsed.ok) throw new Error(parsed.message);
 *   const run = await FetchRun.open(host, parsed.id, {});
 *   await run.run();
 *   return run.report;
 * }
 * ```
 */
export class FetchRun {
  /** The content. */
  readonly id: ContentId;
  /** The download's state. */
  readonly download: Download;
  /** Where the pieces go. */
  readonly store: PieceStore;
  /** The pieces held, checked. */
  readonly have: Bitfield;
  /** The range wanted. */
  readonly range: ReturnType<typeof rangeOf>;
  /** Peers this fetch talks to, told of each new piece. */
  readonly peers = new Set<string>();
  /** Told of each piece kept (after the store has it). */
  onPiece: (index: number) => void = () => {};
  readonly #host: FetchHost;
  readonly #o: FetchOptions;
  readonly #resumed: number;

  private constructor(
    host: FetchHost,
    id: ContentId,
    o: FetchOptions,
    store: PieceStore,
    held: number[],
  ) {
    this.#host = host;
    this.#o = o;
    this.id = id;
    this.store = store;
    this.range = rangeOf(id, o.range);
    this.have = new Bitfield(id.pieces);
    for (const i of held) this.have.set(i);
    this.#resumed = held.length;
    this.download = new Download({
      id,
      send: (to, bytes) => host.sendSwarm(to, bytes),
      wanted: id.pieces === 0 ? undefined : { first: this.range.first, last: this.range.last },
      have: held,
      maxBadPieces: o.maxBadPieces,
      sink: async (i, piece, proof) => {
        await store.put(i, piece, proof);
        this.have.set(i);
        // Served on at once, and those it talks to hear of it.
        for (const p of this.peers) {
          host.sendSwarm(p, encodeSwarm({ type: SWARM.HAVE, id, index: i }));
        }
        this.onPiece(i);
      },
    });
    this.download.onProgress = (p) => o.onProgress?.({ ...p, resumed: held.length });
  }

  /**
   * Opens a fetch: its store, and what an earlier run left in it, checked again.
   *
   * @param host The peer's swarm.
   * @param id The content.
   * @param o The options.
   * @returns The fetch, not started.
   */
  static async open(host: FetchHost, id: ContentId, o: FetchOptions): Promise<FetchRun> {
    const store = await (o.store ?? memoryStore())(id);
    const verifier = new PieceVerifier(id);
    const held: number[] = [];
    for (const i of await store.held()) {
      const kept = await store.get(i);
      if (kept && verifier.verify(i, kept.piece, kept.proof)) held.push(i);
    }
    return new FetchRun(host, id, o, store, held);
  }

  /** What it did so far. */
  get report(): FetchReport {
    return { ...this.download.progress, resumed: this.#resumed };
  }

  /** What it holds, as a source to serve. */
  get source(): ContentSource {
    return {
      id: this.id,
      has: this.have,
      read: async (i) => {
        const kept = await this.store.get(i);
        if (!kept) throw new RangeError(`Piece ${i} is not held`);
        return kept;
      },
      close: () => this.store.close(),
    };
  }

  /**
   * Serves what it holds, finds providers, and fetches until every wanted piece is kept.
   *
   * @throws {ProtocolError} `UNREACHABLE` if no provider answers in time.
   */
  async run(): Promise<void> {
    let refresh: ReturnType<typeof setInterval> | undefined;
    try {
      await this.#host.serve(this.source).catch(() => {});
      await this.#findProviders(this.#o.findProvidersMs);
      // A sample may miss providers (it is random and bounded): asked again while few serve.
      refresh = setInterval(() => {
        if (this.download.progress.sources >= MORE_PROVIDERS_BELOW) return;
        this.#findProviders(0, true).catch(() => {});
      }, REFRESH_PROVIDERS_MS);
      await this.download.finished;
      await this.store.finish();
    } finally {
      clearInterval(refresh);
      this.download.stop("done");
    }
  }

  /**
   * Reads the wanted bytes of one piece (the range's part of it).
   *
   * @param index A wanted piece that is held.
   * @returns Its bytes within the range.
   */
  async bytesOf(index: number): Promise<Uint8Array> {
    const kept = await this.store.get(index);
    if (!kept) throw new RangeError(`Piece ${index} is not held`);
    const start = index * PIECE_BYTES;
    const from = Math.max(0, this.range.offset - start);
    const to = Math.min(kept.piece.length, this.range.offset + this.range.length - start);
    return kept.piece.slice(from, Math.max(from, to));
  }

  /**
   * A provider's bitfield came: it is asked for pieces.
   *
   * @param from The provider.
   * @param has Its pieces.
   */
  addProvider(from: string, has: Bitfield): void {
    this.peers.add(from);
    this.download.addProvider(from, has);
  }

  async #findProviders(waitMs = DEFAULT_FIND_PROVIDERS_MS, once = false): Promise<void> {
    const cid = this.id;
    const deadline = Date.now() + waitMs;
    const greeting = encodeSwarm({ type: SWARM.BITFIELD, id: cid, bits: this.have.bytes() });
    for (;;) {
      const progress = this.download.progress;
      if (progress.done === progress.total) return;
      const answer = await this.#host.request({ t: "providers", root: cid.text, count: 32 });
      for (const p of answer.providers) {
        if (this.peers.has(p.peer)) continue;
        this.peers.add(p.peer);
        // A seeder of the whole content is asked at once; any provider is greeted, and
        // answers with its own bitfield.
        if (p.pieces === cid.pieces) {
          this.download.addProvider(p.peer, new Bitfield(cid.pieces, true));
        }
        this.#host.sendSwarm(p.peer, greeting);
      }
      if (once || this.download.progress.sources > 0) return;
      if (Date.now() > deadline) {
        throw new ProtocolError(
          "UNREACHABLE",
          `No provider of ${cid.text} answered within ${waitMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
