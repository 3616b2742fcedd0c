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
// The defaults and bounds a user sets or reads (the direct channels' come with `direct/`).
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_FIND_PROVIDERS_MS,
  DEFAULT_FIRST_CONNECT_TIMEOUT_MS,
  DEFAULT_RECEIVE_BUFFER,
  DEFAULT_RECONNECT_FACTOR,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_RECONNECT_MIN_DELAY_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RESEND_MS,
  MAX_RESEND_MS,
  TOPIC_KEYS_MAX,
} from "./constants.ts";
export {
  type CloseDetail,
  type ConnectionOptions,
  type PeerState,
  type ReconnectingDetail,
  type SendResult,
} from "./connection.ts";
export * from "./direct/mod.ts";
export type { Delivery } from "./exactly_once.ts";
export type { PeerLedger, PeerLedgerOptions } from "./peer_ledger.ts";
export { fileMarks, indexedDbMarks, type MarksSnapshot, type MarksStore } from "./marks_store.ts";
export * from "./listened_target.ts";
export * from "./peer_services.ts";
export * from "./message_stream.ts";
export * from "./network_url.ts";
export * from "./peer.ts";
// The swarm is its own room; these are what `peer.swarm` shows its users.
export type { FetchOptions, FetchReport, PeerSwarm, Shareable, SwarmHost } from "../swarm/mod.ts";
export type { SealCode, SealPolicy } from "../seal/sealer.ts";
export { TopicGuard, type TopicSealCode } from "./topic_guard.ts";
export type { PublishWire, TopicGuardOptions } from "./topic_guard.ts";
export type { RequestMessage } from "./requests.ts";
