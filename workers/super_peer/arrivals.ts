/**
 * Peers arriving at and leaving a super-peer: the edge's hand-off of a socket (checked against
 * the map, the peer's cooldown and its hello's nonce, then welcomed), and what a socket's end
 * sets off (its budget written down, its address's gate told, its leave announced).
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import { CLOSE_CODES } from "../../src/protocol/mod.ts";
import { addressHome, slotOf } from "../../src/routing/mod.ts";
import { readHandoff } from "../handoff.ts";
import { jsonError } from "../http_error.ts";
import type { Rooms } from "./rooms.ts";

/** A peer whose current socket ended: who, and from which client address. */
export type Gone = { peer: string; address: string } | undefined;

/**
 * Arrivals and departures of one super-peer.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { Rooms } from "./rooms.ts";
 * import { Arrivals } from "./arrivals.ts";
 * export function door(rooms: Rooms, ctx: DurableObjectState, request: Request) {
 *   return new Arrivals(rooms, ctx).accept(request); // 101 with the socket, or a refusal
 * }
 * ```
 */
export class Arrivals {
  readonly #r: Rooms;
  readonly #ctx: DurableObjectState;

  /**
   * @param rooms The super-peer's rooms.
   * @param ctx The object's state.
   */
  constructor(rooms: Rooms, ctx: DurableObjectState) {
    this.#r = rooms;
    this.#ctx = ctx;
  }

  /**
   * Accepts a peer's WebSocket, already authenticated by the edge.
   *
   * @param request The edge's hand-off.
   * @returns The upgrade, or a refusal (`MOVED` when the peer's slot lives elsewhere now).
   */
  accept(request: Request): Response | Promise<Response> {
    const who = readHandoff(request);
    if (!who) return jsonError(404, "NOT_FOUND", "A super-peer only accepts the edge's hand-off");
    // Handed over by an edge that routes by an older map: the peer's slot lives elsewhere now.
    if (this.#r.config.placement.home(who.peer) !== this.#r.shard) return this.#r.map.moved();
    const tooSoon = this.#r.admission.tooSoon(who.peer);
    if (tooSoon) return jsonError(429, tooSoon.code, tooSoon.message, tooSoon.retryAfter);
    // A peer past its TURN quota gets no credential until its window ends (`TURN_QUOTA_BYTES`).
    const turn = who.turn && this.#r.admission.turnAllowed(who.peer) ? who.turn : undefined;
    const accepted = this.#r.sessions.accept(who, turn);
    if (!(accepted instanceof Response)) return jsonError(401, accepted.code, accepted.message);
    this.#r.services.connected(who.peer);
    this.#ctx.waitUntil(this.#r.services.scheduleSweep());
    return accepted;
  }

  /**
   * A socket heard nothing in time: closed, and its peer's leave handled.
   *
   * @param ws The socket.
   * @returns Its peer, if it was that peer's current socket.
   */
  silent = (ws: WebSocket): string | undefined => {
    const gone = this.#r.sessions.close(ws, CLOSE_CODES.PRESENCE_TIMEOUT, "No keepalive in time");
    this.#left(gone);
    return gone?.peer;
  };

  /**
   * A peer's current socket closed: its budget is written down, its address's gate told, its
   * leave announced.
   *
   * @param gone The peer, if the socket was its current one.
   */
  async gone(gone: Gone): Promise<void> {
    this.#left(gone);
    if (gone) await this.#r.services.disconnected(gone.peer);
  }

  /**
   * Sends away the peers homed in slots this shard gave away, losing nothing they asked: their
   * frames are no longer read; the slots are released, so that work waiting on them goes on
   * to their new home; the requests already read are answered (within `MOVE_DRAIN_MS`); the
   * rooms hand off what cannot wait behind the fence; then each socket is closed `HOME_MOVED`,
   * and the peer reconnects through the edge, which routes it by the new map, and sends again
   * what was not answered.
   *
   * @param slots The slots.
   * @param to Their new home.
   * @returns Once each has left (its leave written down, its address's gate told).
   */
  async sendAway(slots: readonly number[], to: number): Promise<void> {
    const moved = new Set(slots);
    const leaving = [...this.#r.sessions.peers()].filter((p) => moved.has(slotOf(p)));
    for (const peer of leaving) this.#r.sessions.stopReading(peer);
    this.#r.moves.releaseFence(slots, to);
    await this.#r.control.answered(leaving, this.#r.config.limits.MOVE_DRAIN_MS);
    await this.#r.moves.handOff(slots, to);
    await Promise.all(leaving.map((peer) => {
      const gone = this.#r.sessions.closePeer(peer, CLOSE_CODES.HOME_MOVED, "Home moved");
      return this.gone(gone);
    }));
  }

  #left(gone: Gone): void {
    if (!gone) return;
    this.#r.admission.left(gone.peer);
    this.#r.routes.left(gone.peer);
    const { address, peer } = gone;
    const home = addressHome(address, this.#r.config.placement);
    this.#ctx.waitUntil(this.#r.shards.call(home, (s) => s.addressLeft(address, peer), 3));
  }
}
