/**
 * The RPC surface of a shard's super-peer, as the edge and other shards call it, with the
 * shapes that cross it. `SuperPeer` implements it; everything that calls a shard types its
 * stub by it, so no room depends on the class itself.
 *
 * @module
 */
import type {
  AccountView,
  MailNotice,
  NetworkStats,
  PeerInfo,
  PeerPresence,
  Refusal,
  StatsAnswer,
  TxOutcome,
  TxProof,
} from "../src/protocol/mod.ts";
import type { LogAnswer, Receipt, SignedBlockHeader, TxRecord } from "../src/ledger/mod.ts";
import type { LogAsk } from "../src/protocol/log_wire.ts";
export type { LogAnswer, LogAsk };
import type { SignedSlotMap, SlotMapJson, SlotMapRefusal } from "../src/routing/mod.ts";

/** What a content's home is asked. */
export type ProviderOp =
  | { op: "provide"; root: string; peer: string; pieces: number }
  | { op: "unprovide"; root: string; peer: string }
  | { op: "away"; root: string; peer: string; away: boolean }
  | { op: "sample"; root: string; count: number; asker: string };

/** What a content's home answers. */
export type ProviderAnswer =
  | { ok: true; expires: number }
  | { ok: true; providers: { peer: string; pieces: number }[] }
  | Refusal;

/** A transfer found by its hash: here, or the shard that has it (at the hash's home). */
export type TxLookup =
  | { record: TxRecord; proof: TxProof | null; log?: { index: number; size: number } }
  | { at: number }
  | null;

/** A frame of a relayed batch that the destination's home refused, and why. */
export type RefusedFrame = Refusal & {
  /** The frame's index in the batch. */
  index: number;
};

/** The shard that keeps the slot map: it makes every new version (`mapPublish`). */
export const MAP_KEEPER_SHARD = 0;

/** What became of a published map's push to the shards. */
export interface Published {
  /** The signed map, kept at the keeper. */
  map: SignedSlotMap;
  /** Shards that did not take it (unreachable): they learn it by `MOVED`, or a push again. */
  unreached: number[];
}

/** What the map's keeper asks of a shard in a slot move (`super_peer/slot_moves.ts`). */
export type SlotMoveOp =
  | { op: "freeze"; slots: number[]; to: number }
  // A page of the slots' rows, from where the last page ended (`next`).
  | { op: "export"; slots: number[]; from?: ExportCursor }
  | { op: "import"; slots: number[]; rooms: Record<string, unknown[]> }
  // At the destination of a step called off: the rows it took of the slots, dropped.
  | { op: "discard"; slots: number[] }
  | { op: "release"; slots: number[]; to: number }
  | { op: "thaw"; slots: number[] }
  // At a new shard, before any slot moves to it: started, its rooms made.
  | { op: "prepare"; slots: number[] }
  // At the destination, as the source releases: what one room hands over then.
  | { op: "adopt"; slots: number[]; room: string; data: unknown };

/** Where a page of an export starts: a room (by its place in the shard's list) and a row. */
export interface ExportCursor {
  /** The room's index. */
  room: number;
  /** The room's own cursor (a row's place, or what its `leavingPage` answered). */
  after: number;
}

/**
 * A shard's answer to a slot move: done (with a page of rows for an export, and where the next
 * page starts unless it was the last), or why not.
 */
export type SlotMoveAnswer =
  | { ok: true; rooms?: Record<string, unknown[]>; next?: ExportCursor; adopted?: unknown }
  | Refusal;

/** What a growth did (`super_peer/growth.ts`). */
export interface GrowthReport {
  ok: true;
  /** Shards in use now. */
  shards: number;
  /** The map's version now. */
  version: number;
  /** Steps taken by this call (one resumed after a restart included). */
  steps: number;
  /** Slots moved by this call. */
  slots: number;
  /** The longest a step's slots were frozen, in ms (from its freeze to its release). */
  longestPauseMs: number;
  /** The median of the steps' pauses, in ms. */
  medianPauseMs: number;
}

/** A notice for a sender of mail: what became of one message it sent. */
export interface SenderNotice {
  /** The sender, homed where the notice is stored. */
  sender: string;
  /** The notice (its `mid` is set where it is stored). */
  notice: Omit<MailNotice, "t" | "mid">;
}

/** What became of a batch of relayed frames at their destinations' home. */
export interface DeliverOutcome {
  /** Frames whose destination is not connected here (and asked for no mailbox). */
  missing: number[];
  /** Frames for an offline destination that its mailbox could not keep. */
  refused: RefusedFrame[];
}

/** What the recipient's home made of a mailbox message. */
export type PutOutcome =
  | { ok: true; mid: string; status: "delivered" | "stored" }
  | Refusal;

/** A mailbox message on its way to its recipient's home. */
export interface MailPut {
  to: string;
  from: string;
  data: string;
  bin?: boolean;
  notify?: boolean;
  /** Sealed to the recipient's identity: the network cannot read it. */
  sealed?: boolean;
  /**
   * The client address its sender connected from, counted against `MAIL_MAX_PER_ADDRESS`;
   * absent for a frame relayed from another shard, whose sender's address stays there.
   */
  address?: string;
  /** Forwarded by a shard that gave the recipient's slot away: stored where it arrives. */
  moved?: boolean;
}

/** A refusal of a hello at the peer's home, with its HTTP status. */
export interface HelloRefusal extends Refusal {
  /** The HTTP status to answer with. */
  status: 429 | 401;
}

/** A publish on its way to its topic's home. */
export interface Publish {
  topic: string;
  from: string;
  /** The publisher's number; 0 for the network's own announcements (never deduplicated). */
  n: number;
  data: string;
  bin?: boolean;
  /** Sealed with the topic's shared key; the network carries it as it is. */
  sealed?: boolean;
  /** The publisher's signature, checked by subscribers. */
  sig?: string;
}

/** What a topic's home made of a publish: taken (or a repeat), or refused. */
export type PublishOutcome = { duplicate: boolean } | Refusal;

/** The methods a shard's super-peer answers over RPC. */
export interface SuperPeerRpc {
  /** Delivers frames relayed from another shard to sockets on this one. */
  deliver(to: string[], frames: Uint8Array[]): DeliverOutcome | Promise<DeliverOutcome>;
  /** Counters since the object last started, and the peers connected now. */
  stats(): Omit<StatsAnswer, "shard">;
  /** At the home of `$stats`: every shard's figures, gathered at most once per interval. */
  networkStats(): Promise<NetworkStats>;
  /** At the home of `$stats`: hellos an edge isolate refused, by code. */
  helloRefused(counts: Record<string, number>): void;
  /** Why a valid hello would be refused here: too soon after a flooding close, a used nonce. */
  helloRefusal(peer: string, nonce: string): HelloRefusal | null;
  /** At an address's home: admits a hello from it; `null`, or the refusal. */
  addressAdmit(
    address: string,
    peer: string,
    connect?: boolean,
    moved?: boolean,
  ): Promise<Refusal | null>;
  /** At an address's home: a connection from it closed. */
  addressLeft(address: string, peer: string, moved?: boolean): Promise<void>;
  /** At an address's home: admits a faucet payment asked from it. */
  addressFaucet(address: string, moved?: boolean): Promise<Refusal | null>;
  /** At an address's home: admits HTTP work of `units` asked from it; `null`, or the refusal. */
  addressHttp(address: string, units: number, moved?: boolean): Promise<Refusal | null>;
  /**
   * Applies transfers whose payer is homed here: what can apply has its signature checked by
   * the verifier first (`TX_UNVERIFIED` if it gives no verdict).
   */
  ledgerSubmit(txs: unknown[]): Promise<TxOutcome[]>;
  /** An account homed here. */
  ledgerAccount(id: string): AccountView;
  /**
   * A transfer paid from this shard (or a faucet payment into it), with its proof once
   * sealed; else, at the hash's home, the shard that has it.
   */
  ledgerTx(hash: string): TxLookup;
  /** At the hashes' home: another shard applied these transfers. */
  ledgerIndex(shard: number, hashes: string[]): void | Promise<void>;
  /** A block header of this shard. */
  ledgerBlock(height: number | "head"): SignedBlockHeader | null;
  /** Reads this shard's log: a checkpoint, a proof, a tile (`answerLog`). */
  ledgerLog(ask: LogAsk): Promise<LogAnswer>;
  /** Takes a witness's cosignature of a block's checkpoint (kept or only told), or refuses it. */
  ledgerCosign(
    witness: string,
    height: number,
    line: string,
  ): Promise<Refusal | { kept: boolean }>;
  /** Applies receipts another shard owes this one; returns the acknowledgement. */
  ledgerReceive(source: number, receipts: Receipt[]): Promise<number>;
  /** Pays the faucet amount into an account homed here. */
  ledgerFaucet(account: string): Promise<TxOutcome>;
  /** At a topic's home: a shard has subscribers now (or, with `join` false, none left). */
  topicJoin(topic: string, subscriber: number, join?: boolean, moved?: boolean): Promise<void>;
  /** At a topic's home: the shards with subscribers. */
  topicShards(topic: string): number[];
  /** At the topics' home: publishes from another shard's peers. */
  topicPublish(items: Publish[], moved?: boolean): Promise<PublishOutcome[]>;
  /** Hands topic messages to the subscribers here. */
  topicDeliver(topics: string[], texts: string[]): number[];
  /** At a content's home: records, drops or samples its providers. */
  swarmHome(o: ProviderOp, moved?: boolean): Promise<ProviderAnswer>;
  /** Up to `count` peers connected here, at random. */
  samplePeers(count: number, topic?: string): PeerInfo[];
  /** A peer homed here: online, or when it left. */
  lookupPeer(peer: string): PeerPresence;
  /** Stores a message for a peer homed here. */
  mailPut(mail: MailPut): Promise<PutOutcome>;
  /**
   * Stores notices for senders homed here, in one write; `moved`: forwarded by a shard that
   * gave their slots away, stored where they arrive.
   */
  mailNotices(notices: SenderNotice[], moved?: boolean): Promise<void>;
  /** Deletes what a peer acknowledged, forwarded by the shard its slot moved away from. */
  mailAck(peer: string, mids: string[]): Promise<void>;
  /** The newest signed slot map this shard holds (`undefined`: keys placed by modulo). */
  mapCurrent(): Promise<SignedSlotMap | undefined>;
  /** Adopts a newer signed map, pushed by the keeper; whether it was newer. */
  mapAdopt(signed: SignedSlotMap): boolean;
  /** At the keeper (shard 0): makes, signs, keeps and pushes the next version of the map. */
  mapPublish(next: SlotMapJson): Promise<Published | SlotMapRefusal>;
  /** A phase of a slot move, asked by the keeper of a slot's source or destination. */
  slotMove(o: SlotMoveOp): Promise<SlotMoveAnswer>;
  /** At the keeper (shard 0): grows the network to `to` shards, slot after slot. */
  growTo(to: number): Promise<GrowthReport | Refusal>;
}
