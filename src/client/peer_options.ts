/**
 * The options of a peer, and what it delivers.
 *
 * @module
 */
import type { ConnectionOptions } from "./connection.ts";
import type { DirectOptions } from "./direct/upgrades.ts";
import type { Delivery } from "./exactly_once.ts";
import type { SeederOptions } from "../swarm/seeder.ts";
import type { SealCode } from "../seal/sealer.ts";
import type { TopicSealCode } from "./topic_guard.ts";
import type { MarksStore } from "./marks_store.ts";
import type { CloseDetail, ReconnectingDetail } from "./connection.ts";
import type { MailEvent, PresenceEvent, TopicEvent } from "./service_events.ts";
import type { BlockHeaderJson, ErrorMessage, MailNotice, Welcome } from "../protocol/mod.ts";

/** A message delivered to this peer. */
export type PeerMessage = Delivery;

/**
 * The detail of a `seal.error` event: a message not delivered or not sent, for a reason of
 * sealing (`docs/PROTOCOL.md` section 13 lists the codes).
 */
export interface SealError {
  /** The other peer (as the relay names it). */
  peer: string;
  /** Why, by code: `SEAL_BAD_TAG`, `SEAL_REPLAYED`, `SEAL_WRONG_SENDER`, … */
  code: SealCode | TopicSealCode | "SEAL_REQUIRED";
  /** What happened. */
  message: string;
}

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
  /**
   * Sealing of what travels through the relay to a peer (`docs/PROTOCOL.md` section 13):
   * messages, signals and mail are encrypted and authenticated end to end, so a super-peer
   * can neither read them nor pass one peer off as another. `"required"`: nothing goes or is
   * taken in clear; a peer that cannot seal gets nothing (reported as `seal.error`).
   * `"preferred"`: sealed when the other side can, in clear when it says it cannot (and
   * messages in clear are delivered). `false`: nothing sealed; a sealed payload is answered
   * "I do not seal". @default "required"
   */
  seal?: "required" | "preferred" | false;
  /** File sharing: the upload rate and requests served at once. @default 4 MiB/s, 16 */
  swarm?: SeederOptions;
  /**
   * Where the peer keeps its marks across restarts: the peers that sealed with it (a relay
   * cannot talk it out of sealing with them), the sealed mail it took and the last publish
   * number per topic publisher (a relay cannot play them again). Loaded before the first
   * connect, saved `MARKS_SAVE_DELAY_MS` after a change and on close. `fileMarks(path)` in
   * Deno and Node (one file per identity); `false`: in memory only. @default IndexedDB in a
   * browser, else in memory only
   */
  marks?: MarksStore | false;
  /**
   * The witnesses a shard's checkpoint needs before `peer.ledger.checkpoint()` and
   * `proveBalance()` believe it (`docs/LEDGER.md`, "Witnesses and evidence"). With it, the peer
   * also listens on `$evidence` and distrusts a shard whose key signed two histories.
   */
  trust?: {
    /** The witnesses, each as its key's text form (`name+hex id+base64(0x04 || key)`). */
    witnesses: readonly string[];
    /** How many of them must have cosigned. */
    quorum: number;
  };
  /**
   * Act as a witness: watch these shards' blocks (default: all), cosign each checkpoint that
   * extends the last one cosigned, report one that does not (`witness` events say what was
   * done). Its key is the peer's, under `name` (default: the peer id); `store` keeps the last
   * checkpoint cosigned per shard (default: in memory; `WitnessStore` of `superpeer/tlog`).
   */
  witness?: {
    shards?: readonly number[];
    name?: string;
    store?: {
      get(origin: string): Promise<{ size: number; root: Uint8Array; note?: string } | undefined>;
      swap(
        origin: string,
        from: number | undefined,
        to: { size: number; root: Uint8Array; note?: string },
      ): Promise<boolean>;
    };
  };
}

/**
 * The events of a {@linkcode Peer} and their details, for `peer.on(type, handler)`, whose
 * handler gets the detail typed.
 */
export interface PeerEvents {
  /** After every (re)connect: the welcome. */
  open: Welcome;
  /** A message delivered to this peer. */
  message: PeerMessage;
  /** An error reply that no request was waiting for, with its code. */
  error: ErrorMessage;
  /** The connection was lost; the next attempt and when. */
  reconnecting: ReconnectingDetail;
  /** The peer stopped for good (once). */
  close: CloseDetail;
  /** A new signed block header of a shard watched with `peer.ledger.watchBlocks()`. */
  block: BlockHeaderJson;
  /** A watched shard's new block's checkpoint of its log (a signed note). */
  checkpoint: { shard: number; height: number; checkpoint: string };
  /** A witness's cosignature of a watched shard's checkpoint (a note's signature line). */
  cosigned: { shard: number; height: number; witness: string; cosignature: string };
  /** Evidence against a shard's key, told on `$evidence` (checked again by the ledger). */
  evidence: { shard: number; evidence: unknown; from: string };
  /** A shard's key is no longer believed: evidence against it held (`ForkEvidence`). */
  distrust: { shard: number; evidence: unknown };
  /**
   * What this peer, as a witness, did with a checkpoint: `cosigned`, `refused` (with the
   * witness's or the shard's code), or `evidence` (reported).
   */
  witness: {
    shard: number;
    height: number;
    outcome: "cosigned" | "refused" | "evidence";
    code?: string;
    kept?: boolean;
  };
  /** Direct-channel signaling sent with `sendSignal()`. */
  signal: { from: string; data: string | Uint8Array };
  /** A direct channel to a peer opened or closed. */
  direct: { peer: string; open: boolean };
  /** A message dropped for a reason of sealing. */
  "seal.error": SealError;
  /** A message on a subscribed topic. */
  topic: TopicEvent;
  /** A join or a leave, on `$presence`. */
  presence: PresenceEvent;
  /** Mail (acknowledged once a handler took it). */
  mail: MailEvent;
  /** What became of mail this peer sent with `notify`. */
  "mail.notice": MailNotice;
}
