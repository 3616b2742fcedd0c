/**
 * The one home of ledger routing: each request goes to the shard that holds what it asks
 * for (a transfer to its payer's home, an account or a faucet payment to its own, a block to
 * its shard), shared by the edge (the HTTP API) and by a super-peer (a peer's control
 * requests), which answers what is its own without a call.
 *
 * @module
 */
import { isAccountId, type LogAnswer, type SignedBlockHeader } from "../src/ledger/mod.ts";
import type { AccountView, LogAsk, Refusal, TxOutcome } from "../src/protocol/mod.ts";
import { HomeCache, Placement, type Where } from "../src/routing/mod.ts";
import type { SuperPeerRpc, TxLookup } from "./rpc.ts";
import type { Shards } from "./shards.ts";
/**
 * The ledger calls a shard answers: through its stub (a promise), or the local object's own
 * (answered in place).
 */
export type LedgerApi = {
  [
    K in
      | "ledgerSubmit"
      | "ledgerAccount"
      | "ledgerTx"
      | "ledgerBlock"
      | "ledgerLog"
      | "ledgerCosign"
      | "ledgerFaucet"
  ]: SuperPeerRpc[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>> | Awaited<R>
    : never;
};

// Payers repeat from batch to batch: their homes are kept per isolate rather than hashed
// again for each transfer (a SHA-256 in JavaScript, about 4 µs).
const homeCaches = new WeakMap<Placement, HomeCache>();

function homesOf(placement: Placement): HomeCache {
  let homes = homeCaches.get(placement);
  if (!homes) homeCaches.set(placement, homes = new HomeCache(placement));
  return homes;
}

/**
 * Routes ledger requests to their shards.
 *
 * @example Usage
 * ```ts
 * import type { Shards } from "./shards.ts";
 * import { LedgerRouter } from "./ledger_routing.ts";
 * export async function balance(shards: Shards, id: string) {
 *   const router = new LedgerRouter(shards, 8);
 *   return (await router.account(id)).balance; // asked of the account's home
 * }
 * ```
 */
export class LedgerRouter {
  readonly #shards: Shards;
  readonly #placement: Placement;
  readonly #local?: { shard: number; api: LedgerApi };

  /**
   * @param shards The shards' stubs.
   * @param where The live placement (`config.placement`), or a shard count's first map.
   * @param local The calling super-peer's shard and its own ledger calls, answered in place.
   */
  constructor(
    shards: Shards,
    where: Where,
    local?: { shard: number; api: LedgerApi },
  ) {
    this.#shards = shards;
    this.#placement = Placement.from(where);
    this.#local = local;
  }

  /**
   * Submits transfers to their payers' homes (see {@linkcode submitByHome}); each home checks
   * what it can read first, then has the signatures checked beside it.
   *
   * @param txs Transfers in JSON form.
   * @returns One outcome each, in order.
   */
  submit(txs: readonly unknown[]): Promise<TxOutcome[]> {
    return submitByHome(
      txs,
      homesOf(this.#placement),
      async (k, batch) => await this.#at(k).ledgerSubmit(batch),
    );
  }

  /**
   * An account, from its home.
   *
   * @param id The account id.
   * @returns The account.
   */
  async account(id: string): Promise<AccountView> {
    const home = this.#placement.home(id);
    const view = await this.#at(home).ledgerAccount(id);
    // Asked by an older map than the shard's: the account lives where its answer says.
    return view.shard === home ? view : await this.#at(view.shard).ledgerAccount(id);
  }

  /**
   * A block header of a shard.
   *
   * @param shard The shard.
   * @param height A height, or `"head"`.
   * @returns The signed header, or `null`.
   */
  async block(shard: number, height: number | "head"): Promise<SignedBlockHeader | null> {
    return await this.#at(shard).ledgerBlock(height);
  }

  /**
   * Reads a shard's log (`answerLog`); an account's balance proof is asked of its home.
   *
   * @param shard The shard, for every ask but `balance`.
   * @param ask The ask.
   * @returns The answer or a refusal.
   */
  async log(shard: number, ask: LogAsk): Promise<LogAnswer> {
    const at = ask.kind === "balance" ? this.#placement.home(ask.account) : shard;
    return await this.#at(at).ledgerLog(ask);
  }

  /**
   * Asks a shard to keep a witness's cosignature of one of its checkpoints.
   *
   * @param shard The shard.
   * @param witness The witness (the peer that sent it).
   * @param height The block.
   * @param line The cosignature line.
   * @returns Whether it was kept, or the refusal.
   */
  async cosign(
    shard: number,
    witness: string,
    height: number,
    line: string,
  ): Promise<Refusal | { kept: boolean }> {
    return await this.#at(shard).ledgerCosign(witness, height, line);
  }

  /**
   * A transfer (or faucet payment) and its proof: asked of its home when `home` names the
   * payer (or payee), else found by its hash alone through the hash's home.
   *
   * @param hash The hash.
   * @param home The account whose home holds it, if known.
   * @returns The record and proof, or `null`.
   */
  async transaction(
    hash: string,
    home?: string,
  ): Promise<Exclude<TxLookup, { at: number } | null> | null> {
    // With its payer (a faucet payment's payee): that account's home. Else the hash's own
    // home, which has it or knows the shard that has it: two calls at most.
    const byHash = this.#placement.home(hash);
    const asked = this.#placement.home(home ?? hash);
    let found = await this.#at(asked).ledgerTx(hash);
    // Not at the account's home: a network that grew keeps a record where it was applied, which
    // the hash's home knows.
    if (found === null && asked !== byHash) found = await this.#at(byHash).ledgerTx(hash);
    if (found === null || "record" in found) return found;
    const there = await this.#at(found.at).ledgerTx(hash);
    return there !== null && "record" in there ? there : null;
  }

  /**
   * Pays the faucet amount into an account, at its home.
   *
   * @param account The account.
   * @returns The outcome.
   */
  async faucet(account: string): Promise<TxOutcome> {
    return await this.#at(this.#placement.home(account)).ledgerFaucet(account);
  }

  #at(shard: number): LedgerApi {
    return shard === this.#local?.shard ? this.#local.api : this.#shards.stub(shard);
  }
}

/**
 * Submits transfers, each to the home shard of its `from` account, a batch per shard and
 * the shards in parallel; the outcomes come back in input order. A shard that refuses a
 * transfer `TX_WRONG_SHARD` naming another home (its payer's slot moved) is followed once.
 *
 * @param txs Transfers in JSON form.
 * @param homes The homes of accounts, for the network's shard count.
 * @param submitTo Submits one shard's batch.
 * @returns One outcome per transfer.
 *
 * @example Usage
 * ```ts
 * import { HomeCache } from "../src/routing/mod.ts";
 * import { submitByHome } from "./ledger_routing.ts";
 * // Junk is refused where it stands; each home gets its own batch, the answers come back in order.
 * const results = await submitByHome([{}, "x"], new HomeCache(8), () => Promise.resolve([]));
 * console.assert(results.length === 2 && results.every((r) => !r.ok));
 * ```
 */
export async function submitByHome(
  txs: readonly unknown[],
  homes: HomeCache,
  submitTo: (shard: number, txs: unknown[]) => Promise<TxOutcome[]>,
): Promise<TxOutcome[]> {
  const results = new Array<TxOutcome>(txs.length);
  const groups = new Map<number, { index: number[]; txs: unknown[] }>();
  for (const [i, tx] of txs.entries()) {
    const from = (tx as { from?: unknown } | null)?.from;
    if (!isAccountId(from)) {
      results[i] = {
        ok: false,
        code: "TX_MALFORMED",
        message: 'Transfer field "from" is not a peer id',
      };
      continue;
    }
    const k = homes.of(from);
    const group = groups.get(k) ?? { index: [], txs: [] };
    group.index.push(i);
    group.txs.push(tx);
    groups.set(k, group);
  }
  await Promise.all([...groups.entries()].map(async ([k, group]) => {
    const outcomes = await submitOnce(k, group.txs, submitTo);
    // Sent by an older map than the shard's: what it refused for a payer that moved goes to the
    // home it named, once (nothing of a refused transfer was applied), in the order sent.
    const moved = new Map<number, number[]>();
    for (const [j, o] of outcomes.entries()) {
      if (!o.ok && o.code === "TX_WRONG_SHARD" && o.home !== undefined && o.home !== k) {
        moved.set(o.home, [...moved.get(o.home) ?? [], j]);
      }
    }
    await Promise.all([...moved.entries()].map(async ([home, js]) => {
      const again = await submitOnce(home, js.map((j) => group.txs[j]), submitTo);
      js.forEach((j, n) => outcomes[j] = again[n]);
    }));
    for (const [j, i] of group.index.entries()) results[i] = outcomes[j];
  }));
  return results;
}

async function submitOnce(
  k: number,
  txs: unknown[],
  submitTo: (shard: number, txs: unknown[]) => Promise<TxOutcome[]>,
): Promise<TxOutcome[]> {
  try {
    return await submitTo(k, txs);
  } catch {
    // Unknown whether it applied: the client asks for the transfer's status to find out.
    return txs.map(() => ({
      ok: false,
      code: "SHARD_UNAVAILABLE",
      message: `Shard ${k} could not be reached; the transfer may or may not have been applied`,
    }));
  }
}
