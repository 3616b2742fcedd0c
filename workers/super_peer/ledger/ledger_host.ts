/**
 * The ledger shard inside a SuperPeer: the pure state machine of `src/ledger` on the
 * object's SQLite storage, plus what needs the runtime: the alarm that seals blocks and
 * retries receipts, and the RPC that pushes receipts to other shards.
 *
 * @module
 */
import type { RelayStats } from "../../../src/protocol/mod.ts";
import { logEvent } from "../../log.ts";
import { emptyStats } from "../relay.ts";
import type { DurableObjectState } from "cloudflare:workers";
import type { Identity } from "../../../src/identity/mod.ts";
import type { AccountView, TxOutcome } from "../../../src/protocol/mod.ts";
import { deriveShardKey } from "../../shard_keys.ts";
import {
  accountsArriving,
  accountsGone,
  accountsLeaving,
  answerLog,
  LedgerShard,
  type LogAnswer,
  type MovedAccount,
  type Receipt,
  type SignedBlockHeader,
  SqlLedgerStorage,
} from "../../../src/ledger/mod.ts";
import type { AlarmScheduler } from "../alarm.ts";
import type { NetworkConfig } from "../../config.ts";
import type { Shards } from "../../shards.ts";
import { TxIndex } from "./tx_index.ts";
import { Cosignatures } from "./cosignatures.ts";
import type { SlotMover } from "../slot_moves.ts";
import type { VerifyBatch } from "../../../src/ledger/mod.ts";
import type { LogAsk, TxLookup } from "../../rpc.ts";
import { nextTurn } from "../../../src/runtime/next_turn.ts";
import { pacedSteps } from "../../../src/runtime/steps.ts";

/**
 * One shard's ledger, hosted by its SuperPeer.
 *
 * @example Usage
 * ```ts
 * import { LedgerHost } from "./ledger_host.ts";
 * export async function submit(o: ConstructorParameters<typeof LedgerHost>[0], txs: unknown[]) {
 *   const host = new LedgerHost(o);
 *   return await host.submit(txs); // one outcome each, committed before it is returned
 * }
 * ```
 */
export class LedgerHost {
  /** The state machine. */
  readonly ledger: LedgerShard;
  readonly #ctx: DurableObjectState;
  readonly #config: NetworkConfig;
  readonly #shard: number;
  readonly #shards: Shards;
  readonly #alarm: AlarmScheduler;
  readonly #signer: Promise<Identity>;
  readonly #pushing = new Set<number>();
  readonly #onBlock: (header: SignedBlockHeader, checkpoint?: string) => void;
  readonly #index: TxIndex;
  readonly #stats: RelayStats;
  readonly #verify: VerifyBatch;
  readonly #storage: SqlLedgerStorage;
  /** The state tree's nodes read into memory, once asked (settles, never rejects). */
  #warm: Promise<unknown> | undefined;
  /** The seal under way, if any (settles, never rejects). */
  #sealing: Promise<unknown> = Promise.resolve();
  /** Whether a block of no entries is owed to accounts changed with none (`#oweState`). */
  #stateOwed = false;
  /** Witnesses' cosignatures of this shard's checkpoints. */
  readonly cosigns: Cosignatures;

  /** @param o The object's state, the network's config, this shard, the other shards, the
   *   alarm, who is told of every block this shard seals, and the counters to keep. */
  constructor(o: {
    ctx: DurableObjectState;
    config: NetworkConfig;
    shard: number;
    shards: Shards;
    alarm: AlarmScheduler;
    onBlock: (header: SignedBlockHeader, checkpoint?: string) => void;
    onCosigned: (height: number, witness: string, line: string) => void;
    stats?: RelayStats;
    verify: VerifyBatch;
  }) {
    const { ctx, config, shard } = o;
    this.#onBlock = o.onBlock;
    this.#verify = o.verify;
    this.#stats = o.stats ?? emptyStats();
    this.#ctx = ctx;
    this.#config = config;
    this.#shard = shard;
    this.#shards = o.shards;
    this.#alarm = o.alarm;
    const sql = ctx.storage.sql;
    this.#storage = new SqlLedgerStorage({
      exec: (query, ...bindings) => sql.exec(query, ...bindings).toArray(),
      transaction: (fn) => ctx.storage.transactionSync(fn),
    });
    this.ledger = new LedgerShard(
      this.#storage,
      {
        network: config.network,
        shard,
        shards: config.shards,
        placement: config.placement,
        maxAmount: config.limits.MAX_TRANSFER_AMOUNT,
        maxBlockEntries: config.limits.MAX_BLOCK_ENTRIES,
        genesis: config.genesis,
      },
    );
    this.#signer = deriveShardKey(config.secret, config.network, shard);
    this.#index = new TxIndex(ctx, config, shard, o.shards);
    const max = config.limits.MAX_COSIGNATURES;
    const recent = config.limits.COSIGN_RECENT_BLOCKS;
    this.cosigns = new Cosignatures(ctx, this.ledger.log, max, recent, o.onCosigned);
  }

  /**
   * Reads this shard's log (`answerLog`). A balance proof waits for the state tree's nodes to be
   * read in steps (the first since the shard woke) and for a seal under way (its state tree is
   * written a turn after its block); one asked before any state root exists (genesis accounts,
   * before any transfer) asks for a block that carries one, an interval on.
   *
   * @param ask The read.
   * @returns The answer, or a refusal.
   */
  async readLog(ask: LogAsk): Promise<LogAnswer> {
    if (ask.kind === "balance") {
      // The state tree's nodes, read in steps on the first proof since the shard woke.
      await (this.#warm ??= pacedSteps(this.ledger.log.warmSteps()).catch(() => {}));
      await this.#sealing;
    }
    const answer = answerLog(this.ledger.log, this.#shard, ask, (h) => this.cosigns.lines(h));
    if (ask.kind === "balance" && "code" in answer && answer.code === "CHECKPOINT_NOT_FOUND") {
      this.#oweState();
    }
    return answer;
  }

  // A block of no entries is owed: a proof was asked of a shard with no state root yet, or
  // accounts came or went with a slot. Scheduled after the caller's turn (slot moves call this
  // inside a storage transaction).
  #oweState(): void {
    this.#stateOwed = true;
    this.#ctx.waitUntil(Promise.resolve().then(() => this.#schedule(false)));
  }

  /**
   * Checks and applies transfers homed on this shard, in order: the cheap reads here, then the
   * signatures of what could apply by the verifier beside the shard (`TX_UNVERIFIED` if it
   * gives no verdict), while this object goes on with other work. Each outcome is committed
   * before it is returned (the output gate holds the reply until the write is durable).
   *
   * @param txs Transfers in JSON form.
   * @returns One outcome each.
   */
  async submit(txs: readonly unknown[]): Promise<TxOutcome[]> {
    const results = await this.ledger.submitBatch(txs, this.#verify);
    const applied = results.flatMap((r) => r.ok ? [r.hash] : []);
    this.#stats.transfersApplied += applied.length;
    if (applied.length > 0) {
      this.#index.note(applied);
      await this.#afterWrite(results.some((r) => r.ok && r.status === "pending"));
    }
    return results;
  }

  /**
   * Pays the faucet amount into an account, if the network has a faucet.
   *
   * @param account The account.
   * @returns The outcome.
   */
  async faucet(account: string): Promise<TxOutcome> {
    const { limits } = this.#config;
    const r = this.ledger.mint(account, limits.FAUCET_AMOUNT, limits.FAUCET_INTERVAL_MS);
    if (r.ok) {
      this.#stats.transfersApplied++;
      this.#index.note([r.hash]);
      await this.#afterWrite(false);
    }
    return r;
  }

  /**
   * Applies receipts from another shard and schedules their block.
   *
   * @param source The paying shard.
   * @param receipts Its receipts.
   * @returns The acknowledgement: the highest sequence number applied.
   */
  async receive(source: number, receipts: Receipt[]): Promise<number> {
    const ack = this.ledger.receive(source, receipts);
    await this.#afterWrite(false);
    return ack;
  }

  /**
   * An account homed on this shard.
   *
   * @param id The account id.
   * @returns Its balance, nonce and shard.
   */
  account(id: string): AccountView {
    return this.ledger.account(id);
  }

  /**
   * A transfer paid from this shard (or a faucet payment into it), with its proof once
   * sealed; else, at the hash's home, the shard that has it.
   *
   * @param hash The transfer's hash.
   * @returns Its record and proof, where it is, or `null`.
   */
  transaction(hash: string): TxLookup {
    const record = this.ledger.transaction(hash);
    if (record) {
      const proof = this.ledger.proof(hash) ?? null;
      // Its place in the log: the block's entries end at its checkpoint's size.
      const sealed = record.block === null ? undefined : this.ledger.log.checkpoint(record.block);
      const entries = proof?.header.entries;
      if (!sealed || entries === undefined || record.index === null) return { record, proof };
      const size = sealed.checkpoint.size;
      return { record, proof, log: { index: size - entries + record.index, size } };
    }
    const at = this.#index.where(hash);
    return at === undefined ? null : { at };
  }

  /**
   * At the hashes' home: another shard applied these transfers.
   *
   * @param shard That shard.
   * @param hashes Their hashes.
   */
  index(shard: number, hashes: string[]): void {
    this.#index.record(shard, hashes);
  }

  /**
   * A block header of this shard.
   *
   * @param height A height, or `"head"`.
   * @returns The signed header, or `null`.
   */
  block(height: number | "head"): SignedBlockHeader | null {
    return (height === "head" ? this.ledger.head() : this.ledger.block(height)) ?? null;
  }

  /**
   * Seals a block if anything is pending, pushes owed receipts, and keeps the alarm set: an
   * interval on, or at once after a full block with more pending.
   */
  async alarm(): Promise<void> {
    const sealing = this.#signer.then((key) => this.ledger.seal(key, Date.now(), this.#stateOwed));
    this.#sealing = sealing.catch(() => {});
    const header = await sealing;
    if (!this.ledger.stateBehind()) this.#stateOwed = false;
    if (header) {
      this.#stats.blocksSealed++;
      const { shard, height, entries, receipts } = header;
      logEvent("block.sealed", { shard, height, entries, receipts });
      this.#onBlock(header, this.ledger.log.checkpoint(height)?.checkpoint.note);
    }
    await Promise.all([this.pushReceipts(), this.#index.push()]);
    // A full block may have left more behind: the next one is sealed at once rather than an
    // interval later, or a shard taking more than a block's worth per interval would fall
    // behind without end.
    await this.#schedule(header?.entries === this.#config.limits.MAX_BLOCK_ENTRIES);
  }

  /**
   * The ledger's part in a slot move: its accounts leave, arrive and are dropped (history stays
   * where it was sealed; `slot_accounts.ts`).
   *
   * @returns The mover.
   */
  slotMover(): SlotMover {
    const s = this.#storage;
    return {
      name: "ledger",
      leaving: (inSlots) => accountsLeaving(s, inSlots),
      // Accounts that come or go change the state root with no entry: a block is owed.
      arriving: (rows) => {
        accountsArriving(s, rows as MovedAccount[]);
        this.#oweState();
      },
      gone: (inSlots) => {
        accountsGone(s, inSlots);
        this.#oweState();
      },
      prepare: () => this.#prepare(),
    };
  }

  // Before a growth freezes any slot: the state tree read into memory, and a state root that
  // lags (genesis accounts no block has proven yet) sealed now. Otherwise the first block owed
  // to a step's arrivals or departures would take every account of the shard into the tree, in
  // the middle of the growth: at 256 accounts, 5-9 ms turns of hashing and writing where the
  // step's own accounts take 1 ms.
  async #prepare(): Promise<void> {
    await (this.#warm ??= pacedSteps(this.ledger.log.warmSteps()).catch(() => {}));
    await this.#sealing;
    if (!this.ledger.stateBehind()) return;
    this.#stateOwed = true;
    await this.alarm();
  }

  /**
   * The transfer index's part in a slot move (`TxIndex.slotMover`), this shard's own records
   * included.
   *
   * @returns The mover.
   */
  indexMover(): SlotMover {
    const sql = this.#ctx.storage.sql;
    return this.#index.slotMover((inSlots) =>
      sql.exec<{ hash: string }>("SELECT hash FROM ledger_tx").toArray()
        .map((r) => r.hash).filter(inSlots)
    );
  }

  /** This shard's number. */
  get shard(): number {
    return this.#shard;
  }

  /** The shard's public key id. */
  async publicKey(): Promise<string> {
    return (await this.#signer).peerId;
  }

  /**
   * Pushes unacknowledged receipts to their shards, one call in flight per shard. Failures
   * are left for the alarm to retry: a receipt is only dropped once acknowledged.
   */
  async pushReceipts(): Promise<void> {
    const pushes: Promise<void>[] = [];
    for (const [k, { dest }] of this.ledger.outbound(1).entries()) {
      // One call leaves per turn: a shard that shares this one's thread (always so locally)
      // applies its receipts in-process, and calls all sent at once would hold this shard's
      // sockets unread until every one was applied.
      if (k > 0) await nextTurn();
      pushes.push(this.#push(dest));
    }
    await Promise.all(pushes);
  }

  async #push(dest: number): Promise<void> {
    if (this.#pushing.has(dest)) return;
    // Read as the call leaves, not when the push began: what was written meanwhile goes too.
    const [{ receipts }] = this.ledger.outbound(this.#config.limits.MAX_RECEIPT_BATCH, [dest]);
    if (receipts.length === 0) return;
    this.#pushing.add(dest);
    try {
      const ack = await this.#shards.call(dest, (s) => s.ledgerReceive(this.#shard, receipts));
      this.ledger.acknowledge(dest, ack);
    } catch (error) {
      const { length } = receipts;
      logEvent("receipt.retry", {
        shard: this.#shard,
        dest,
        receipts: length,
        error: String(error),
      }, "warn");
    } finally {
      this.#pushing.delete(dest);
    }
  }

  async #afterWrite(receiptsOwed: boolean): Promise<void> {
    // A write left an entry to seal: the next block is due within the interval (a cheap call
    // when the alarm is already set that soon, as it is under load).
    await this.#alarm.wakeBy(Date.now() + this.#config.limits.BLOCK_INTERVAL_MS);
    // Receipts leave now rather than at the next alarm; the alarm is the retry. Index entries
    // wait for the alarm that seals their block: a lookup by hash wants the proof anyway, and
    // one push per block costs far less than one per batch.
    if (receiptsOwed) this.#ctx.waitUntil(this.pushReceipts());
  }

  async #schedule(backlog: boolean): Promise<void> {
    const { limits } = this.#config;
    const pending = this.ledger.hasPending() || (this.#stateOwed && this.ledger.stateBehind());
    if (!pending && this.ledger.outbound(1).length === 0 && !this.#index.pending()) return;
    const wait = pending ? (backlog ? 0 : limits.BLOCK_INTERVAL_MS) : limits.RECEIPT_RETRY_MS;
    await this.#alarm.wakeBy(Date.now() + wait);
  }
}
