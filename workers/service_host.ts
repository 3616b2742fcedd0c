/**
 * What the network services (pub/sub, presence, mailbox) need from the super-peer that
 * hosts them: its storage, its shard, its sockets, the other shards, and its alarm.
 *
 * @module
 */
import type { DurableObjectState, DurableObjectStub } from "cloudflare:workers";
import type { NetworkConfig } from "./config.ts";
import type { SuperPeer } from "./super_peer.ts";

/** The super-peer, as the services see it. */
export interface ServiceHost {
  readonly ctx: DurableObjectState;
  readonly config: NetworkConfig;
  /** This object's shard. */
  shard(): number;
  /**
   * Calls another shard's object. A failed call gets a fresh stub (one that saw an exception
   * may stay broken) and is tried again, up to `attempts` times in all, with backoff: only
   * for calls whose repeat does no harm.
   */
  call<T>(
    shard: number,
    fn: (stub: DurableObjectStub<SuperPeer>) => Promise<T>,
    attempts?: number,
  ): Promise<T>;
  /** Sends a text frame to a peer connected here; `false` if it is not. */
  sendText(peer: string, text: string): boolean;
  /** Whether a peer is connected here now. */
  isOnline(peer: string): boolean;
  /** When a peer connected here last sent anything (a frame, or a keepalive); 0 if not here. */
  lastHeard(peer: string): number;
  /** The peers connected here now. */
  online(): Iterable<string>;
  /** Makes sure the alarm fires by `at` (ms since the epoch). */
  wakeBy(at: number): Promise<void>;
}
