/**
 * Proofs a light client checks offline: a transfer, the signed header of the block that
 * holds it, and the Merkle path from the transfer's leaf to the header's `txRoot`. All it
 * needs besides is the network's id, shard count and shard public keys (`GET /v1/network`).
 *
 * @module
 */
import { base64urlnopad, hex } from "../encoding/mod.ts";
import { verifySignature } from "../identity/identity.ts";
import { shardOf } from "../routing/shard.ts";
import { entryLeaf, headerBytes, type SignedBlockHeader } from "./block.ts";
import { inclusionProof, leafHash, verifyInclusion } from "../merkle/mod.ts";
import type { LedgerStorage } from "./storage.ts";
import { transferFromJson, verifyTransfer } from "./transfer.ts";
import type { TxProof } from "../protocol/ledger_wire.ts";
import { type Refusal, refusal } from "../protocol/refusal.ts";

const invalid = (why: string): Refusal => refusal("PROOF_INVALID", `Proof does not check: ${why}`);

/** What a light client knows of a network. */
export interface NetworkKeys {
  /** The network id. */
  network: string;
  /** Public key id of each shard's signing key, by shard index. */
  shardKeys: readonly string[];
  /**
   * The shard count the network started with (`GET /v1/network`'s `firstShards`): a block
   * sealed before a growth is at its account's home under one of the counts from this one to
   * `shardKeys.length`. Without it, any smaller power of two is accepted.
   */
  firstShards?: number;
}

// A key's home under each shard count a network of `shards` may have grown through. A network
// that places keys by slots (a power of two, at its start and after each growth) doubles: the
// home under each power of two from the first count up to the one at or above `shards` (mid
// growth, `shards` lies between two). One that places by modulo never grows: its one home.
function homesAlong(key: string, shards: number, first?: number): Set<number> {
  const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;
  if (!pow2(shards) && !(first !== undefined && pow2(first))) {
    return new Set([shardOf(key, shards)]);
  }
  let top = 1;
  while (top < shards) top *= 2;
  const homes = new Set<number>();
  for (let n = top; n >= Math.max(1, first ?? 1); n /= 2) homes.add(shardOf(key, n));
  return homes;
}

/**
 * Checks a transfer's (or a faucet payment's) proof with nothing but the network's public
 * facts.
 *
 * @param p The proof.
 * @param keys The network id and shard keys.
 * @returns `{ ok: true }`, or a `PROOF_INVALID` refusal naming the first check that failed.
 *
 * @example Usage
 * ```ts
 * import type { Peer } from "../client/peer.ts";
 * import { verifyTxProof } from "./proof.ts";
 * // A proof from any peer, checked against the network's keys alone.
 * export async function check(peer: Peer, hash: string) {
 *   const status = await peer.ledger.status(hash);
 *   return status.proof && await verifyTxProof(status.proof, await peer.ledger.network());
 * }
 * ```
 */
export async function verifyTxProof(
  p: TxProof,
  keys: NetworkKeys,
): Promise<{ ok: true } | Refusal> {
  // A transfer sits at its payer's home; a faucet payment at its payee's.
  const t = p.mint ? undefined : transferFromJson(p.tx);
  const network = t?.network ?? p.mint?.network;
  if (network !== keys.network || p.header.network !== keys.network) {
    return invalid("wrong network");
  }
  // The account's home when the block was sealed: a network that grew (by doubling, slot `s`
  // from shard `s mod n` to `s mod 2n`) keeps its old blocks where they were sealed, so any of
  // the homes along the way.
  const shard = p.header.shard;
  const account = t ? t.from : p.mint!.to;
  if (!homesAlong(account, keys.shardKeys.length, keys.firstShards).has(shard)) {
    return invalid(`block is not from the ${t ? "payer" : "payee"}'s home shard`);
  }
  let sig: Uint8Array;
  try {
    sig = base64urlnopad.decode(p.header.sig);
  } catch {
    return invalid("malformed block signature");
  }
  if (!await verifySignature(keys.shardKeys[shard], sig, headerBytes(p.header))) {
    return invalid("block signature does not verify against the shard key");
  }
  if (t && !await verifyTransfer(t)) return invalid("transfer signature does not verify");
  const leaf = leafHash(
    entryLeaf(p.mint ? { kind: "mint", mint: p.mint } : { kind: "transfer", tx: p.tx }),
  );
  const path = p.proof.map((h) => hex.decode(h));
  if (!verifyInclusion(leaf, p.index, p.header.entries, path, hex.decode(p.header.txRoot))) {
    return invalid(`${t ? "transfer" : "faucet payment"} is not in the block`);
  }
  return { ok: true };
}

/**
 * Checks a block header's signature against its shard's key.
 *
 * @param header The signed header.
 * @param keys The network id and shard keys.
 * @returns Whether the shard signed it, for this network.
 *
 * @example Usage
 * ```ts
 * import type { Peer } from "../client/peer.ts";
 * import type { SignedBlockHeader } from "./block.ts";
 * import { verifyBlockHeader } from "./proof.ts";
 * export async function watch(peer: Peer) {
 *   const network = await peer.ledger.network();
 *   peer.addEventListener("block", async (e) => {
 *     console.log(await verifyBlockHeader((e as CustomEvent<SignedBlockHeader>).detail, network));
 *   });
 *   await peer.ledger.watchBlocks(0);
 * }
 * ```
 */
export async function verifyBlockHeader(
  header: SignedBlockHeader,
  keys: NetworkKeys,
): Promise<boolean> {
  if (header.network !== keys.network || !(header.shard in keys.shardKeys)) return false;
  let sig: Uint8Array;
  try {
    sig = base64urlnopad.decode(header.sig);
  } catch {
    return false;
  }
  return await verifySignature(keys.shardKeys[header.shard], sig, headerBytes(header));
}

/**
 * Builds the inclusion proof of a sealed transfer from a shard's storage.
 *
 * @param storage The shard's storage.
 * @param hash The transfer's hash.
 * @returns The proof, or `undefined` if unknown or not yet sealed.
 *
 * @example Usage
 * ```ts
 * import { buildTxProof } from "./proof.ts";
 * import { MemoryLedgerStorage } from "./storage.ts";
 * console.assert(buildTxProof(new MemoryLedgerStorage(), "00") === undefined);
 * ```
 */
export function buildTxProof(storage: LedgerStorage, hash: string): TxProof | undefined {
  const record = storage.getTx(hash);
  if (!record || record.block === null || record.index === null) return undefined;
  const block = storage.getBlock(record.block);
  if (!block) return undefined;
  const leaves = block.leaves.map((l) => hex.decode(l));
  const path = {
    index: record.index,
    header: block.header,
    proof: inclusionProof(leaves, record.index).map((h) => hex.encode(h)),
  };
  return record.mint ? { mint: record.mint, ...path } : { tx: record.tx, ...path };
}
