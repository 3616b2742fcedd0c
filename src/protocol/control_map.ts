/**
 * Every control request a peer may send, with the reply it gets: one typed map for the
 * ledger and the network services alike. The client types each answer by the request it sent;
 * the super-peer checks each request against its schema (`control_parse.ts`) and dispatches it
 * by its `t`. Adding a request means adding it here, there (and a handler), nowhere else. See
 * `docs/PROTOCOL.md` sections 5 and 11.
 *
 * @module
 */
import type { AccountView, BlockHeaderJson, TxOutcome } from "./ledger_wire.ts";
import type { Refusal } from "./refusal.ts";
import type { PeerInfo, PeerPresence, ProviderInfo } from "./service_messages.ts";

/** Characters of a publish's signature: 64 bytes of Ed25519, base64url without padding. */
export const PUBLISH_SIGNATURE_CHARS = 86;

/** Every control request, by its `t`. */
export interface ControlRequests {
  /** Submit transfers, at most `MAX_TX_BATCH`. */
  tx: { t: "tx"; id: number; txs: unknown[] };
  /** An account's balance and nonce. */
  account: { t: "account"; id: number; account: string };
  /** Watch a shard's blocks (subscribe to `$blocks/<shard>`). */
  blocks: { t: "blocks"; id: number; shard: number };
  /**
   * Add a witness's cosignature (C2SP `cosignature/v1`, by the peer's own key) to a block's
   * checkpoint of a shard's log.
   */
  cosign: { t: "cosign"; id: number; shard: number; height: number; cosignature: string };
  /**
   * Read a shard's log: a checkpoint, a consistency or inclusion proof, or an account's balance
   * proof (`LogAsk`; hash tiles are HTTP's).
   */
  log: {
    t: "log";
    id: number;
    shard: number;
    ask:
      | { kind: "checkpoint"; height?: number }
      | { kind: "consistency"; from: number; to: number }
      | { kind: "inclusion"; index: number; size: number }
      | { kind: "balance"; account: string };
  };
  /** Report evidence that a shard's key signed two histories (`checkForkEvidence`). */
  evidence: { t: "evidence"; id: number; evidence: unknown };
  /** Subscribe to a topic. */
  sub: { t: "sub"; id: number; topic: string };
  /** End a subscription. */
  unsub: { t: "unsub"; id: number; topic: string };
  /** Publish on a topic; `n` rises with each publish of one publisher. */
  pub: {
    t: "pub";
    id: number;
    topic: string;
    n: number;
    data: string;
    bin?: boolean;
    /** Sealed with the topic's shared key (section 13). */
    sealed?: boolean;
    /** The publisher's Ed25519 signature, base64url (section 13). */
    sig?: string;
  };
  /** Every topic message up to this `seq` was taken (cumulative); no answer. */
  "topic.ack": { t: "topic.ack"; seq: number };
  /** Online peers at random. */
  peers: { t: "peers"; id: number; count: number; topic?: string };
  /** A peer's presence. */
  lookup: { t: "lookup"; id: number; peer: string };
  /** Leave a message in a peer's mailbox. */
  mail: {
    t: "mail";
    id: number;
    to: string;
    data: string;
    bin?: boolean;
    notify?: boolean;
    sealed?: boolean;
  };
  /** Delete mailbox messages and notices; no answer. */
  "mail.ack": { t: "mail.ack"; mids: string[] };
  /** Say this peer serves pieces of content (`have`: a bitfield; absent: all of them). */
  provide: { t: "provide"; id: number; root: string; have?: string };
  /** Stop serving content. */
  unprovide: { t: "unprovide"; id: number; root: string };
  /** Peers that serve content, at random. */
  providers: { t: "providers"; id: number; root: string; count?: number };
  /**
   * The routes of this peer's pairs now (each at most `ROUTES_MAX_PAIRS`), and the TURN bytes
   * its channels moved since its last report.
   */
  routes: {
    t: "routes";
    id: number;
    direct: number;
    turn: number;
    relay: number;
    turnBytes: number;
  };
}

/** The answer to each control request, by the request's `t` (`never`: none is sent). */
export interface ControlReplies {
  /** One outcome per transfer, in order. */
  tx: { t: "tx.result"; id: number; results: TxOutcome[] };
  /** The account. */
  account: { t: "account.result"; id: number; account: AccountView };
  /** The shard's head at the time of the watch. */
  blocks: { t: "blocks.result"; id: number; shard: number; head: BlockHeaderJson | null };
  /**
   * What the log answered: the answer of the HTTP route of the same read (`CheckpointAnswer`,
   * `ConsistencyAnswer`, `InclusionAnswer`, `BalanceAnswer` of `superpeer/protocol`). A refusal
   * is an error reply, as for every request.
   */
  log: { t: "log.result"; id: number; answer: { shard: number } & Record<string, unknown> };
  /** Told to the shard's block watchers, and kept with the checkpoint unless it is full. */
  cosign: { t: "cosign.result"; id: number; shard: number; height: number; kept: boolean };
  /** The evidence holds; told on `$evidence` unless it was told before (`fresh` false). */
  evidence: {
    t: "evidence.result";
    id: number;
    shard: number;
    sizes: [number, number];
    fresh: boolean;
  };
  /** Subscribed, once the topic's home knows this shard has a subscriber. */
  sub: { t: "sub.result"; id: number; topic: string };
  /** Unsubscribed. */
  unsub: { t: "unsub.result"; id: number; topic: string };
  /** The topic's home took it (or had it already: `duplicate`). */
  pub: { t: "pub.result"; id: number; topic: string; n: number; duplicate: boolean };
  /** No answer. */
  "topic.ack": never;
  /** The sample. */
  peers: { t: "peers.result"; id: number; peers: PeerInfo[] };
  /** The presence. */
  lookup: { t: "lookup.result"; id: number } & PeerPresence;
  /** Stored (or handed over at once: `delivered`). */
  mail: { t: "mail.result"; id: number; mid: string; status: "delivered" | "stored" };
  /** No answer. */
  "mail.ack": never;
  /** Recorded at the content's home, until `expires`. */
  provide: { t: "provide.result"; id: number; root: string; expires: number };
  /** Removed. */
  unprovide: { t: "unprovide.result"; id: number; root: string };
  /** The sample: each provider, its home shard and how many pieces it has. */
  providers: { t: "providers.result"; id: number; root: string; providers: ProviderInfo[] };
  /** Counted: the TURN bytes left to this peer in its window, and when the window ends. */
  routes: { t: "routes.result"; id: number; turnLeft: number; windowEnds: number };
}

/** The `t` of a control request. */
export type ControlType = keyof ControlRequests;

/** Any control request. */
export type ControlRequest = ControlRequests[ControlType];

/** Any answer to a control request. */
export type Reply = ControlReplies[ControlType];

/** A request as a client hands it over: the `id` is added when it is sent. */
export type RequestBody<T extends ControlType> = T extends ControlType
  ? Omit<ControlRequests[T], "id">
  : never;

/** A refusal of a request, with the request's `id` when it could be read. */
export type RequestRefusal = Refusal & { id?: number };
