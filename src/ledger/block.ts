/**
 * Blocks: a shard seals its pending entries into a block whose header commits to them by
 * Merkle roots and is signed by the shard's key.
 *
 * Entries are the shard's state changes in order: a transfer paid from an account here
 * (leaf bytes `0x00 || transfer bytes || signature`) or a credit from another shard's
 * receipt (leaf bytes `0x01 || receipt bytes`), or, on a faucet network, a mint (leaf bytes
 * `0x02 || tag superpeer-mint-v1, network, to, amount uint64, at uint64`). `txRoot` is the RFC 6962 root over the
 * entries' leaves; `receiptsRoot` the root over the receipts this block's transfers sent to
 * other shards (leaf bytes: the receipt bytes).
 *
 * Header bytes: the tag `superpeer-block-v1`, network (1-byte length, ASCII), shard
 * (uint16), height (uint64), previous header hash (32 bytes, zeros for height 1), txRoot,
 * receiptsRoot (32 bytes each), entries and receipts (uint32 each), timestamp (uint64 ms).
 * The block hash is the SHA-256 of these bytes, in hex.
 *
 * @module
 */
import { base64urlnopad, hex } from "../encoding/mod.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { ByteWriter } from "./_codec.ts";
import type { BlockHeaderJson } from "../protocol/ledger_wire.ts";
import type { MintJson, TransferJson } from "../protocol/ledger_wire.ts";
import { transferBytes, transferFromJson } from "./transfer.ts";
import { type Receipt, receiptBytes } from "./receipt.ts";

/** Domain tag of a block header. */
export const BLOCK_TAG = "superpeer-block-v1";
/** The previous hash of the first block. */
export const ZERO_HASH: string = "0".repeat(64);

/** A block header without its signature (the fields are documented in `docs/LEDGER.md`). */
export type BlockHeader = Omit<BlockHeaderJson, "sig">;

/** A header with the shard's signature over its bytes (base64url): the form on the wire. */
export type SignedBlockHeader = BlockHeaderJson;

/** Domain tag of a faucet mint's bytes. */
export const MINT_TAG = "superpeer-mint-v1";

/** New units a faucet network paid into an account (its wire form). */
export type Mint = MintJson;

/** One state change of a shard. */
export type Entry =
  | { kind: "transfer"; tx: TransferJson }
  | { kind: "credit"; receipt: Receipt }
  /** A receipt for an account whose slot moved away: paid on to its new home by a receipt. */
  | { kind: "forward"; receipt: Receipt }
  | { kind: "mint"; mint: Mint };

/**
 * The canonical bytes of a block header.
 *
 * @param h The header.
 * @returns The bytes.
 *
 * @example Usage
 * ```ts
 * import { headerBytes } from "./block.ts";
 * const header = {
 *   network: "dev", shard: 0, height: 1, prev: "00".repeat(32), txRoot: "00".repeat(32),
 *   receiptsRoot: "00".repeat(32), entries: 0, receipts: 0, timestamp: 0,
 * };
 * console.assert(headerBytes(header).length === 18 + 1 + 3 + 2 + 8 + 32 * 3 + 4 + 4 + 8);
 * ```
 */
export function headerBytes(h: BlockHeader): Uint8Array {
  return new ByteWriter().tag(BLOCK_TAG).shortString(h.network).u16(h.shard).u64(h.height)
    .bytes(hex.decode(h.prev)).bytes(hex.decode(h.txRoot)).bytes(hex.decode(h.receiptsRoot))
    .u32(h.entries).u32(h.receipts).u64(h.timestamp).finish();
}

/**
 * A block's hash: hex SHA-256 of its header bytes.
 *
 * @param h The header.
 * @returns 64 hex characters.
 *
 * @example Usage
 * ```ts
 * import { blockHash } from "./block.ts";
 * const header = {
 *   network: "dev", shard: 0, height: 1, prev: "00".repeat(32), txRoot: "00".repeat(32),
 *   receiptsRoot: "00".repeat(32), entries: 0, receipts: 0, timestamp: 0,
 * };
 * console.assert(/^[0-9a-f]{64}$/.test(blockHash(header)));
 * ```
 */
export function blockHash(h: BlockHeader): string {
  return hex.encode(sha256(headerBytes(h)));
}

/**
 * The leaf bytes of a transfer entry: `0x00 || transfer bytes || signature`.
 *
 * @param body The transfer's canonical bytes.
 * @param sig Its 64-byte signature.
 * @returns The leaf bytes.
 *
 * @example Usage
 * ```ts
 * import { transferLeaf } from "./block.ts";
 * console.assert(transferLeaf(new Uint8Array(2), new Uint8Array(64)).length === 67);
 * ```
 */
export function transferLeaf(body: Uint8Array, sig: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + body.length + sig.length);
  out[0] = 0x00;
  out.set(body, 1);
  out.set(sig, 1 + body.length);
  return out;
}

// The first byte of an entry's leaf, by its kind.
const LEAF_KIND = { transfer: 0x00, credit: 0x01, mint: 0x02, forward: 0x03 } as const;

/**
 * The leaf bytes of an entry in its block's `txRoot` tree.
 *
 * @param e The entry.
 * @returns The leaf bytes.
 *
 * @example Usage
 * ```ts
 * import { entryLeaf } from "./block.ts";
 * const mint = { network: "dev", to: "6MkkeuEFjxZv9Z6TWHjYRXUz3HoaCDNYdhVVPntXQkfT1d1", amount: "5", at: 1 };
 * console.assert(entryLeaf({ kind: "mint", mint })[0] === 0x02); // 0x00 transfer, 0x01 credit, 0x03 forward
 * ```
 */
export function entryLeaf(e: Entry): Uint8Array {
  if (e.kind === "transfer") {
    return transferLeaf(transferBytes(transferFromJson(e.tx)), base64urlnopad.decode(e.tx.sig));
  }
  const body = e.kind === "mint"
    ? new ByteWriter().tag(MINT_TAG).shortString(e.mint.network).peer(e.mint.to)
      .u64(BigInt(e.mint.amount)).u64(e.mint.at).finish()
    : receiptBytes(e.receipt);
  const out = new Uint8Array(1 + body.length);
  out[0] = LEAF_KIND[e.kind];
  out.set(body, 1);
  return out;
}
