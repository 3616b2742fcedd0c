/**
 * The ledger shard inside a SuperPeer: the pure state machine of `src/ledger` on the
 * object's SQLite storage, plus what needs the runtime: the alarm that seals blocks and
 * retries receipts, and the RPC that pushes receipts to other shards.
 *
 * @module
 */
import type { DurableObjectState, DurableObjectStub } from "cloudflare:workers";
import type { Identity } from "../src/identity/mod.ts";
import {
  deriveShardKey,
  LedgerShard,
  type Receipt,
  type SignedBlockHeader,
  SqlLedgerStorage,
  type TxOutcome,
} from "../src/ledger/mod.ts";
import { shardName } from "../src/routing/mod.ts";
import type { Env, NetworkConfig } from "./config.ts";
import type { SuperPeer } from "./super_peer.ts";

/**
 * One shard's ledger, hosted by its SuperPeer.
 *
 * @example Usage
 * ```ts ignore
 * const host = new LedgerHost(ctx, env, config, shard);
 * const results = await host.submit(txs);
 * ```
 */
export class LedgerHost {
  /** The state machine. */
  readonly ledger: LedgerShard;
  readonly #ctx: DurableObjectState;
  readonly #env: Env;
  readonly #config: NetworkConfig;
  readonly #shard: number;
  readonly #signer: Promise<Identity>;
  readonly #pushing = new Set<number>();
  /** When the alarm is set for, as far as this object knows. */
  #alarmAt: number | undefined;

  readonly #onBlock: (header: SignedBlockHeader) => void;

  /**
   * @param ctx The object's state.
   * @param env The Worker's env.
   * @param config The network's config.
   * @param shard This shard.
   * @param onBlock Told of every block this shard seals.
   */
  constructor(
    ctx: DurableObjectState,
    env: Env,
    config: NetworkConfig,
    shard: number,
    onBlock: (header: SignedBlockHeader) => void,
  ) {
    this.#onBlock = onBlock;
    this.#ctx = ctx;
    this.#env = env;
    this.#config = config;
    this.#shard = shard;
    const sql = ctx.storage.sql;
    this.ledger = new LedgerShard(
      new SqlLedgerStorage({
        exec: (query, ...bindings) => sql.exec(query, ...bindings).toArray(),
        transaction: (fn) => ctx.storage.transactionSync(fn),
      }),
      {
        network: config.network,
        shard,
        shards: config.shards,
        maxAmount: config.limits.MAX_TRANSFER_AMOUNT,
        maxBlockEntries: config.limits.MAX_BLOCK_ENTRIES,
        genesis: config.genesis,
      },
    );
    this.#signer = deriveShardKey(config.secret, config.network, shard);
  }

  /**
   * Checks and applies transfers homed on this shard, in order. Each outcome is committed
   * before it is returned (the output gate holds the reply until the write is durable).
   *
   * @param txs Transfers in JSON form.
   * @returns One outcome each.
   */
  async submit(txs: readonly unknown[]): Promise<TxOutcome[]> {
    const results = await this.ledger.submitBatch(txs);
    if (results.some((r) => r.ok)) {
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
    if (r.ok) await this.#afterWrite(false);
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

  /** Seals a block if anything is pending, pushes owed receipts, and keeps the alarm set. */
  async alarm(): Promise<void> {
    this.#alarmAt = undefined;
    const header = await this.ledger.seal(await this.#signer);
    if (header) this.#onBlock(header);
    await this.pushReceipts();
    await this.#schedule();
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
    const batches = this.ledger.outbound(this.#config.limits.MAX_RECEIPT_BATCH);
    await Promise.all(batches.map(async ({ dest, receipts }) => {
      if (this.#pushing.has(dest)) return;
      this.#pushing.add(dest);
      try {
        const ack = await this.#stub(dest).ledgerReceive(dest, this.#shard, receipts);
        this.ledger.acknowledge(dest, ack);
      } catch (error) {
        console.warn(`receipts to shard ${dest} not acknowledged yet`, String(error));
      } finally {
        this.#pushing.delete(dest);
      }
    }));
  }

  async #afterWrite(receiptsOwed: boolean): Promise<void> {
    await this.#schedule();
    // Receipts leave now rather than at the next alarm; the alarm is the retry.
    if (receiptsOwed) this.#ctx.waitUntil(this.pushReceipts());
  }

  async #schedule(): Promise<void> {
    // An alarm already set fires soon enough for anything written since.
    if (this.#alarmAt !== undefined) return;
    const { limits } = this.#config;
    const pending = this.ledger.hasPending();
    if (!pending && this.ledger.outbound(1).length === 0) return;
    const at = Date.now() + (pending ? limits.BLOCK_INTERVAL_MS : limits.RECEIPT_RETRY_MS);
    // The alarm is shared with the network services: keep one that fires sooner.
    const existing = await this.#ctx.storage.getAlarm();
    if (existing !== null && existing <= at) {
      this.#alarmAt = existing;
      return;
    }
    this.#alarmAt = at;
    await this.#ctx.storage.setAlarm(at);
  }

  #stub(shard: number): DurableObjectStub<SuperPeer> {
    const ns = this.#env.SUPER_PEER;
    return ns.get(ns.idFromName(shardName(this.#config.network, shard)));
  }
}
