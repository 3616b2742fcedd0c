/**
 * `peer.swarm` before file sharing's code is loaded: its methods load the swarm's module on
 * first use. A swarm message another peer sends loads it too (it may be a request for content
 * this peer shares, or an answer to a fetch); messages that come meanwhile wait, in order.
 *
 * @module
 */
import type { PeerSwarm, Shareable } from "../swarm/peer_swarm.ts";
import type { FetchOptions, FetchReport } from "../swarm/fetch_run.ts";
import type { ContentSource, SeederOptions } from "../swarm/seeder.ts";
import type { SwarmHost } from "../swarm/swarm_host.ts";
import { once } from "./lazy.ts";

/** What a peer's users call on its swarm (`peer.swarm`): the same whether it is loaded yet or not. */
export interface SwarmApi {
  /** Piece bytes this peer has served. */
  readonly uploaded: number;
  /** Distinct peers this peer served a piece to (counted up to 4,096). */
  readonly peersServed: number;
  /** Piece bytes this peer received, by the path they came on. */
  readonly downloaded: { relay: number; direct: number };
  /**
   * Shares content: it becomes servable and is announced at its home, again every half
   * `PROVIDER_TTL_MS` until `unshare`.
   *
   * @param content Bytes, a `Blob` (a browser's `File`), a stream of bytes, or a file's path.
   * @returns Its content id.
   */
  share(content: Shareable): Promise<string>;
  /**
   * Stops sharing a content.
   *
   * @param id Its content id.
   */
  unshare(id: string): Promise<void>;
  /**
   * Fetches content from its providers, many at once, each piece checked.
   *
   * @param id The content id.
   * @param options Range, store, providers' wait, progress.
   * @returns The bytes.
   */
  fetch(id: string, options?: FetchOptions): Promise<Uint8Array>;
  /**
   * Fetches content as a stream, in order; cancelling it stops the fetch.
   *
   * @param id The content id.
   * @param options As for `fetch`.
   * @returns The bytes.
   */
  fetchStream(id: string, options?: FetchOptions): ReadableStream<Uint8Array>;
  /**
   * Fetches content into a file (Deno, Node), resumable.
   *
   * @param id The content id.
   * @param path The output file.
   * @param options As for `fetch`, but the whole content, in the file.
   * @returns What was fetched and what was taken from an earlier run.
   */
  fetchFile(
    id: string,
    path: string,
    options?: Omit<FetchOptions, "store" | "range">,
  ): Promise<FetchReport>;
  /**
   * Serves a content source (what `share` makes of bytes, a `Blob` or a file).
   *
   * @param source The source.
   */
  serve(source: ContentSource): Promise<void>;
}

/**
 * The swarm of one peer, loaded on first use.
 *
 * @example Usage
 * ```ts
 * import { LazySwarm } from "./lazy_swarm.ts";
 * const swarm = new LazySwarm({
 *   sendSwarm: () => "dropped",
 *   request: () => Promise.reject(new Error("offline")),
 *   connected: false,
 * });
 * console.assert(swarm.uploaded === 0); // nothing loaded yet, nothing served
 * swarm.close();
 * ```
 */
export class LazySwarm implements SwarmApi {
  readonly #part: () => Promise<PeerSwarm>;
  #loaded: PeerSwarm | undefined;
  #closed = false;
  /** Swarm messages that came before the module did, in order. */
  #waiting: [string, Uint8Array, "relay" | "direct"][] = [];

  /**
   * @param host The peer.
   * @param seeder Upload rate and concurrency of what it serves.
   */
  constructor(host: SwarmHost, seeder: SeederOptions = {}) {
    this.#part = once(async () => {
      const { PeerSwarm } = await import("../swarm/peer_swarm.ts");
      const swarm = new PeerSwarm(host, seeder);
      this.#loaded = swarm;
      if (this.#closed) swarm.close();
      for (const [from, bytes, via] of this.#waiting.splice(0)) swarm.receive(from, bytes, via);
      return swarm;
    });
  }

  /** Piece bytes this peer has served. */
  get uploaded(): number {
    return this.#loaded?.uploaded ?? 0;
  }

  /** Distinct peers this peer served a piece to (counted up to 4,096). */
  get peersServed(): number {
    return this.#loaded?.peersServed ?? 0;
  }

  /** Piece bytes this peer received, by the path they came on. */
  get downloaded(): { relay: number; direct: number } {
    return this.#loaded?.downloaded ?? { relay: 0, direct: 0 };
  }

  /** As {@linkcode PeerSwarm.share}. */
  async share(content: Shareable): Promise<string> {
    return (await this.#part()).share(content);
  }

  /** As {@linkcode PeerSwarm.unshare}. */
  async unshare(id: string): Promise<void> {
    return (await this.#part()).unshare(id);
  }

  /** As {@linkcode PeerSwarm.fetch}. */
  async fetch(id: string, options?: FetchOptions): Promise<Uint8Array> {
    return (await this.#part()).fetch(id, options);
  }

  /** As {@linkcode PeerSwarm.fetchStream}: the stream starts once the swarm is loaded. */
  fetchStream(id: string, options?: FetchOptions): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    // Cancelling `readable` aborts the pipe, which cancels the swarm's stream (its fetch).
    this.#part().then((swarm) => swarm.fetchStream(id, options).pipeTo(writable))
      .catch(() => {});
    return readable;
  }

  /** As {@linkcode PeerSwarm.fetchFile}. */
  async fetchFile(
    id: string,
    path: string,
    options?: Omit<FetchOptions, "store" | "range">,
  ): Promise<FetchReport> {
    return (await this.#part()).fetchFile(id, path, options);
  }

  /** As {@linkcode PeerSwarm.serve}. */
  async serve(source: ContentSource): Promise<void> {
    return (await this.#part()).serve(source);
  }

  /**
   * Takes a swarm message from a peer, loading the swarm if it is not yet.
   *
   * @param from The sender.
   * @param bytes The message.
   * @param via The path it came on.
   */
  receive(from: string, bytes: Uint8Array, via: "relay" | "direct" = "relay"): void {
    if (this.#loaded) return this.#loaded.receive(from, bytes, via);
    if (this.#closed) return;
    this.#waiting.push([from, bytes, via]);
    this.#part().catch(() => this.#waiting.length = 0);
  }

  /** A peer is gone: nothing to do until the swarm is loaded. */
  gone(peer: string): void {
    this.#loaded?.gone(peer);
  }

  /** A direct channel closed: nothing to do until the swarm is loaded. */
  pathLost(peer: string): void {
    this.#loaded?.pathLost(peer);
  }

  /** The peer closed. */
  close(): void {
    this.#closed = true;
    this.#waiting.length = 0;
    this.#loaded?.close();
  }
}
