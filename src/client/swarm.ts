/**
 * File sharing as a peer uses it: `share` makes content servable and says so at its home;
 * `fetch` finds providers, greets each with its bitfield (a provider answers with its own),
 * pulls pieces from all of them at once, checks each, and serves what it got as it goes
 * (partial seeding: it provides the content too, and tells those it talks to of each new
 * piece). Swarm messages travel as relay frames with the swarm flag (PROTOCOL section 12).
 *
 * @module
 */
import { type ControlReplies, ProtocolError } from "../protocol/mod.ts";
import type { SendResult } from "./connection_options.ts";
import {
  Bitfield,
  type ContentId,
  type ContentSource,
  decodeSwarm,
  Download,
  type DownloadProgress,
  encodeSwarm,
  parseContentId,
  PIECE_BYTES,
  pieceLength,
  PieceTree,
  Seeder,
  type SeederOptions,
  SWARM,
  wholeSource,
} from "../swarm/mod.ts";
import type { RequestMessage } from "./requests.ts";

/** While a fetch has fewer providers than this, it asks for more every few seconds. */
const MORE_PROVIDERS_BELOW = 8;

/** How often a fetch with few providers asks for more, in ms. */
const REFRESH_PROVIDERS_MS = 2_000;

/** How long `fetch` looks for providers before it gives up, by default, in ms. */
export const DEFAULT_FIND_PROVIDERS_MS = 10_000;

/** What the swarm needs of the peer. */
export interface SwarmHost {
  /** Sends a swarm message to a peer. */
  sendSwarm(to: string, bytes: Uint8Array): SendResult;
  /** Sends a control request and resolves with its answer. */
  request<T extends "provide" | "unprovide" | "providers">(
    m: RequestMessage<T>,
  ): Promise<ControlReplies[T]>;
  /** Whether the connection is open. */
  readonly connected: boolean;
}

/** Options of a fetch. */
export interface FetchOptions {
  /** Only these bytes (the pieces that cover them are fetched). */
  range?: { offset: number; length: number };
  /** How long to look for providers. @default 10000 */
  findProvidersMs?: number;
  /** Told after each piece kept. */
  onProgress?: (p: DownloadProgress) => void;
  /** Strikes before a provider is no longer asked. @default 3 */
  maxBadPieces?: number;
}

/**
 * The file sharing of one peer. Reached as `peer.swarm`.
 *
 * @example Usage
 * ```ts
 * import type { Peer } from "./peer.ts";
 * export async function roundTrip(alice: Peer, bob: Peer) {
 *   const id = await alice.swarm.share(new TextEncoder().encode("hello"));
 *   return new TextDecoder().decode(await bob.swarm.fetch(id));
 * }
 * ```
 */
export class PeerSwarm {
  readonly #host: SwarmHost;
  readonly #seeder: Seeder;
  readonly #downloads = new Map<string, Download>();
  /** Peers each content's download talks to, to tell of new pieces. */
  readonly #peersOf = new Map<string, Set<string>>();
  readonly #refresh = new Map<string, ReturnType<typeof setInterval>>();

  /**
   * Makes the swarm of one peer.
   *
   * @param host The peer.
   * @param seeder Upload rate and concurrency of what it serves.
   */
  constructor(host: SwarmHost, seeder: SeederOptions = {}) {
    this.#host = host;
    this.#seeder = new Seeder((to, bytes) => host.sendSwarm(to, bytes), seeder);
  }

  /** Piece bytes this peer has served. */
  get uploaded(): number {
    return this.#seeder.uploaded;
  }

  /**
   * Shares content, read into memory: it becomes servable and is announced at its home, again
   * every half `PROVIDER_TTL_MS` until `unshare`.
   *
   * @param content The content: bytes, a `Blob` (a browser's `File`), or a stream of bytes.
   * @returns Its content id.
   */
  async share(content: Uint8Array | Blob | ReadableStream<Uint8Array>): Promise<string> {
    const bytes = await bytesOf(content);
    const tree = PieceTree.of(bytes);
    const source = wholeSource(
      tree,
      (i) => bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES),
    );
    await this.serve(source);
    return tree.id.text;
  }

  /**
   * Stops sharing a content.
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
   * @param options A byte range, how long to look for providers, progress.
   * @returns The content (or the range's bytes).
   * @throws {ProtocolError} `CONTENT_ID_MALFORMED`; `UNREACHABLE` naming the content if no
   *   provider answers in time.
   */
  async fetch(id: string, options: FetchOptions = {}): Promise<Uint8Array> {
    const parsed = parseContentId(id);
    if (!parsed.ok) throw new ProtocolError(parsed.code, parsed.message);
    const cid = parsed.id;
    const { first, last, offset, length } = rangeOf(cid, options.range);
    const out = new Uint8Array(cid.size);
    const have = new Bitfield(cid.pieces);
    const proofs = new Map<number, Uint8Array[]>();
    const peers = new Set<string>();
    this.#peersOf.set(cid.text, peers);
    const download = new Download({
      id: cid,
      send: (to, bytes) => this.#host.sendSwarm(to, bytes),
      wanted: cid.pieces === 0 ? undefined : { first, last },
      maxBadPieces: options.maxBadPieces,
      sink: (i, piece, proof) => {
        out.set(piece, i * PIECE_BYTES);
        proofs.set(i, proof);
        have.set(i);
        // Served on at once, and those it talks to hear of it.
        for (const p of peers) {
          this.#host.sendSwarm(p, encodeSwarm({ type: SWARM.HAVE, id: cid, index: i }));
        }
      },
    });
    download.onProgress = options.onProgress ?? (() => {});
    this.#downloads.set(cid.text, download);
    let refresh: ReturnType<typeof setInterval> | undefined;
    const partial: ContentSource = {
      id: cid,
      has: have,
      read: (i) => {
        const start = i * PIECE_BYTES;
        const piece = out.slice(start, start + pieceLength(cid.size, i));
        return Promise.resolve({ piece, proof: proofs.get(i)! });
      },
    };
    try {
      if (!this.#seeder.shared.has(cid.text)) {
        this.#seeder.share(partial);
        await this.#provide(cid.text, have).catch(() => {});
      }
      await this.#findProviders(cid, download, peers, have, options.findProvidersMs);
      // A sample may miss providers (it is random and bounded): asked again while few serve.
      refresh = setInterval(() => {
        if (download.progress.sources >= MORE_PROVIDERS_BELOW) return;
        this.#findProviders(cid, download, peers, have, 0, true).catch(() => {});
      }, REFRESH_PROVIDERS_MS);
      await download.finished;
      return out.slice(offset, offset + length);
    } finally {
      clearInterval(refresh);
      this.#downloads.delete(cid.text);
      this.#peersOf.delete(cid.text);
      download.stop("done");
    }
  }

  /**
   * Takes a swarm frame's payload from a peer.
   *
   * @param from The sender.
   * @param bytes The payload.
   */
  receive(from: string, bytes: Uint8Array): void {
    const m = decodeSwarm(bytes);
    if (!m) return;
    switch (m.type) {
      case SWARM.REQUEST:
        void this.#seeder.handle(from, m);
        return;
      case SWARM.BITFIELD: {
        const has = Bitfield.fromBytes(m.bits, m.id.pieces);
        const download = this.#downloads.get(m.id.text);
        if (has && download) {
          this.#peersOf.get(m.id.text)?.add(from);
          download.addProvider(from, has);
        }
        // A greeting from a downloader: answered with what this peer serves of it.
        const source = this.#seeder.shared.get(m.id.text);
        if (source && !this.#answered(from, m.id.text)) {
          this.#host.sendSwarm(from, bitfieldMessage(source.id, source.has));
        }
        return;
      }
      default:
        void this.#downloads.get(m.id.text)?.handle(from, m);
    }
  }

  /**
   * A peer is gone (its frames refused as not connected): its requests go elsewhere.
   *
   * @param peer The peer.
   */
  gone(peer: string): void {
    for (const d of this.#downloads.values()) d.removeProvider(peer);
  }

  /** The peer closed: timers stop. */
  close(): void {
    for (const t of this.#refresh.values()) clearInterval(t);
    this.#refresh.clear();
    for (const d of this.#downloads.values()) d.stop("peer closed");
  }

  readonly #greeted = new Set<string>();

  // One answer per (peer, content), so that two greetings do not bounce forever.
  #answered(peer: string, id: string): boolean {
    const key = `${peer}\n${id}`;
    if (this.#greeted.has(key)) return true;
    this.#greeted.add(key);
    if (this.#greeted.size > 4_096) this.#greeted.delete(this.#greeted.values().next().value!);
    return false;
  }

  /**
   * Shares content from any source (a file read piece by piece, say): it becomes servable and
   * is announced at its home, like {@linkcode PeerSwarm.share}.
   *
   * @param source The content's id, the pieces held, and a reader of each with its path.
   */
  async serve(source: ContentSource): Promise<void> {
    this.#seeder.share(source);
    await this.#provide(source.id.text, source.has);
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

  async #findProviders(
    cid: ContentId,
    download: Download,
    peers: Set<string>,
    have: Bitfield,
    waitMs = DEFAULT_FIND_PROVIDERS_MS,
    once = false,
  ): Promise<void> {
    const deadline = Date.now() + waitMs;
    const greeting = bitfieldMessage(cid, have);
    for (;;) {
      if (download.progress.done === download.progress.total) return;
      const answer = await this.#host.request({ t: "providers", root: cid.text, count: 32 });
      for (const p of answer.providers) {
        if (peers.has(p.peer)) continue;
        peers.add(p.peer);
        // A seeder of the whole content is asked at once; any provider is greeted, and
        // answers with its own bitfield.
        if (p.pieces === cid.pieces) download.addProvider(p.peer, new Bitfield(cid.pieces, true));
        this.#host.sendSwarm(p.peer, greeting);
      }
      if (once || download.progress.sources > 0) return;
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

function bitfieldMessage(id: ContentId, has: Bitfield): Uint8Array {
  return encodeSwarm({ type: SWARM.BITFIELD, id, bits: has.bytes() });
}

function rangeOf(
  id: ContentId,
  range?: { offset: number; length: number },
): { first: number; last: number; offset: number; length: number } {
  const offset = Math.max(0, Math.min(range?.offset ?? 0, id.size));
  const length = Math.max(0, Math.min(range?.length ?? id.size, id.size - offset));
  const first = Math.floor(offset / PIECE_BYTES);
  const last = Math.max(first, Math.ceil((offset + length) / PIECE_BYTES) - 1);
  return { first, last: Math.min(last, Math.max(0, id.pieces - 1)), offset, length };
}

async function bytesOf(
  content: Uint8Array | Blob | ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  if (content instanceof Uint8Array) return content;
  if (typeof Blob !== "undefined" && content instanceof Blob) {
    return new Uint8Array(await content.arrayBuffer());
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  // A reader, not `for await`: not every runtime's streams are async iterable.
  const reader = (content as ReadableStream<Uint8Array>).getReader();
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
