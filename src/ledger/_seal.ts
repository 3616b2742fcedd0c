/**
 * Sealing: a shard's pending entries become its next block, signed by the shard's key, and the
 * block a checkpoint of the shard's log (`shard_log.ts`), signed by the same key as a note.
 *
 * @module
 */
import type { Identity } from "../identity/identity.ts";
import { base64urlnopad, hex } from "../encoding/mod.ts";
import { leafHash, MERKLE_STEP, merkleRootSteps } from "../merkle/mod.ts";
import { nextTurn } from "../runtime/next_turn.ts";
import { pacedSteps, type Steps } from "../runtime/steps.ts";
import { signNote } from "../tlog/note.ts";
import {
  blockHash,
  type BlockHeader,
  headerBytes,
  type SignedBlockHeader,
  ZERO_HASH,
} from "./block.ts";
import type { LedgerOptions } from "./ledger_options.ts";
import { receiptBytes } from "./receipt.ts";
import type { ShardLog } from "./shard_log.ts";
import type { LedgerStorage, PendingEntry } from "./storage.ts";

/**
 * Seals the oldest pending entries (at most `maxBlockEntries`) into the next block; with none
 * pending, and `stateAlone`, a block of no entries that carries the state root of accounts
 * changed since the last one.
 *
 * @param s The shard's storage.
 * @param o The network and the shard.
 * @param log The shard's log.
 * @param signer The shard's key.
 * @param now The block's timestamp.
 * @param stateAlone Whether to seal a block of no entries when the state root lags the accounts.
 * @returns The new header, or `undefined` if there was nothing to seal.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { MemoryLedgerStorage } from "./storage.ts";
 * import { ShardLog } from "./shard_log.ts";
 * import { sealNext } from "./_seal.ts";
 * const s = new MemoryLedgerStorage();
 * const o = { network: "dev", shard: 0, shards: 1, maxAmount: 9, maxBlockEntries: 9 };
 * const none = await sealNext(s, o, new ShardLog(s, "superpeer/dev/0"), await Identity.generate());
 * console.assert(none === undefined);
 * ```
 */
export async function sealNext(
  s: LedgerStorage,
  o: LedgerOptions,
  log: ShardLog,
  signer: Identity,
  now: number = Date.now(),
  stateAlone = false,
): Promise<SignedBlockHeader | undefined> {
  log.catchUp();
  const entries = s.pending(o.maxBlockEntries + 1);
  const drained = entries.length <= o.maxBlockEntries;
  if (drained === false) entries.pop();
  // No entry, but no state root yet (even of no account: absence is proven against it) or
  // accounts changed with none (genesis, accounts that arrived or left with their slots): when
  // asked, a block of no entries carries the state root, so that they can be proven. Not
  // unasked: a shard's block heights move only with its entries and those asks.
  if (entries.length === 0 && !(stateAlone && log.stateBehind())) return undefined;
  const head = s.head()?.header;
  const leaves = entries.map((e) => e.leaf);
  // The plan's first step runs in this turn: the state tree is planned from the accounts as
  // these entries (and, when they are all that is pending, nothing else) left them. Its other
  // steps, and the block's own roots, each give the turn back: a full block is tens of
  // milliseconds of hashing, which would hold every other message to the shard meanwhile.
  const planned = await pacedSteps(log.planSteps(leaves, drained));
  const roots = await pacedSteps(blockRoots(entries, leaves));
  const header: BlockHeader = {
    network: o.network,
    shard: o.shard,
    height: (head?.height ?? 0) + 1,
    prev: head ? blockHash(head) : ZERO_HASH,
    txRoot: hex.encode(roots.tx),
    receiptsRoot: hex.encode(roots.receipts),
    entries: entries.length,
    receipts: roots.receiptCount,
    timestamp: now,
  };
  const plan = log.checkpointOf(planned, header.height, blockHash(header));
  const sig = base64urlnopad.encode(await signer.sign(headerBytes(header)));
  const signed: SignedBlockHeader = { ...header, sig };
  const note = await signNote(plan.text, {
    name: log.origin,
    publicKey: signer.publicKey,
    sign: (bytes) => signer.sign(bytes),
  });
  // Hashing and writing are apart: frames that came meanwhile go between.
  // Entries appended while planning, signing or waiting come after these: the first n are ours.
  await nextTurn();
  s.transaction(() => {
    s.putBlock({
      header: signed,
      leaves,
      checkpoint: { size: plan.size, note, state: !!plan.state },
    });
    s.dropPending(entries.length);
    s.setTxPlaces(header.height, entries.map((e) => e.hash));
    log.commitLog(plan, header.height);
  });
  if (plan.state) {
    // The state tree's writes are a turn and a transaction of their own (`commitState`).
    await nextTurn();
    try {
      s.transaction(() => log.commitState(plan, header.height));
    } catch (error) {
      log.forget();
      throw error;
    }
  }
  return signed;
}

// The block's transaction and receipt roots, in steps.
function* blockRoots(
  entries: readonly PendingEntry[],
  leaves: readonly string[],
): Steps<{ tx: Uint8Array; receipts: Uint8Array; receiptCount: number }> {
  const tx = yield* merkleRootSteps(leaves.map((l) => hex.decode(l)));
  const receipts: Uint8Array[] = [];
  for (const [i, e] of entries.entries()) {
    if (e.receipt) receipts.push(leafHash(receiptBytes(e.receipt)));
    if (i % MERKLE_STEP === MERKLE_STEP - 1) yield;
  }
  return { tx, receipts: yield* merkleRootSteps(receipts), receiptCount: receipts.length };
}
