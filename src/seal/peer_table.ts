/**
 * What a sealer keeps per remote peer, for a bounded number of peers: the least recently
 * used is forgotten first (its sessions with it), so a flood of new peer ids costs a bounded
 * amount of memory.
 *
 * @module
 */
import type { BatchEntry } from "./sealed_batch.ts";
import type { Started } from "./handshaker.ts";
import type { SealSession } from "./session.ts";

/** One remote peer's sealing state. */
export interface SealPeerState {
  /** Its sessions, newest (the one that seals) first. */
  sessions: SealSession[];
  /** The handshake under way, and when it began. */
  pending?: { hello: Promise<Started | undefined>; at: number };
  /** Messages waiting for the handshake. */
  queue: BatchEntry[];
  /** Hellos from it being answered: what is sealed to it meanwhile waits for their session. */
  answering?: number;
  /** Whether it said it does not seal. */
  unsupported: boolean;
}

/**
 * The peers' states, most recently used last.
 *
 * @example Usage
 * ```ts
 * import { PeerTable } from "./peer_table.ts";
 * const forgot: string[] = [];
 * const table = new PeerTable(2, (remote) => forgot.push(remote));
 * table.use("a"), table.use("b"), table.use("a"), table.use("c");
 * console.assert(forgot.join() === "b" && table.get("a") !== undefined);
 * ```
 */
export class PeerTable {
  readonly #max: number;
  readonly #forget: (remote: string, state: SealPeerState) => void;
  readonly #peers = new Map<string, SealPeerState>();

  /**
   * @param max The most peers kept.
   * @param forget Told of a peer forgotten to make room.
   */
  constructor(max: number, forget: (remote: string, state: SealPeerState) => void) {
    this.#max = max;
    this.#forget = forget;
  }

  /** Messages waiting for a handshake, to all the peers kept. */
  get queued(): number {
    let n = 0;
    for (const peer of this.#peers.values()) n += peer.queue.length;
    return n;
  }

  /**
   * A peer's state, without counting it as a use.
   *
   * @param remote The peer.
   * @returns Its state, if kept.
   */
  get(remote: string): SealPeerState | undefined {
    return this.#peers.get(remote);
  }

  /**
   * A peer's state, made if new (forgetting the least recently used if full), now the most
   * recently used.
   *
   * @param remote The peer.
   * @returns Its state.
   */
  use(remote: string): SealPeerState {
    let peer = this.#peers.get(remote);
    if (peer) {
      this.#peers.delete(remote);
      this.#peers.set(remote, peer);
      return peer;
    }
    if (this.#peers.size >= this.#max) {
      const [oldest, state] = this.#peers.entries().next().value!;
      this.#peers.delete(oldest);
      this.#forget(oldest, state);
    }
    peer = { sessions: [], queue: [], unsupported: false };
    this.#peers.set(remote, peer);
    return peer;
  }

  /** Every kept peer and its state. */
  [Symbol.iterator](): MapIterator<[string, SealPeerState]> {
    return this.#peers.entries();
  }
}
