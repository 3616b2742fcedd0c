/**
 * What the network services (pub/sub, presence, mailbox) need from the super-peer that
 * hosts them: its storage, its shard, its sockets, the other shards, and its alarm.
 *
 * @module
 */
import type { DurableObjectState, DurableObjectStub } from "cloudflare:workers";
import type { AlarmScheduler } from "../alarm.ts";
import type { NetworkConfig } from "../../config.ts";
import type { Sessions } from "../sessions.ts";
import type { Shards } from "../../shards.ts";
import type { SuperPeerRpc } from "../../rpc.ts";
import type { SlotMoves } from "../slot_moves.ts";
import { WriteGroup } from "../write_group.ts";

/** The super-peer, as the services see it. */
export interface ServiceHost {
  /** The object's state (its SQLite storage). */
  readonly ctx: DurableObjectState;
  /** The network's config. */
  readonly config: NetworkConfig;
  /** This object's shard. */
  shard(): number;
  /**
   * Calls another shard's object, up to `attempts` times with backoff (only for calls whose
   * repeat does no harm).
   */
  call<T>(
    shard: number,
    fn: (stub: DurableObjectStub<SuperPeerRpc>) => Promise<T>,
    attempts?: number,
  ): Promise<T>;
  /** Sends a text frame to a peer connected here; `false` if it is not. */
  sendText(peer: string, text: string): boolean;
  /** Whether a peer is connected here now. */
  isOnline(peer: string): boolean;
  /** The client address a peer connected here came from; `undefined` if it is not here. */
  addressOf(peer: string): string | undefined;
  /** When a peer connected here last sent anything (a frame, or a keepalive); 0 if not here. */
  lastHeard(peer: string): number;
  /** The peers connected now. */
  online(): Iterable<string>;
  /** How many peers are connected now. */
  onlineCount(): number;
  /** Makes sure the alarm fires by `at` (ms since the epoch). */
  wakeBy(at: number): Promise<void>;
  /**
   * The shard that holds a key's state (this one, or where its slot went), after any move of
   * its slot under way (`SlotMoves.holder`).
   */
  holder(key: string): number | Promise<number>;
  /** Keyed work that writes here, counted so that a slot's freeze waits for it. */
  track<T>(work: Promise<T>): Promise<T>;
  /**
   * The object's writes that a flood could send one per event (subscriptions, mail, provider
   * records), gathered and committed together every `WRITE_GROUP_MS`: one group for the
   * whole object, so that its rooms commit at once.
   */
  readonly writes: WriteGroup;
}

/**
 * The services' view of a super-peer, from its rooms.
 *
 * @param o The object's state, config, shard, shards, sessions and alarm.
 * @returns The host.
 *
 * @example Usage
 * ```ts
 * import { serviceHost } from "./service_host.ts";
 * import { Services } from "./dispatch.ts";
 * export function services(o: Parameters<typeof serviceHost>[0]) {
 *   return new Services(serviceHost(o));
 * }
 * ```
 */
export function serviceHost(o: {
  ctx: DurableObjectState;
  config: NetworkConfig;
  shard: number;
  shards: Shards;
  sessions: Sessions;
  alarm: AlarmScheduler;
  moves: () => SlotMoves;
}): ServiceHost {
  const { sessions } = o;
  return {
    ctx: o.ctx,
    config: o.config,
    shard: () => o.shard,
    call: (k, fn, attempts) => o.shards.call(k, fn, attempts),
    sendText: (peer, text) => sessions.send(peer, text),
    isOnline: (peer) => sessions.has(peer),
    addressOf: (peer) => sessions.addressOf(peer),
    lastHeard: (peer) => sessions.lastHeardOf(peer),
    online: () => sessions.peers(),
    onlineCount: () => sessions.size,
    wakeBy: (at) => o.alarm.wakeBy(at),
    holder: (key) => o.moves().holder(key, o.shard),
    track: (work) => o.moves().track(work),
    writes: new WriteGroup(o.config.limits.WRITE_GROUP_MS),
  };
}
