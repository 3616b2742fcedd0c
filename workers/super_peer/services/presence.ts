/**
 * Presence in a super-peer: when each peer homed here was last seen, joins and leaves
 * announced on the presence topic, and the sweep that closes sockets gone silent. A peer is
 * online while its socket is open; for `PRESENCE_TIMEOUT_MS` after it leaves its last-seen
 * time is kept (for lookups and a resume), then nothing of it is.
 *
 * @module
 */
import type { PeerInfo } from "../../../src/protocol/mod.ts";
import { sampleOf } from "../../../src/routing/mod.ts";
import type { PeerPresence } from "../../../src/protocol/mod.ts";
import type { ServiceHost } from "./service_host.ts";
import type { SlotMover } from "../slot_moves.ts";
import { pairTableMover } from "../table_movers.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS peer_seen (peer TEXT PRIMARY KEY, last_seen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS peer_seen_last ON peer_seen (last_seen);
`;

/**
 * How long a socket may stay silent before it counts as dead: three fifths of the presence
 * timeout. The sweep runs every fifth, so a dead socket is closed within four fifths, and the
 * last fifth absorbs a late alarm.
 *
 * @example Usage
 * ```ts
 * import { silentAfter } from "./presence.ts";
 * console.assert(silentAfter(60_000) === 36_000);
 * ```
 *
 * @param timeoutMs `PRESENCE_TIMEOUT_MS`.
 * @returns The silence allowed, in ms.
 */
export function silentAfter(timeoutMs: number): number {
  return Math.floor((timeoutMs * 3) / 5);
}

/**
 * How often the sweep runs: a fifth of the presence timeout.
 *
 * @example Usage
 * ```ts
 * import { sweepInterval } from "./presence.ts";
 * console.assert(sweepInterval(60_000) === 12_000);
 * ```
 *
 * @param timeoutMs `PRESENCE_TIMEOUT_MS`.
 * @returns The interval, in ms.
 */
export function sweepInterval(timeoutMs: number): number {
  return Math.max(200, Math.floor(timeoutMs / 5));
}

/**
 * One shard's presence.
 *
 * @example Usage
 * ```ts
 * import type { ServiceHost } from "./service_host.ts";
 * import { Presence } from "./presence.ts";
 * export function left(host: ServiceHost, peerId: string) {
 *   const presence = new Presence(host);
 *   presence.left(peerId);
 *   return presence.lookup(peerId); // offline, with the time it left
 * }
 * ```
 */
export class Presence {
  readonly #host: ServiceHost;

  /** @param host The super-peer. */
  constructor(host: ServiceHost) {
    this.#host = host;
    host.ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Records that a peer connected.
   *
   * @param peer The peer.
   */
  joined(peer: string): void {
    this.#host.ctx.storage.sql.exec("DELETE FROM peer_seen WHERE peer = ?", peer);
  }

  /**
   * Records that a peer left now.
   *
   * @param peer The peer.
   */
  left(peer: string): void {
    this.#host.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO peer_seen VALUES (?, ?)",
      peer,
      Date.now(),
    );
  }

  /**
   * Presence's part in a slot move: when each peer of the slots was last seen travels with
   * them, so that its new home can say so of a peer that was offline while it moved.
   *
   * @returns The mover.
   */
  slotMover(): SlotMover {
    return pairTableMover(this.#host.ctx.storage.sql, "presence", "peer_seen", [
      "peer",
      "last_seen",
    ]);
  }

  /**
   * A peer homed here: online, or when it left.
   *
   * @param peer The peer.
   * @returns Its presence.
   */
  lookup(peer: string): PeerPresence {
    const online = this.#host.isOnline(peer);
    const row = online ? undefined : this.#host.ctx.storage.sql.exec<{ last_seen: number }>(
      "SELECT last_seen FROM peer_seen WHERE peer = ? AND last_seen > ?",
      peer,
      Date.now() - this.#host.config.limits.PRESENCE_TIMEOUT_MS,
    ).toArray()[0];
    return {
      peer,
      shard: this.#host.config.placement.home(peer),
      online,
      lastSeen: row?.last_seen ?? null,
    };
  }

  /**
   * Up to `count` peers connected here, chosen at random.
   *
   * @param candidates The peers to choose from (all online ones, or a topic's).
   * @param count How many.
   * @returns The sample.
   */
  sample(candidates: string[], count: number): PeerInfo[] {
    const shard = this.#host.shard();
    return sampleOf(candidates, count).map((peer) => ({ peer, shard }));
  }

  /**
   * Sockets silent (no frame, no keepalive) for {@linkcode silentAfter} of the timeout.
   *
   * @param lastHeard When a socket last sent anything.
   * @returns The dead sockets.
   */
  silent(lastHeard: (ws: WebSocket) => number): WebSocket[] {
    const cutoff = Date.now() - silentAfter(this.#host.config.limits.PRESENCE_TIMEOUT_MS);
    return this.#host.ctx.getWebSockets().filter((ws) => lastHeard(ws) < cutoff);
  }

  /**
   * Peers that left more than `PRESENCE_TIMEOUT_MS` ago; their rows are deleted.
   *
   * @returns Their ids.
   */
  expired(): string[] {
    const cutoff = Date.now() - this.#host.config.limits.PRESENCE_TIMEOUT_MS;
    return this.#host.ctx.storage.sql.exec<{ peer: string }>(
      "DELETE FROM peer_seen WHERE last_seen <= ? RETURNING peer",
      cutoff,
    ).toArray().map((r) => r.peer);
  }

  /** Whether any gone peer is still within its timeout. */
  get pending(): boolean {
    return this.#host.ctx.storage.sql.exec<{ n: number }>(
      "SELECT count(*) AS n FROM peer_seen",
    ).one().n > 0;
  }
}
