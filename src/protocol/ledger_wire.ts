/**
 * The ledger's shapes as they travel, over a socket and over HTTP: a transfer, its outcome,
 * an account, a signed block header and a proof. The ledger (`src/ledger`) computes them; the
 * edge, the super-peer and the client all read them from here. See `docs/LEDGER.md`.
 *
 * @module
 */
import type { Refusal } from "./refusal.ts";

/** The JSON form of a transfer: the amount as a decimal string. */
export interface TransferJson {
  /** The network it was signed for. */
  network: string;
  /** The payer's account (a peer id). */
  from: string;
  /** The payee's account. */
  to: string;
  /** The amount, a decimal string. */
  amount: string;
  /** The payer's nonce: one more than its last. */
  nonce: number;
  /** The payer's Ed25519 signature of the transfer's bytes, base64url. */
  sig: string;
}

/** The outcome of one submitted transfer: applied, or refused with a code. */
export type TxOutcome =
  | {
    /** Applied. */
    ok: true;
    /** The transfer's hash: look it up with `GET /v1/tx/:hash`. */
    hash: string;
    /** `pending` until the payee's balance holds it, then `credited`. */
    status: "pending" | "credited";
    /** The payer's home shard, which applied it. */
    shard: number;
  }
  | (Refusal & {
    /** The transfer's hash, when it parsed far enough to have one. */
    hash?: string;
    /**
     * With `TX_WRONG_SHARD`: the payer's home as the refusing shard knows it (after a growth,
     * the shard its slot went to), where the same transfer may be sent.
     */
    home?: number;
  });

/** An account as the API reports it. */
export interface AccountView {
  /** The account id (a peer id). */
  id: string;
  /** The balance, a decimal string. */
  balance: string;
  /** The nonce of its last transfer (0 before the first). */
  nonce: number;
  /** Its home shard. */
  shard: number;
}

/** A signed block header as it travels (see `docs/LEDGER.md` for the fields). */
export interface BlockHeaderJson {
  /** The network id. */
  network: string;
  /** The shard that sealed it. */
  shard: number;
  /** Its height, from 1. */
  height: number;
  /** Hex hash of the previous header; zeros for height 1. */
  prev: string;
  /** Hex RFC 6962 root over the block's entries. */
  txRoot: string;
  /** Hex RFC 6962 root over the receipts the block's transfers sent. */
  receiptsRoot: string;
  /** Number of entries. */
  entries: number;
  /** Number of receipts sent. */
  receipts: number;
  /** When it was sealed, ms since the epoch. */
  timestamp: number;
  /** The shard key's Ed25519 signature of the header bytes, base64url. */
  sig: string;
}

/** New units a faucet network paid into an account: a block entry of its own. */
export interface MintJson {
  /** The network id. */
  network: string;
  /** The account paid. */
  to: string;
  /** The amount, a decimal string. */
  amount: string;
  /** When, ms since the epoch. */
  at: number;
}

/** Where an entry sits in a block: what every inclusion proof carries. */
export interface ProofPath {
  /** The entry's index among the block's entries. */
  index: number;
  /** The block's signed header. */
  header: BlockHeaderJson;
  /** The audit path, leaf to root, hex. */
  proof: string[];
}

/** The inclusion proof of a transfer, which a light client checks offline. */
export interface TransferProof extends ProofPath {
  /** The transfer. */
  tx: TransferJson;
  /** Absent: a transfer's proof. */
  mint?: undefined;
}

/** The inclusion proof of a faucet payment. */
export interface MintProof extends ProofPath {
  /** The payment. */
  mint: MintJson;
  /** Absent: a mint's proof. */
  tx?: undefined;
}

/** The inclusion proof of a transfer or of a faucet payment, found by its hash alike. */
export type TxProof = TransferProof | MintProof;
