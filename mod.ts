/**
 * superpeer: a peer-to-peer network whose super-peers are Cloudflare Durable Objects.
 * A client needs a WebSocket URL and a key.
 *
 * This entry is the client: {@linkcode Peer}, {@linkcode Identity}, the options, events and
 * results of a peer's methods, the codes of its refusals, and the proofs a light client checks
 * offline. Those who build on the protocol itself import its parts by subpath:
 * `superpeer/protocol` (frames, control messages, limits, codes), `superpeer/ledger` (the
 * ledger's state machine, proofs), `superpeer/merkle` (RFC 6962 trees), `superpeer/swarm`
 * (content ids, piece trees, stores, downloads), `superpeer/seal` (end-to-end sealing),
 * `superpeer/identity` (keys and peer ids as bytes), `superpeer/routing` (placement on shards)
 * and `superpeer/direct` (direct channels with signaling of one's own).
 *
 * @example Two peers talk
 * ```ts ignore
 * import { Identity, Peer } from "./mod.ts";
 * const alice = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
 * const bob = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
 * await Promise.all([alice.connect(), bob.connect()]);
 * alice.send(bob.peerId, "hello");
 * const { value } = await bob.messages().next();
 * console.log(value.from === alice.peerId, value.data);
 * ```
 *
 * @module
 */

// The peer, its options and what its methods and events hand back. Values come from their own
// files (a bundler gives a page what it imports, file by file): file sharing, the ledger and
// direct channels load their code on first use.
export { Peer } from "./src/client/peer.ts";
export { browserTransport } from "./src/client/lazy_root.ts";
export { checkNetworkUrl } from "./src/client/network_url.ts";
export type {
  BackoffOptions,
  CloseDetail,
  ConnectionOptions,
  Delivery,
  DirectOptions,
  DirectTransport,
  DirectTransportFactory,
  DirectTransportOptions,
  FetchOptions,
  FetchReport,
  LedgerApi,
  ListenedTarget,
  MailEvent,
  PeerEvents,
  PeerLedger,
  PeerMessage,
  PeerOptions,
  PeerServices,
  PeerState,
  PresenceEvent,
  ReconnectingDetail,
  RequestMessage,
  SealCode,
  SealError,
  SendResult,
  Shareable,
  SwarmApi,
  TopicEvent,
  TopicOptions,
  TopicSealCode,
} from "./src/client/mod.ts";

// Where a peer keeps its marks across restarts (a file in Deno and Node; IndexedDB in a
// browser, its default), so that a relay cannot replay to it or talk it out of sealing.
export { fileMarks, indexedDbMarks } from "./src/client/marks_store.ts";
export type { MarksSnapshot, MarksStore } from "./src/client/marks_store.ts";

// Who a peer is.
export { type Ed25519Jwk, Identity, type IdentityJson, isPeerId } from "./src/identity/mod.ts";

// Proofs a light client checks offline. Their code (the Merkle walk, SHA-256, the ledger's
// codecs) loads on the first call, not with the root: a page that never checks one by hand
// never downloads it.
export type { SignedBlockHeader } from "./src/ledger/block.ts";
export type { NetworkKeys } from "./src/ledger/proof.ts";
export { verifyBlockHeader, verifyTxProof } from "./src/client/lazy_root.ts";

// Refusals and closes, by code.
export {
  CLOSE_CODES,
  type CloseCode,
  ERROR_CODES,
  type ErrorCode,
  ProtocolError,
} from "./src/protocol/errors.ts";
export type { ErrorMessage } from "./src/protocol/messages.ts";
export type { Refusal } from "./src/protocol/refusal.ts";

// The network's messages and answers as a peer receives them.
export type {
  AccountView,
  BlockHeaderJson,
  MintJson,
  MintProof,
  ProofPath,
  TransferJson,
  TransferProof,
  TxOutcome,
  TxProof,
} from "./src/protocol/ledger_wire.ts";
export type { ControlReplies, ControlRequests, ControlType } from "./src/protocol/control_map.ts";
export type { IceServer, NetworkInfo, TxStatus } from "./src/protocol/http.ts";
// What `NetworkInfo.slotMap` is: a user reading the network's facts can name it.
export type { SignedSlotMap } from "./src/routing/slot_map_signature.ts";
export type { LimitName } from "./src/protocol/limit_values.ts";
export type { Limits } from "./src/protocol/limits.ts";
export type {
  MailMessage,
  MailNotice,
  PeerInfo,
  PeerPresence,
  PresenceMessage,
  ProviderInfo,
  TopicMessage,
} from "./src/protocol/service_messages.ts";
export type { Welcome } from "./src/protocol/messages.ts";

// Where a fetch keeps its pieces, and what it reports. From their own files: file sharing's
// code loads on first use (`peer.swarm`), not with the root, and so does the file store's.
export type { Bitfield } from "./src/swarm/bitfield.ts";
export type { ContentId } from "./src/swarm/content_id.ts";
export type { ContentSource, SeederOptions } from "./src/swarm/seeder.ts";
export type { DownloadProgress } from "./src/swarm/download.ts";
export { fileStore } from "./src/client/lazy_root.ts";
export { type IndexedDbFactory, indexedDbStore } from "./src/swarm/indexeddb_store.ts";
export {
  memoryStore,
  type PieceStore,
  type PieceStoreFactory,
  type StoredPiece,
} from "./src/swarm/piece_store.ts";
