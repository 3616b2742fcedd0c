/**
 * Serving pieces: whoever has pieces of a content (all of them, or those a download already
 * verified) answers REQUESTs with PIECEs and their paths. The upload rate paces them: a piece
 * waits until the rate allows it (a tenth of a second of burst), so the rate holds on
 * average without refusing anyone; past the number of requests served at once it answers
 * REJECT busy, and the asker goes to someone else or comes back. Pure: the caller gives it a
 * way to send, and may give it a clock and a way to wait.
 *
 * @module
 */
import { Bitfield } from "./bitfield.ts";
import { type ContentId, pieceLength } from "./content_id.ts";
import type { PieceTree } from "./piece_tree.ts";
import { encodeSwarm, REJECT_CODES, SWARM, type SwarmMessage } from "./wire.ts";

/** Default upload rate of one sharing peer, in bytes per second. */
export const DEFAULT_UPLOAD_BYTES_PER_SECOND = 4 * 1024 * 1024;

/** Default requests served at once by one sharing peer. */
export const DEFAULT_MAX_SERVING = 16;

/** A path between two peers. */
export type Path = "relay" | "direct";

/** Most distinct peers counted in `peersServed`. */
const MAX_COUNTED_PEERS = 4_096;

/** Content that can be served: which pieces, and each with its path. */
export interface ContentSource {
  /** The content. */
  id: ContentId;
  /** The pieces held (grows as a download goes on). */
  has: Bitfield;
  /** Reads a held piece and its audit path. */
  read(index: number): Promise<{ piece: Uint8Array; proof: Uint8Array[] }>;
  /** Lets go of what it reads from (a file, a store), once no longer served. */
  close?(): Promise<void>;
}

/**
 * A source for content held whole, with its tree.
 *
 * @example Usage
 * ```ts
 * import { PieceTree } from "./piece_tree.ts";
 * import { wholeSource } from "./seeder.ts";
 * const bytes = new Uint8Array(20_000);
 * const source = wholeSource(PieceTree.of(bytes), (i) => bytes.subarray(i * 16_384, (i + 1) * 16_384));
 * console.assert(source.has.complete);
 * ```
 *
 * @param tree The content's tree.
 * @param piece Reads a piece's bytes.
 * @returns The source.
 */
export function wholeSource(
  tree: PieceTree,
  piece: (index: number) => Uint8Array | Promise<Uint8Array>,
): ContentSource {
  return {
    id: tree.id,
    has: new Bitfield(tree.id.pieces, true),
    read: async (index) => ({ piece: await piece(index), proof: tree.proof(index) }),
  };
}

/** How a seeder behaves. */
export interface SeederOptions {
  /** Upload rate, bytes per second. @default 4 MiB/s */
  uploadBytesPerSecond?: number;
  /** Requests served at once. @default 16 */
  maxServing?: number;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
  /** Waits, in ms. @default a timer */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Serves the contents a peer shares.
 *
 * @example Usage
 * ```ts
 * import { PieceTree } from "./piece_tree.ts";
 * import { Seeder, wholeSource } from "./seeder.ts";
 * import { decodeSwarm, SWARM } from "./wire.ts";
 * const bytes = new Uint8Array(100);
 * const tree = PieceTree.of(bytes);
 * const sent: Uint8Array[] = [];
 * const seeder = new Seeder((_to, b) => sent.push(b));
 * seeder.share(wholeSource(tree, () => bytes));
 * await seeder.handle("asker", { type: SWARM.REQUEST, id: tree.id, index: 0 });
 * console.assert(decodeSwarm(sent[0])?.type === SWARM.PIECE && seeder.uploaded === 100);
 * ```
 */
export class Seeder {
  readonly #send: (to: string, bytes: Uint8Array, via?: Path) => void;
  readonly #o: Required<SeederOptions>;
  readonly #sources = new Map<string, ContentSource>();
  #tokens: number;
  #at: number;
  #serving = 0;
  /** Piece bytes sent so far. */
  uploaded = 0;
  readonly #servedTo = new Set<string>();
  /** Requests waiting for their turn, and those of them cancelled. */
  readonly #waiting = new Set<string>();
  readonly #cancelled = new Set<string>();

  /**
   * Makes a seeder.
   *
   * @param send Sends bytes to a peer, on the path a request came by when given.
   * @param o Rate, concurrency and clock.
   */
  constructor(
    send: (to: string, bytes: Uint8Array, via?: Path) => void,
    o: SeederOptions = {},
  ) {
    this.#send = send;
    this.#o = {
      uploadBytesPerSecond: o.uploadBytesPerSecond ?? DEFAULT_UPLOAD_BYTES_PER_SECOND,
      maxServing: o.maxServing ?? DEFAULT_MAX_SERVING,
      now: o.now ?? Date.now,
      sleep: o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    };
    this.#tokens = this.#burst;
    this.#at = this.#o.now();
  }

  /**
   * Starts serving a content.
   *
   * @param source What is held of it.
   */
  share(source: ContentSource): void {
    this.#sources.set(source.id.text, source);
  }

  /**
   * Stops serving a content.
   *
   * @param id The content id's text.
   */
  unshare(id: string): void {
    const source = this.#sources.get(id);
    this.#sources.delete(id);
    source?.close?.().catch(() => {});
  }

  /** The contents served now, by id. */
  get shared(): ReadonlyMap<string, ContentSource> {
    return this.#sources;
  }

  /**
   * Answers a swarm message addressed to the serving side: a REQUEST, or a CANCEL of one still
   * waiting for its turn; others are ignored.
   *
   * @param from The asker.
   * @param m The message.
   * @param via The path it came by: the answer goes back on it (a peer that restarted asks by
   *   relay while the other side may still think their old direct channel open).
   */
  async handle(from: string, m: SwarmMessage, via?: Path): Promise<void> {
    const key = `${from}\n${m.id.text}\n${"index" in m ? m.index : -1}`;
    // A request still waiting for its turn is let go: the asker has the piece from another.
    if (m.type === SWARM.CANCEL && this.#waiting.has(key)) this.#cancelled.add(key);
    if (m.type !== SWARM.REQUEST) return;
    const source = this.#sources.get(m.id.text);
    const reject = (code: number) =>
      this.#send(from, encodeSwarm({ type: SWARM.REJECT, id: m.id, index: m.index, code }), via);
    if (!source || m.index >= m.id.pieces) {
      return reject(source ? REJECT_CODES.OUT_OF_RANGE : REJECT_CODES.NOT_HELD);
    }
    if (!source.has.has(m.index)) return reject(REJECT_CODES.NOT_HELD);
    if (this.#serving >= this.#o.maxServing) return reject(REJECT_CODES.BUSY);
    this.#serving++;
    this.#waiting.add(key);
    try {
      const bytes = pieceLength(m.id.size, m.index);
      const wait = this.#reserve(bytes);
      if (wait > 0) await this.#o.sleep(wait);
      if (this.#cancelled.delete(key)) {
        this.#tokens += bytes; // not sent: the rate gives the bytes back
        return;
      }
      const { piece, proof } = await source.read(m.index);
      this.#send(
        from,
        encodeSwarm({ type: SWARM.PIECE, id: m.id, index: m.index, proof, piece }),
        via,
      );
      this.uploaded += piece.length;
      // Counted up to a bound: a figure to show, not a list to grow without end.
      if (this.#servedTo.size < MAX_COUNTED_PEERS) this.#servedTo.add(from);
    } finally {
      this.#serving--;
      this.#waiting.delete(key);
      this.#cancelled.delete(key);
    }
  }

  /** Distinct peers served a piece (counted up to 4,096). */
  get peersServed(): number {
    return this.#servedTo.size;
  }

  /** A tenth of a second's bytes: the most sent at once after a pause. */
  get #burst(): number {
    return this.#o.uploadBytesPerSecond / 10;
  }

  // Takes bytes from the bucket, into debt if need be: the ms to wait before sending them.
  #reserve(bytes: number): number {
    const now = this.#o.now();
    const rate = this.#o.uploadBytesPerSecond;
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1_000) * rate);
    this.#at = now;
    this.#tokens -= bytes;
    return this.#tokens >= 0 ? 0 : (-this.#tokens / rate) * 1_000;
  }
}
