/**
 * Presence in a super-peer: when each peer homed here was last seen, joins and leaves
 * announced on the presence topic, and the sweep that closes sockets gone silent. A peer is
 * online while its socket is open; for `PRESENCE_TIMEOUT_MS` after it leaves its last-seen
 * time is kept (for lookups and a resume), then nothing of it is.
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import type { PeerInfo } from "../src/protocol/mod.ts";
import { sampleOf, shardOf } from "../src/routing/mod.ts";
import type { ServiceHost } from "./service_host.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS peer_seen (peer TEXT PRIMARY KEY, last_seen INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS peer_seen_last ON peer_seen (last_seen);
`;

/** A peer's presence as a lookup answers it. */
export interface PresenceView {
  peer: string;
  shard: number;
  online: boolean;
  /** When it left, if it did less than `PRESENCE_TIMEOUT_MS` ago; else `null`. */
  lastSeen: number | null;
}

/**
 * One shard's presence.
 *
 * @example Usage
 * ```ts ignore
 * const presence = new Presence(host);
 * presence.left(peerId);
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
   * A peer homed here: online, or when it left.
   *
   * @param peer The peer.
   * @returns Its presence.
   */
  lookup(peer: string): PresenceView {
    const online = this.#host.isOnline(peer);
    const row = online ? undefined : this.#host.ctx.storage.sql.exec<{ last_seen: number }>(
      "SELECT last_seen FROM peer_seen WHERE peer = ? AND last_seen > ?",
      peer,
      Date.now() - this.#host.config.limits.PRESENCE_TIMEOUT_MS,
    ).toArray()[0];
    return {
      peer,
      shard: shardOf(peer, this.#host.config.shards),
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
   * Sockets silent (no frame, no keepalive) for three quarters of `PRESENCE_TIMEOUT_MS`:
   * closed by this sweep, they are closed within the timeout (the sweep runs every quarter).
   *
   * @param lastFrame When each socket last sent a frame, as far as this object remembers.
   * @returns The dead sockets.
   */
  silent(lastFrame: (ws: WebSocket) => number): WebSocket[] {
    const ctx: DurableObjectState = this.#host.ctx;
    const cutoff = Date.now() - (this.#host.config.limits.PRESENCE_TIMEOUT_MS * 3) / 4;
    return ctx.getWebSockets().filter((ws) => {
      const ping = ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      return Math.max(ping, lastFrame(ws)) < cutoff;
    });
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
