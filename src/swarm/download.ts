/**
 * One download: asks providers for pieces as the {@linkcode Picker} says, checks every piece
 * against the content id, hands good ones to a sink with their paths (so the downloader can
 * serve them in turn), counts bad ones against their sender, cancels the duplicates of the
 * end-game, and sends a request elsewhere when its answer does not come in time or comes back
 * busy. Pure of I/O: the caller gives it a way to send, a sink and a timer; it is fed the
 * swarm messages addressed to it.
 *
 * @module
 */
import type { Bitfield } from "./bitfield.ts";
import type { ContentId } from "./content_id.ts";
import { Picker } from "./picker.ts";
import { PieceVerifier } from "./piece_tree.ts";
import { encodeSwarm, REJECT_CODES, SWARM, type SwarmMessage } from "./wire.ts";

/** Default time a piece request may take before it is asked elsewhere, in ms. */
export const DEFAULT_PIECE_TIMEOUT_MS = 10_000;

/** Requests in a row that get no answer before a provider counts as gone. */
const SILENT_BEFORE_GONE = 2;

/** Default wait before asking a busy provider again, in ms. */
export const DEFAULT_BUSY_RETRY_MS = 250;

/** What a download works with. */
export interface DownloadOptions {
  /** The content. */
  id: ContentId;
  /** Sends bytes to a peer. */
  send: (to: string, bytes: Uint8Array) => void;
  /** Takes a verified piece (and its path, to serve it on). */
  sink: (index: number, piece: Uint8Array, proof: Uint8Array[]) => void | Promise<void>;
  /** The pieces wanted, `first` to `last` inclusive. @default all */
  wanted?: { first: number; last: number };
  /** Pieces held already (a resumed download). */
  have?: Iterable<number>;
  /** Time per request. @default 10000 */
  pieceTimeoutMs?: number;
  /** Strikes before a provider is dropped. @default 3 */
  maxBadPieces?: number;
  /** Requests in flight per provider. @default 16 */
  maxInFlight?: number;
}

/** Where a download stands. */
export interface DownloadProgress {
  /** Wanted pieces held. */
  done: number;
  /** Wanted pieces in all. */
  total: number;
  /** Piece bytes received and kept. */
  bytes: number;
  /** Pieces that failed their check. */
  bad: number;
  /** Providers asked now. */
  sources: number;
  /** Providers asked nothing more for their bad pieces. */
  dropped: number;
}

/**
 * The state and the traffic of one download.
 *
 * @example Usage
 * ```ts
 * import { Bitfield } from "./bitfield.ts";
 * import { Download } from "./download.ts";
 * import { PieceTree } from "./piece_tree.ts";
 * import { Seeder, wholeSource } from "./seeder.ts";
 * import { decodeSwarm } from "./wire.ts";
 * const bytes = new Uint8Array(40_000).fill(7);
 * const tree = PieceTree.of(bytes);
 * const got = new Uint8Array(bytes.length);
 * let download: Download;
 * const seeder = new Seeder((_to, b) => queueMicrotask(() => download.handle("seed", decodeSwarm(b)!)));
 * seeder.share(wholeSource(tree, (i) => bytes.subarray(i * 16_384, (i + 1) * 16_384)));
 * download = new Download({
 *   id: tree.id,
 *   send: (_to, b) => queueMicrotask(() => seeder.handle("me", decodeSwarm(b)!)),
 *   sink: (i, piece) => got.set(piece, i * 16_384),
 * });
 * download.addProvider("seed", new Bitfield(tree.id.pieces, true));
 * await download.finished;
 * console.assert(got.every((b) => b === 7));
 * ```
 */
export class Download {
  readonly #o: DownloadOptions;
  readonly #picker: Picker;
  readonly #verifier: PieceVerifier;
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Requests in a row each provider left unanswered. */
  readonly #silent = new Map<string, number>();
  readonly #total: number;
  #bytes = 0;
  #bad = 0;
  #closed = false;
  readonly #done: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void };
  /** Called after each piece kept. */
  onProgress: (p: DownloadProgress) => void = () => {};

  /**
   * Starts the state of a download; it asks for nothing until a provider is added.
   *
   * @param o The content, how to send, where pieces go, and what is wanted.
   */
  constructor(o: DownloadOptions) {
    this.#o = o;
    this.#picker = new Picker({
      pieces: o.id.pieces,
      wanted: o.wanted,
      have: o.have,
      maxBadPieces: o.maxBadPieces,
      maxInFlight: o.maxInFlight,
    });
    this.#verifier = new PieceVerifier(o.id);
    this.#total = this.#picker.missing + [...this.#picker.have].length;
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => [resolve, reject] = [res, rej]);
    promise.catch(() => {}); // a download nobody awaits must not raise
    this.#done = { promise, resolve, reject };
    if (this.#picker.done) resolve();
  }

  /** Resolves once every wanted piece is held; rejects if the download is stopped. */
  get finished(): Promise<void> {
    return this.#done.promise;
  }

  /** The pieces held, verified. */
  get have(): Bitfield {
    return this.#picker.have;
  }

  /** Where it stands. */
  get progress(): DownloadProgress {
    return {
      done: this.#total - this.#picker.missing,
      total: this.#total,
      bytes: this.#bytes,
      bad: this.#bad,
      sources: this.#picker.providers.length,
      dropped: this.#picker.droppedCount,
    };
  }

  /**
   * Whether a provider was dropped for its bad pieces.
   *
   * @param id The provider.
   * @returns Whether it was.
   */
  dropped(id: string): boolean {
    return this.#picker.dropped(id);
  }

  /**
   * A provider to ask, with the pieces it has.
   *
   * @param id The provider.
   * @param has Its pieces.
   */
  addProvider(id: string, has: Bitfield): void {
    this.#picker.addProvider(id, has);
    this.#fill(id);
  }

  /**
   * A provider is gone; its requests are asked elsewhere.
   *
   * @param id The provider.
   */
  removeProvider(id: string): void {
    this.#picker.removeProvider(id);
    for (const key of [...this.#timers.keys()]) {
      if (key.startsWith(`${id}\n`)) this.#clear(key);
    }
    for (const other of this.#picker.providers) this.#fill(other);
  }

  /**
   * The path to a provider changed (its direct channel closed): what it was asked and has not
   * answered is asked again, by whichever path the sender uses now.
   *
   * @param id The provider.
   */
  askAgain(id: string): void {
    if (this.#closed) return;
    for (const key of this.#timers.keys()) {
      if (!key.startsWith(`${id}\n`)) continue;
      const index = Number(key.slice(id.length + 1));
      this.#o.send(id, encodeSwarm({ type: SWARM.REQUEST, id: this.#o.id, index }));
    }
  }

  /**
   * Takes a swarm message addressed to the download (PIECE, REJECT, HAVE).
   *
   * @param from The sender.
   * @param m The message.
   */
  async handle(from: string, m: SwarmMessage): Promise<void> {
    // A dropped provider's answers still in flight are not even looked at.
    if (this.#closed || m.id.text !== this.#o.id.text || this.#picker.dropped(from)) return;
    switch (m.type) {
      case SWARM.PIECE: {
        this.#clear(`${from}\n${m.index}`);
        this.#silent.delete(from);
        const valid = this.#verifier.verify(m.index, m.piece, m.proof);
        const r = this.#picker.received(from, m.index, valid);
        if (r.status === "bad") this.#bad++;
        if (r.status === "stored") {
          this.#bytes += m.piece.length;
          for (const other of r.cancel) {
            this.#clear(`${other}\n${m.index}`);
            this.#o.send(other, encodeSwarm({ type: SWARM.CANCEL, id: m.id, index: m.index }));
          }
          await this.#o.sink(m.index, m.piece, m.proof);
          this.onProgress(this.progress);
          if (this.#picker.done) return this.#finish();
          for (const other of r.cancel) this.#fill(other);
        }
        return this.#fill(from);
      }
      case SWARM.REJECT: {
        this.#clear(`${from}\n${m.index}`);
        this.#picker.timedOut(from, m.index);
        if (m.code === REJECT_CODES.BUSY) {
          setTimeout(() => this.#fill(from), DEFAULT_BUSY_RETRY_MS);
        } else {
          // It does not have what it said it had: ask it nothing more.
          this.removeProvider(from);
        }
        for (const other of this.#picker.providers) this.#fill(other);
        return;
      }
      case SWARM.HAVE:
        this.#picker.announced(from, m.index);
        return this.#fill(from);
    }
  }

  /**
   * Stops the download; what is in flight is forgotten.
   *
   * @param reason Why, for `finished`'s rejection.
   */
  stop(reason = "stopped"): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const key of [...this.#timers.keys()]) this.#clear(key);
    this.#done.reject(new Error(reason));
  }

  #finish(): void {
    this.#closed = true;
    for (const key of [...this.#timers.keys()]) this.#clear(key);
    this.#done.resolve();
  }

  #fill(id: string): void {
    if (this.#closed) return;
    for (let i = this.#picker.next(id); i !== undefined; i = this.#picker.next(id)) {
      const key = `${id}\n${i}`;
      const index = i;
      this.#timers.set(
        key,
        setTimeout(() => {
          this.#timers.delete(key);
          this.#picker.timedOut(id, index);
          // Silent again and again: gone (a peer that left without a word).
          const silent = (this.#silent.get(id) ?? 0) + 1;
          this.#silent.set(id, silent);
          if (silent >= SILENT_BEFORE_GONE) return this.removeProvider(id);
          for (const other of this.#picker.providers) this.#fill(other);
        }, this.#o.pieceTimeoutMs ?? DEFAULT_PIECE_TIMEOUT_MS),
      );
      this.#o.send(id, encodeSwarm({ type: SWARM.REQUEST, id: this.#o.id, index: i }));
    }
  }

  #clear(key: string): void {
    clearTimeout(this.#timers.get(key));
    this.#timers.delete(key);
  }
}
