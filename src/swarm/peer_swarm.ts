/**
 * File sharing as a peer uses it: `share` makes content servable and says so at its home;
 * `fetch` finds providers, greets each with its bitfield (a provider answers with its own),
 * pulls pieces from all of them at once, checks each, and serves what it got as it goes
 * (partial seeding: it provides the content too, and tells those it talks to of each new
 * piece). Swarm messages travel on the pair's direct channel while one is open, else as relay
 * frames with the swarm flag (PROTOCOL section 12); pieces go to a store (memory, a file, or
 * IndexedDB), so that a download can resume.
 *
 * @module
 */
import { ProtocolError } from "../protocol/errors.ts";
import { Bitfield } from "./bitfield.ts";
import { blobSource } from "./blob_source.ts";
import { parseContentId, PIECE_BYTES } from "./content_id.ts";
import { type FetchOptions, type FetchReport, FetchRun, rangeOf } from "./fetch_run.ts";
import { fileSource } from "./file_source.ts";
import { fileStore } from "./file_store.ts";
import { memoryStore } from "./piece_store.ts";
import { PieceTree } from "./piece_tree.ts";
import { type ContentSource, Seeder, type SeederOptions, wholeSource } from "./seeder.ts";
import type { SwarmHost } from "./swarm_host.ts";
import { decodeSwarm, encodeSwarm, SWARM } from "./wire.ts";

/** How long a greeting's answer stands before the same peer's next greeting is answered. */
const GREETING_ANSWERED_MS = 2_000;

/** What can be shared: bytes, a `Blob` or `File`, a stream of bytes, or a file's path. */
export type Shareable = Uint8Array | Blob | ReadableStream<Uint8Array> | string;

/**
 * The file sharing of one peer. Reached as `peer.swarm`.
 *
 * @example Usage
 * ```ts
 * import type { Peer } from "../client/mod.ts";
 * export async function roundTrip(alice: Peer, bob: Peer) {
 *   const id = await alice.swarm.share(new TextEncoder().encode("hello"));
 *   return new TextDecoder().decode(await bob.swarm.fetch(id));
 * }
 * ```
 */
export class PeerSwarm {
  readonly #host: SwarmHost;
  readonly #seeder: Seeder;
  readonly #runs = new Map<string, FetchRun>();
  readonly #refresh = new Map<string, ReturnType<typeof setInterval>>();
  readonly #received = { relay: 0, direct: 0 };

  /**
   * Makes the swarm of one peer.
   *
   * @param host The peer.
   * @param seeder Upload rate and concurrency of what it serves.
   */
  constructor(host: SwarmHost, seeder: SeederOptions = {}) {
    this.#host = host;
    this.#seeder = new Seeder((to, bytes, via) => host.sendSwarm(to, bytes, via), seeder);
  }

  /** Piece bytes this peer has served. */
  get uploaded(): number {
    return this.#seeder.uploaded;
  }

  /** Distinct peers this peer served a piece to (counted up to 4,096). */
  get peersServed(): number {
    return this.#seeder.peersServed;
  }

  /** Piece bytes this peer received, by the path they came on. */
  get downloaded(): { relay: number; direct: number } {
    return { ...this.#received };
  }

  /**
   * Shares content: it becomes servable and is announced at its home, again every half
   * `PROVIDER_TTL_MS` until `unshare`. A `Blob` and a file's path are never read whole: hashed
   * a megabyte at a time, then read a piece at a time when asked for; a stream is read into
   * memory (it cannot be read twice).
   *
   * @param content Bytes, a `Blob` (a browser's `File`), a stream of bytes, or a file's path
   *   (Deno, Node).
   * @returns Its content id.
   */
  async share(content: Shareable): Promise<string> {
    let source: ContentSource;
    if (typeof content === "string") source = await fileSource(content);
    else if (typeof Blob !== "undefined" && content instanceof Blob) {
      source = await blobSource(content);
    } else {
      const bytes = content instanceof Uint8Array
        ? content
        : await readAll(content as ReadableStream<Uint8Array>);
      const tree = PieceTree.of(bytes);
      source = wholeSource(tree, (i) => bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES));
    }
    await this.serve(source);
    return source.id.text;
  }

  /**
   * Stops sharing a content (and lets go of its file or store).
   *
   * @param id Its content id.
   */
  async unshare(id: string): Promise<void> {
    this.#seeder.unshare(id);
    clearInterval(this.#refresh.get(id));
    this.#refresh.delete(id);
    if (this.#host.connected) await this.#host.request({ t: "unprovide", root: id });
  }

  /**
   * Fetches content from its providers, several at once, each piece checked.
   *
   * @param id The content id.
   * @param options A byte range, a store, how long to look for providers, progress.
   * @returns The content (or the range's bytes).
   * @throws {ProtocolError} `CONTENT_ID_MALFORMED`; `UNREACHABLE` naming the content if no
   *   provider answers in time.
   */
  async fetch(id: string, options: FetchOptions = {}): Promise<Uint8Array> {
    const run = await this.#open(id, options);
    await this.#run(run);
    const out = new Uint8Array(run.range.length);
    let at = 0;
    for (let i = run.range.first; at < out.length; i++) {
      const bytes = await run.bytesOf(i);
      out.set(bytes, at);
      at += bytes.length;
    }
    return out;
  }

  /**
   * Fetches content as a stream of its bytes, in order: each piece is let out as soon as it
   * and every one before it are in (a byte range streams only its part).
   *
   * @param id The content id.
   * @param options As for {@linkcode PeerSwarm.fetch}.
   * @returns The bytes; cancelling it stops the fetch; it errors as `fetch` would reject.
   */
  fetchStream(id: string, options: FetchOptions = {}): ReadableStream<Uint8Array> {
    let run: FetchRun | undefined;
    let next = 0;
    let wake = () => {};
    let failed: unknown;
    return new ReadableStream<Uint8Array>({
      start: async () => {
        run = await this.#open(id, options);
        next = run.range.first;
        run.onPiece = () => wake();
        this.#run(run).catch((e) => {
          failed = e;
          wake();
        });
      },
      pull: async (controller) => {
        const r = run!;
        if (r.range.length === 0 || next > r.range.last) return controller.close();
        while (!r.have.has(next) && failed === undefined) {
          await new Promise<void>((resolve) => wake = resolve);
        }
        if (!r.have.has(next)) return controller.error(failed);
        controller.enqueue(await r.bytesOf(next++));
        if (next > r.range.last) controller.close();
      },
      cancel: () => run?.download.stop("cancelled"),
    }, { highWaterMark: 4 });
  }

  /**
   * Fetches content into a file (Deno, Node), resumable: a run killed half-way leaves the
   * pieces it checked and a log of them beside the file (`<file>.part`); the next run checks
   * them again and fetches only the rest. A file that already holds the content is kept.
   *
   * @param id The content id.
   * @param path The output file.
   * @param options As for {@linkcode PeerSwarm.fetch}, but the whole content, in the file.
   * @returns What was fetched and what was taken from an earlier run.
   */
  async fetchFile(
    id: string,
    path: string,
    options: Omit<FetchOptions, "store" | "range"> = {},
  ): Promise<FetchReport> {
    const run = await this.#open(id, { ...options, store: fileStore(path) });
    await this.#run(run);
    return run.report;
  }

  /**
   * Takes a swarm message's bytes from a peer.
   *
   * @param from The sender.
   * @param bytes The message.
   * @param via The path it came on.
   */
  receive(from: string, bytes: Uint8Array, via: "relay" | "direct" = "relay"): void {
    const m = decodeSwarm(bytes);
    if (!m) return;
    switch (m.type) {
      case SWARM.REQUEST:
        void this.#seeder.handle(from, m, via);
        return;
      case SWARM.CANCEL:
        void this.#seeder.handle(from, m, via);
        return;
      case SWARM.BITFIELD: {
        const has = Bitfield.fromBytes(m.bits, m.id.pieces);
        const run = this.#runs.get(m.id.text);
        if (has && run) run.addProvider(from, has);
        // A greeting from a downloader: answered with what this peer serves of it.
        const source = this.#seeder.shared.get(m.id.text);
        if (source && !this.#answered(from, m.id.text)) {
          const bits = source.has.bytes();
          this.#host.sendSwarm(
            from,
            encodeSwarm({ type: SWARM.BITFIELD, id: source.id, bits }),
            via,
          );
        }
        return;
      }
      case SWARM.PIECE:
        this.#received[via] += m.piece.length;
        void this.#runs.get(m.id.text)?.download.handle(from, m);
        return;
      default:
        void this.#runs.get(m.id.text)?.download.handle(from, m);
    }
  }

  /**
   * A peer is gone (its frames refused as not connected): its requests go elsewhere.
   *
   * @param peer The peer.
   */
  gone(peer: string): void {
    for (const run of this.#runs.values()) run.download.removeProvider(peer);
  }

  /**
   * The direct channel to a peer closed: what was asked over it goes again by relay.
   *
   * @param peer The peer.
   */
  pathLost(peer: string): void {
    for (const run of this.#runs.values()) run.download.askAgain(peer);
  }

  /** The peer closed: timers stop, files and stores are let go. */
  close(): void {
    for (const t of this.#refresh.values()) clearInterval(t);
    this.#refresh.clear();
    for (const run of this.#runs.values()) run.download.stop("peer closed");
    for (const id of [...this.#seeder.shared.keys()]) this.#seeder.unshare(id);
  }

  readonly #greeted = new Map<string, number>();

  // One answer per (peer, content) in a while, so that two greetings do not bounce forever,
  // yet a peer that restarted and greets again is answered.
  #answered(peer: string, id: string): boolean {
    const key = `${peer}\n${id}`;
    const at = this.#greeted.get(key);
    if (at !== undefined && Date.now() - at < GREETING_ANSWERED_MS) return true;
    this.#greeted.delete(key);
    this.#greeted.set(key, Date.now());
    if (this.#greeted.size > 4_096) this.#greeted.delete(this.#greeted.keys().next().value!);
    return false;
  }

  /**
   * Shares content from any source (a file read piece by piece, say): it becomes servable and
   * is announced at its home, like {@linkcode PeerSwarm.share}.
   *
   * @param source The content's id, the pieces held, and a reader of each with its path.
   */
  async serve(source: ContentSource): Promise<void> {
    const before = this.#seeder.shared.get(source.id.text);
    if (before && before !== source) await before.close?.().catch(() => {});
    this.#seeder.share(source);
    await this.#provide(source.id.text, source.has);
  }

  async #open(text: string, options: FetchOptions): Promise<FetchRun> {
    const parsed = parseContentId(text);
    if (!parsed.ok) throw new ProtocolError(parsed.code, parsed.message);
    if (this.#runs.has(parsed.id.text)) {
      throw new TypeError(`${parsed.id.text} is being fetched already`);
    }
    const served = this.#seeder.shared.get(parsed.id.text);
    let store = options.store;
    if (served?.has.complete) {
      // Held whole already (shared, or fetched before): copied from there, nothing asked.
      const copy = await (store ?? memoryStore())(parsed.id);
      const held = new Set(await copy.held());
      const { first, last } = rangeOf(parsed.id, options.range);
      for (let i = first; i <= last && i < parsed.id.pieces; i++) {
        if (held.has(i)) continue;
        const { piece, proof } = await served.read(i);
        await copy.put(i, piece, proof);
      }
      store = () => Promise.resolve(copy);
    }
    const run = await FetchRun.open(
      {
        sendSwarm: (to, bytes) => this.#host.sendSwarm(to, bytes),
        request: (m) => this.#host.request(m),
        serve: (source) => served?.has.complete ? Promise.resolve() : this.serve(source),
      },
      parsed.id,
      { ...options, store },
    );
    this.#runs.set(parsed.id.text, run);
    return run;
  }

  async #run(run: FetchRun): Promise<void> {
    try {
      await run.run();
    } finally {
      this.#runs.delete(run.id.text);
    }
  }

  async #provide(id: string, has: Bitfield): Promise<void> {
    const answer = await this.#host.request({
      t: "provide",
      root: id,
      ...(has.complete ? {} : { have: has.encode() }),
    });
    if (!this.#refresh.has(id)) {
      const every = Math.max(1_000, (answer.expires - Date.now()) / 2);
      this.#refresh.set(
        id,
        setInterval(() => {
          if (!this.#host.connected || !this.#seeder.shared.has(id)) return;
          const source = this.#seeder.shared.get(id)!;
          this.#host.request({
            t: "provide",
            root: id,
            ...(source.has.complete ? {} : { have: source.has.encode() }),
          }).catch(() => {});
        }, every),
      );
    }
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  // A reader, not `for await`: not every runtime's streams are async iterable.
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    chunks.push(r.value);
    size += r.value.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
