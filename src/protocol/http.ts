/**
 * The answers of the HTTP API (`docs/PROTOCOL.md` section 9, `docs/LEDGER.md`), shared by the
 * edge that builds them and the client that reads them. Every refusal is a
 * {@linkcode Refusal} body with an HTTP status.
 *
 * @module
 */
import type {
  AccountView,
  BlockHeaderJson,
  MintJson,
  TransferJson,
  TxOutcome,
  TxProof,
} from "./ledger_wire.ts";
import type { LimitSpec } from "./limits.ts";
import type { Refusal } from "./refusal.ts";
import type { SignedSlotMap } from "../routing/slot_map_signature.ts";

/** `GET /v1/health`. */
export interface HealthAnswer {
  /** Always `true`. */
  ok: true;
  /** The network id. */
  network: string;
}

/** An ICE server, as in the network's config. */
export interface IceServer {
  /** `stun:`, `stuns:`, `turn:` or `turns:` URLs. */
  urls: string | string[];
  /** A TURN user name. */
  username?: string;
  /** A TURN credential. */
  credential?: string;
}

/** `GET /v1/network`: the network's public facts, all a light client needs. */
export interface NetworkInfo {
  /** The network id. */
  network: string;
  /** Shards in use: the first shard count, and more once the network grew (`slotMap`). */
  shards: number;
  /**
   * The shard count the network started with: a block sealed before a growth is at its
   * account's home under one of the counts from this one to `shards` (`verifyTxProof`).
   */
  firstShards: number;
  /** The protocol version. */
  protocol: number;
  /** Each shard's block-signing key, as a peer id, by shard. */
  shardKeys: string[];
  /**
   * Which shard holds each of the 4,096 slots keys hash to, at a version, signed by the
   * network's map key (`key`). Absent on a network whose shard count is not a power of two:
   * it places keys by the digest modulo its count and cannot grow (`PROTOCOL.md` section 3).
   */
  slotMap?: SignedSlotMap;
  /** Whether the network runs on the development secret (anyone can sign its blocks). */
  developmentSecret: boolean;
  /** Whether `POST /v1/faucet` pays out. */
  faucet: boolean;
  /** STUN/TURN servers for direct channels (none on one machine). */
  iceServers: IceServer[];
  /**
   * Who may connect: `open` (anyone), or `closed` (listed peers, and those that bring an
   * invitation when `invitations` is true). An operator's hook may refuse more on either.
   */
  admission: { mode: "open" | "closed"; invitations: boolean };
}

/** `GET /v1/limits`. */
export interface LimitsAnswer {
  /** The protocol version. */
  protocol: number;
  /** Every limit with the value in force. */
  limits: LimitSpec[];
  /**
   * The constants of sealing (`docs/PROTOCOL.md` section 13): the client's, the same on every
   * network, served so that a client written elsewhere can read what it must match.
   */
  sealing: { name: string; value: number; unit: string; description: string }[];
}

/** `POST /v1/tx`: one outcome per transfer, in order. */
export interface TxSubmitAnswer {
  /** The outcomes. */
  results: TxOutcome[];
}

/** `GET /v1/tx/:hash`: where a transfer, or a faucet payment, stands. */
export type TxStatus =
  & {
    /** The transfer's hash (a faucet payment's: its entry's leaf hash). */
    hash: string;
    /** `pending` until the payee's balance holds it, then `credited`. */
    status: "pending" | "credited";
    /** The block that holds it, once sealed. */
    block: number | null;
    /** Its index among the block's entries, once sealed. */
    index: number | null;
    /** The proof, once sealed. */
    proof: TxProof | null;
    /**
     * Its place in its shard's log, once sealed in a block with a checkpoint: the entry's index
     * and the checkpoint's size (ask `GET /v1/shards/:k/inclusion/:index/:size` at any later
     * size).
     */
    log?: { index: number; size: number };
  }
  & (
    | {
      /** The transfer. */
      tx: TransferJson;
      /** Absent for a transfer. */
      mint?: undefined;
    }
    | {
      /** The faucet payment. */
      mint: MintJson;
      /** Absent for a faucet payment. */
      tx?: undefined;
    }
  );

/** `GET /v1/shards/:k/head`. */
export interface HeadAnswer {
  /** The shard. */
  shard: number;
  /** Its latest signed header, or `null` before its first block. */
  head: BlockHeaderJson | null;
}

/** `GET /v1/accounts/:id`. */
export type AccountAnswer = AccountView;

/**
 * `POST /v1/faucet`: paid (the amount, the account, and a hash to look up like any
 * transfer's) or refused.
 */
export type FaucetAnswer =
  | (Extract<TxOutcome, { ok: true }> & {
    /** What the faucet paid (`FAUCET_AMOUNT`), decimal. */
    amount: string;
    /** The account paid. */
    account: string;
  })
  | Extract<TxOutcome, { ok: false }>;

/** Counters of one super-peer since it last started (they start from 0 again after a restart). */
export interface RelayStats {
  /** Frames received from peers. */
  framesIn: number;
  /** Payload bytes of application frames received from peers (signaling not counted). */
  payloadBytesIn: number;
  /** Frames delivered to a socket on this shard (from here or another shard). */
  delivered: number;
  /** Frames handed to another shard. */
  forwarded: number;
  /** Frames refused with an error reply. */
  refused: number;
  /** Refusals sent, by code. */
  refusals: Record<string, number>;
  /** Direct-channel offers relayed (signal frames carrying an SDP offer). */
  directOffers: number;
  /** Answers to offers relayed: pairs that agreed to go direct. */
  directAnswers: number;
  /** TURN bytes that peers homed here reported (`routes`). */
  turnBytes: number;
  /** Transfers (and faucet payments) applied here. */
  transfersApplied: number;
  /** Blocks sealed here. */
  blocksSealed: number;
  /** Times these figures were asked for (the cost of watching the network, to this shard). */
  statsCalls: number;
}

/** `GET /v1/shards/:k/stats`. */
export interface StatsAnswer extends RelayStats {
  /** The shard. */
  shard: number;
  /** Peers connected now. */
  peers: number;
  /** Whether this shard is listed as having peers online (discovery asks only those). */
  occupied: boolean;
  /**
   * The pairs of the peers connected here, by route, as each last reported them (`routes`):
   * on a direct channel, through a TURN server, or on the relay.
   */
  routes: { direct: number; turn: number; relay: number };
  /** Peers connected here that used TURN in their quota window (`TURN_QUOTA_WINDOW_MS`). */
  turnPeers: number;
  /** The most TURN bytes one of them used in its window. */
  turnPeerMaxBytes: number;
  /** The latest block sealed here, or `null` before the first. */
  head: { height: number; entries: number; timestamp: number } | null;
  /** Receipts owed to other shards and not yet acknowledged. */
  receiptsPending: number;
  /** Mail waiting for peers homed here. */
  mailWaiting: number;
  /** Subscriptions of peers homed here. */
  subscriptions: number;
  /** Topic messages kept here until every subscriber acknowledged them. */
  topicBacklog: number;
}

/** Every HTTP refusal's body. */
export type HttpRefusal = Refusal;
