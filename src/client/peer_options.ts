/**
 * The options of a peer, and what it delivers.
 *
 * @module
 */
import type { ConnectionOptions } from "./connection.ts";
import type { DirectOptions } from "./direct/upgrades.ts";
import type { Delivery } from "./exactly_once.ts";
import type { SeederOptions } from "../swarm/seeder.ts";

/** Default number of received messages buffered for {@linkcode Peer.messages}. */
export const DEFAULT_RECEIVE_BUFFER = 4_096;

/** A message delivered to this peer. */
export type PeerMessage = Delivery;

/** Options of a {@linkcode Peer}: its connection's, and these. */
export interface PeerOptions extends ConnectionOptions {
  /** Messages buffered for `messages()`. @default 4096 */
  receiveBuffer?: number;
  /**
   * Direct channels: with a transport, the peer moves a pair's traffic onto an authenticated
   * WebRTC data channel after `threshold` messages (or on `upgrade()`), and back to the relay
   * if it fails, every message delivered once and in order. @default relay only
   */
  direct?: DirectOptions;
  /**
   * Every message to a peer is stamped, acknowledged and sent again until acknowledged, so it
   * is delivered once and in order across reconnects, refusals (rate limit, peer offline for
   * a moment) and restarts of either side. Always so when a direct transport is in use; the
   * receiver needs nothing set. @default false
   */
  reliable?: boolean;
  /** File sharing: the upload rate and requests served at once. @default 4 MiB/s, 16 */
  swarm?: SeederOptions;
}
