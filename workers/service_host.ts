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
  /** The object of another shard. */
  stub(shard: number): DurableObjectStub<SuperPeer>;
  /** Sends a text frame to a peer connected here; `false` if it is not. */
  sendText(peer: string, text: string): boolean;
  /** Whether a peer is connected here now. */
  isOnline(peer: string): boolean;
  /** The peers connected here now. */
  online(): Iterable<string>;
  /** Makes sure the alarm fires by `at` (ms since the epoch). */
  wakeBy(at: number): Promise<void>;
}
