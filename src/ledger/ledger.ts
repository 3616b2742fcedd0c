/**
 * One shard of the ledger as a state machine over a {@linkcode LedgerStorage}: it validates
 * and applies transfers, emits and applies cross-shard receipts exactly once, seals blocks
 * and answers with proofs. No I/O of its own; the caller decides when to seal and whom to
 * push receipts to.
 *
 * @module
 */
import type { Identity } from "../identity/identity.ts";
import { refusal } from "../protocol/refusal.ts";
import type { AccountView, TxOutcome, TxProof } from "../protocol/ledger_wire.ts";
import { base64urlnopad, hex } from "../encoding/mod.ts";
import { shardOf } from "../routing/shard.ts";
import { HomeCache } from "../routing/home_cache.ts";
import { type Entry, entryLeaf, type SignedBlockHeader, transferLeaf } from "./block.ts";
import { leafHash } from "../merkle/mod.ts";
import { sealNext } from "./_seal.ts";
import { logOrigin, ShardLog } from "./shard_log.ts";
import { buildTxProof } from "./proof.ts";
import type { Receipt } from "./receipt.ts";
import type { Account, LedgerStorage, TxRecord } from "./storage.ts";
import { stateRefusal } from "./_state_refusal.ts";
import type { LedgerOptions } from "./ledger_options.ts";
import { type Transfer, transferHash, transferToJson } from "./transfer.ts";
import {
  batchAccounts,
  type Checked,
  checkSignatures,
  precheck,
  PRECHECK_STEP,
  type VerifyBatch,
} from "./_check.ts";
import { pacedSteps, type Steps } from "../runtime/steps.ts";

export type { LedgerOptions } from "./ledger_options.ts";

/**
 * A ledger shard.
 *
 * @example Usage
 * ```ts
 * import { LedgerShard } from "./ledger.ts";
 * import { MemoryLedgerStorage } from "./storage.ts";
 * const shard = new LedgerShard(new MemoryLedgerStorage(), {
 *   network: "dev", shard: 0, shards: 1, maxAmount: 1000, maxBlockEntries: 100,
 * });
 * console.assert(shard.account("x").balance === "0");
 * ```
 */
export class LedgerShard {
  readonly #s: LedgerStorage;
  readonly #o: LedgerOptions;
  #sealing = false;
  readonly #homes: HomeCache;
  /** The shard's log and state tree: checkpoints, consistency and balance proofs. */
  readonly log: ShardLog;

  /**
   * Opens a shard over its storage, writing the genesis balances the first time.
   *
   * @param storage Where the shard's state lives.
   * @param options The network and this shard.
   */
  constructor(storage: LedgerStorage, options: LedgerOptions) {
    this.#s = storage;
    this.#o = options;
    this.#homes = new HomeCache(options.placement ?? options.shards);
    this.log = new ShardLog(storage, logOrigin(options.network, options.shard));
    this.#genesis();
  }

  /** Credits this shard's genesis allocations, once in the shard's life. */
  #genesis(): void {
    if (this.#s.getMeta("genesis") !== undefined) return;
    // A shard the network grew into holds no genesis account (each has its home among the
    // first shards): it has nothing to credit, and 2,048 ids hashed for nothing are some ms
    // of its first turn.
    if (this.#o.shard >= this.#o.shards) {
      this.#s.setMeta("genesis", "1");
      return;
    }
    this.#s.transaction(() => {
      for (const [id, amount] of Object.entries(this.#o.genesis ?? {})) {
        if (shardOf(id, this.#o.shards) !== this.#o.shard) continue;
        const a = this.#account(id);
        this.#s.putAccount(id, { ...a, balance: a.balance + BigInt(amount) });
      }
      this.#s.setMeta("genesis", "1");
    });
  }

  /**
   * Checks and applies one transfer in its JSON form. Refusals change nothing.
   *
   * @param value The transfer, parsed JSON.
   * @returns The outcome.
   */
  async submit(value: unknown): Promise<TxOutcome> {
    return (await this.submitBatch([value]))[0];
  }

  /**
   * Checks and applies transfers in order. Each transfer's shape, network and shard are
   * checked, then its nonce and balance against the state it will meet (the account as stored,
   * changed by the batch's earlier transfers that passed), and only then its signature: junk
   * with a wrong nonce or an empty account costs no signature check. Then each is checked again
   * and applied in turn, in one storage transaction. Refusals change nothing. With
   * `verify`, the signatures are checked by stateless code beside the shard (`verdicts.ts`),
   * whose verdicts also carry each transfer's hashes, so the shard's thread checks no
   * signature and hashes nothing, and is free for other work while they are checked.
   *
   * @param values Transfers, parsed JSON.
   * @param verify Checks the signatures of the transfers that could apply, elsewhere.
   * @returns One outcome each.
   */
  async submitBatch(values: readonly unknown[], verify?: VerifyBatch): Promise<TxOutcome[]> {
    // Signature results by index: each transfer is checked once, however many passes it takes.
    const signed = new Map<number, Checked>();
    let checked: Checked[];
    for (;;) {
      checked = await pacedSteps(this.#precheck(values, signed));
      const pending = checked.flatMap((c, i) => "refusal" in c || signed.has(i) ? [] : [i]);
      if (pending.length === 0) break;
      const results = pending.map((i) => checked[i]);
      await checkSignatures(pending.map((i) => values[i]), results, verify);
      for (const [k, i] of pending.entries()) signed.set(i, results[k]);
      // A transfer refused for its signature left the state the later ones met wrong (a real
      // transfer behind a forged one of the same nonce): they meet it again without it.
      if (results.every((r) => !("refusal" in r))) break;
    }
    checked = checked.map((c, i) => "refusal" in c ? c : signed.get(i) ?? c);
    // In order, in one transaction committed before any answer: the second of two transfers
    // from one account sees the first, and the batch costs one commit (every commit holds all of
    // a shard's answers until it is durable, and a local one syncs the disk on the thread every
    // shard shares: slices of 32 a commit made a bystander's p99 under a funded flood worse, and
    // runs of 64, tried twice since, no better; SECURITY.md).
    return this.#s.transaction(() =>
      checked.map((c) =>
        "refusal" in c ? c.refusal : this.applyVerified(c.t, c.hash!, c.bytes, c.leaf)
      )
    );
  }

  /**
   * The cheap checks of a batch, each transfer against the state its fit predecessors leave, in
   * steps of `PRECHECK_STEP` transfers: they only read, and what they read is read again when
   * the batch applies, so other work may run between steps.
   */
  *#precheck(values: readonly unknown[], signed: ReadonlyMap<number, Checked>): Steps<Checked[]> {
    // The batch's accounts read at once, found or not (the writes at its end are one per table).
    const here = (id: string) => this.#homes.of(id) === this.#o.shard;
    this.#s.prefetchAccounts(batchAccounts(values, here));
    // What the batch's earlier transfers will have done to the accounts they touch.
    const changed = new Map<string, Account>();
    const state = (id: string) => changed.get(id) ?? this.#account(id);
    const at = { ...this.#o, homeOf: (id: string) => this.#homes.of(id), state };
    const out: Checked[] = [];
    for (const [i, v] of values.entries()) {
      if (i > 0 && i % PRECHECK_STEP === 0) yield;
      const known = signed.get(i);
      if (known && "refusal" in known) {
        out.push(known);
        continue;
      }
      const c = precheck(v, at);
      out.push(c);
      if ("refusal" in c) continue;
      const from = state(c.t.from);
      changed.set(c.t.from, { balance: from.balance - c.t.amount, nonce: c.t.nonce });
      if (this.#homes.of(c.t.to) === this.#o.shard) {
        const to = state(c.t.to);
        changed.set(c.t.to, { ...to, balance: to.balance + c.t.amount });
      }
    }
    return out;
  }

  /**
   * Applies a transfer whose shape, network, shard and signature were checked: nonce and
   * balance are checked and the whole change is written in one storage transaction.
   *
   * @param t The transfer.
   * @param hash Its hash.
   * @param bytes Its canonical bytes, if at hand.
   * @param leaf Its block leaf's hash, hex, if known (a verifier's verdict carries it).
   * @returns The outcome.
   */
  applyVerified(
    t: Transfer,
    hash: string = transferHash(t),
    bytes?: Uint8Array,
    leaf?: string,
  ): TxOutcome {
    return this.#s.transaction((): TxOutcome => {
      const from = this.#account(t.from);
      const unfit = stateRefusal(t, from, hash);
      if (unfit) return unfit;
      this.#s.putAccount(t.from, { balance: from.balance - t.amount, nonce: t.nonce });
      const dest = this.#homes.of(t.to);
      const json = transferToJson(t);
      const entry: Entry = { kind: "transfer", tx: json };
      let receipt: Receipt | undefined;
      if (dest === this.#o.shard) {
        const to = this.#account(t.to);
        this.#s.putAccount(t.to, { ...to, balance: to.balance + t.amount });
      } else {
        // The debit and the receipt that pays it out are one write: neither exists alone.
        receipt = this.#nextReceipt(dest, hash, t.to, String(t.amount));
      }
      leaf ??= hex.encode(leafHash(
        bytes ? transferLeaf(bytes, base64urlnopad.decode(t.sig)) : entryLeaf(entry),
      ));
      this.#s.appendPending({ leaf, receipt, hash });
      const status = receipt ? "pending" : "credited";
      this.#s.putTx({ hash, tx: json, status, dest, block: null, index: null });
      return { ok: true, hash, status, shard: this.#o.shard };
    });
  }

  /**
   * Pays new units into an account homed here (a faucet). Once per `intervalMs` per account.
   *
   * @param to The account.
   * @param amount The amount.
   * @param intervalMs How often one account may be paid.
   * @param now The clock.
   * @returns The outcome; `RATE_LIMITED` if the account was paid too recently.
   */
  mint(to: string, amount: number, intervalMs: number, now: number = Date.now()): TxOutcome {
    if (this.#homes.of(to) !== this.#o.shard) {
      return refusal("TX_WRONG_SHARD", "Account is not homed on this shard");
    }
    return this.#s.transaction((): TxOutcome => {
      const last = Number(this.#s.getMeta(`faucet:${to}`) ?? "-Infinity");
      if (now - last < intervalMs) {
        const wait = intervalMs - (now - last);
        const message = `Faucet paid this account ${now - last} ms ago; again in ${wait} ms`;
        return { ...refusal("RATE_LIMITED", message), retryAfter: wait };
      }
      this.#s.setMeta(`faucet:${to}`, String(now));
      const a = this.#account(to);
      this.#s.putAccount(to, { ...a, balance: a.balance + BigInt(amount) });
      const mint = { network: this.#o.network, to, amount: String(amount), at: now };
      const hash = hex.encode(leafHash(entryLeaf({ kind: "mint", mint })));
      // Kept like a transfer's record, so that its hash finds it and its proof once sealed.
      this.#s.appendPending({ entry: { kind: "mint", mint }, leaf: hash, hash });
      const shard = this.#o.shard;
      this.#s.putTx({ hash, mint, status: "credited", dest: shard, block: null, index: null });
      return { ok: true, hash, status: "credited", shard };
    });
  }

  /**
   * Applies receipts pushed by another shard, in order and each once.
   *
   * @param source The paying shard.
   * @param receipts Its receipts for this shard, any order, repeats allowed.
   * @returns The highest sequence number from `source` applied so far (the acknowledgement).
   */
  receive(source: number, receipts: readonly Receipt[]): number {
    return this.#s.transaction(() => {
      let last = Number(this.#s.getMeta(`inseq:${source}`) ?? "0");
      for (const r of [...receipts].sort((a, b) => a.seq - b.seq)) {
        if (r.seq <= last) continue; // already applied: acknowledge again, credit nothing
        if (r.seq !== last + 1) break; // a gap: wait for the missing one
        if (r.source !== source || r.dest !== this.#o.shard || r.network !== this.#o.network) break;
        last = r.seq;
        const home = this.#homes.of(r.to);
        if (home !== this.#o.shard) {
          // The account's slot moved away after the payer sent this: paid on to its new home,
          // in the same write that marks this receipt applied, so exactly once.
          const entry: Entry = { kind: "forward", receipt: r };
          const on = this.#nextReceipt(home, r.tx, r.to, r.amount);
          this.#s.appendPending({
            entry,
            leaf: hex.encode(leafHash(entryLeaf(entry))),
            receipt: on,
          });
          continue;
        }
        const to = this.#account(r.to);
        this.#s.putAccount(r.to, { ...to, balance: to.balance + BigInt(r.amount) });
        const entry: Entry = { kind: "credit", receipt: r };
        this.#s.appendPending({ entry, leaf: hex.encode(leafHash(entryLeaf(entry))) });
      }
      this.#s.setMeta(`inseq:${source}`, String(last));
      return last;
    });
  }

  /**
   * Records a receiving shard's acknowledgement: its receipts up to `upTo` are dropped and
   * their transfers marked credited.
   *
   * @param dest The receiving shard.
   * @param upTo The highest sequence number it applied.
   */
  acknowledge(dest: number, upTo: number): void {
    this.#s.transaction(() => {
      this.#s.setTxCredited(this.#s.deleteOutbox(dest, upTo).map((r) => r.tx));
    });
  }

  /**
   * Receipts still owed to other shards, per shard, oldest first.
   *
   * @param limit Most receipts per shard.
   * @param dests The shards asked about (default: every shard owed a receipt).
   * @returns The batches to push.
   */
  outbound(limit: number, dests?: readonly number[]): { dest: number; receipts: Receipt[] }[] {
    const to = dests ?? this.#s.outboxShards();
    return to.map((dest) => ({ dest, receipts: this.#s.outbox(dest, limit) }));
  }

  /**
   * Seals pending entries into the next block, signed by the shard's key, and the block's
   * checkpoint of the shard's log (`shard_log.ts`).
   *
   * @param signer The shard's key.
   * @param now The block's timestamp.
   * @param stateAlone With no entry pending, whether to seal a block of no entries if the state
   *   root lags the accounts ({@linkcode LedgerShard.stateBehind}), so that they can be proven
   *   (present or absent).
   * @returns The new header, or `undefined`: nothing to seal, or a seal already under way.
   */
  async seal(
    signer: Identity,
    now: number = Date.now(),
    stateAlone = false,
  ): Promise<SignedBlockHeader | undefined> {
    if (this.#sealing) return undefined;
    this.#sealing = true;
    try {
      return await sealNext(this.#s, this.#o, this.log, signer, now, stateAlone);
    } finally {
      this.#sealing = false;
    }
  }

  /** An account's state (one never paid to: balance 0, nonce 0). @param id The account. */
  account(id: string): AccountView {
    const a = this.#account(id);
    return { id, balance: String(a.balance), nonce: a.nonce, shard: this.#homes.of(id) };
  }

  /** A transfer paid from this shard, or `undefined`. @param hash Its hash. */
  transaction(hash: string): TxRecord | undefined {
    return this.#s.getTx(hash);
  }

  /**
   * The inclusion proof of a sealed transfer.
   *
   * @param hash Its hash.
   * @returns The proof, or `undefined` if unknown or not yet sealed.
   */
  proof(hash: string): TxProof | undefined {
    return buildTxProof(this.#s, hash);
  }

  /** A block's signed header, by height (from 1), or `undefined`. @param height The height. */
  block(height: number): SignedBlockHeader | undefined {
    return this.#s.getBlock(height)?.header;
  }

  /** The highest block's signed header, if any. */
  head(): SignedBlockHeader | undefined {
    return this.#s.head()?.header;
  }

  /** Entries applied but not yet sealed. */
  pendingCount(): number {
    return this.#s.pending(Number.MAX_SAFE_INTEGER).length;
  }

  /** Whether any entry waits to be sealed. */
  hasPending(): boolean {
    return this.#s.pending(1).length > 0;
  }

  /** Whether the state root lags the accounts ({@linkcode ShardLog.stateBehind}). */
  stateBehind(): boolean {
    return this.log.stateBehind();
  }

  // The next receipt to `dest`, numbered and kept in the outbox until it is acknowledged.
  #nextReceipt(dest: number, tx: string, to: string, amount: string): Receipt {
    const seq = Number(this.#s.getMeta(`outseq:${dest}`) ?? "0") + 1;
    this.#s.setMeta(`outseq:${dest}`, String(seq));
    const receipt = { network: this.#o.network, source: this.#o.shard, dest, seq, tx, to, amount };
    this.#s.putOutbox(receipt);
    return receipt;
  }

  #account(id: string): Account {
    return this.#s.getAccount(id) ?? { balance: 0n, nonce: 0 };
  }
}
