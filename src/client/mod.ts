/**
 * The client: `Peer`, composed of a reconnecting connection, request/reply matching, the
 * exactly-once layer, direct upgrades, the network services and the ledger.
 *
 * @example Usage
 * ```ts
 * import { Peer } from "./mod.ts";
 * import { Identity } from "../identity/mod.ts";
 * const peer = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
 * console.assert(peer.state === "idle"); // `await peer.connect()` with a network up
 * ```
 *
 * @module
 */
export * from "./backoff.ts";
export {
  type CloseDetail,
  type ConnectionOptions,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FIRST_CONNECT_TIMEOUT_MS,
  type PeerState,
  type ReconnectingDetail,
  type SendResult,
} from "./connection.ts";
export * from "./direct/mod.ts";
export { DEFAULT_RESEND_MS, type Delivery, MAX_RESEND_MS } from "./exactly_once.ts";
export * from "./peer_ledger.ts";
export * from "./listened_target.ts";
export * from "./peer_services.ts";
export * from "./message_stream.ts";
export * from "./network_url.ts";
export * from "./peer.ts";
// The swarm is its own room; these are what `peer.swarm` shows its users.
export {
  DEFAULT_FIND_PROVIDERS_MS,
  type FetchOptions,
  type FetchReport,
  PeerSwarm,
  type Shareable,
  type SwarmHost,
} from "../swarm/mod.ts";
export type { SealCode, SealPolicy } from "../seal/sealer.ts";
export { TOPIC_KEYS_MAX, TopicGuard, type TopicSealCode } from "./topic_guard.ts";
export type { PublishWire, TopicGuardOptions } from "./topic_guard.ts";
export { DEFAULT_REQUEST_TIMEOUT_MS, type RequestMessage } from "./requests.ts";
