/**
 * `peer.ledger`: transfers, balances, statuses and proofs. Submissions go over the peer's
 * socket when it is open (one frame may carry a batch), else over `POST /v1/tx`; queries
 * use the HTTP API; proofs are checked offline against the network's shard keys.
 *
 * @module
 */
import type { Identity } from "../identity/identity.ts";
import {
  type SignedBlockHeader,
  signTransfer,
  transferToJson,
  verifyTxProof,
} from "../ledger/mod.ts";
import type {
  AccountView,
  BalanceAnswer,
  EvidenceMessage,
  NetworkInfo,
  Refusal,
  TransferJson,
  TxOutcome,
  TxProof,
  TxStatus,
  TxSubmitAnswer,
} from "../protocol/mod.ts";
import { ProtocolError } from "../protocol/errors.ts";
import { fetchFrom } from "./_util.ts";
import { DEFAULT_BLOCK_WAIT_MS } from "./constants.ts";
import type { RequestMessage } from "./requests.ts";
import type { ControlReplies } from "../protocol/mod.ts";
import { believed, type DistrustDetail, LedgerTrust, type TrustPolicy } from "./ledger_trust.ts";
import { PeerWitness, type WitnessDetail, type WitnessOptions } from "./peer_witness.ts";

/** Transfers whose payer is remembered for `waitForBlock`. */
const PAYERS_KEPT = 1_024;

/** Options of a {@linkcode PeerLedger}. */
export interface PeerLedgerOptions {
  /** The network's HTTP URL. */
  url: string;
  /** The fetch function. */
  fetch: typeof fetch;
  /** The identity transfers are signed with. */
  identity: Identity;
  /** Sends a control request on the peer's connection. */
  request<T extends "tx" | "blocks" | "cosign" | "evidence">(
    message: RequestMessage<T>,
  ): Promise<ControlReplies[T]>;
  /** Listens to the peer's events (`checkpoint`, `cosigned`, `evidence`). */
  listen?(type: string, listener: (e: Event) => void): void;
  /** Subscribes the peer to a topic (`$evidence`). */
  subscribe?(topic: string): Promise<void>;
  /** Dispatches an event on the peer (`distrust`, `witness`). */
  emit?(type: string, detail: unknown): void;
  /** The witnesses a checkpoint needs by default (`checkpoint`, `proveBalance`). */
  trust?: TrustPolicy;
  /** Act as a witness for these shards (`PeerOptions.witness`). */
  witness?: WitnessOptions;
  /** Whether the peer's connection is open (submissions then go over it). */
  isOpen(): boolean;
  /** Calls `listener` on every (re)connect. */
  onOpen(listener: () => void): void;
}

/**
 * The ledger seen from one peer.
 *
 * @example Pay and check
 * ```ts
 * import type { Peer } from "./peer.ts";
 * export async function pay(peer: Peer, bob: string) {
 *   const result = await peer.ledger.transfer(bob, 10n);
 *   if (!result.ok) throw new Error(result.code);
 *   const status = await peer.ledger.waitForBlock(result.hash);
 *   console.log((await peer.ledger.verify(status.proof!)).ok);
 * }
 * ```
 */
export class PeerLedger {
  readonly #o: PeerLedgerOptions;
  #nonce: number | undefined;
  #network: Promise<NetworkInfo> | undefined;
  readonly #watched = new Set<number>();
  /** The payers of the transfers this peer submitted lately, by hash. */
  readonly #payers = new Map<string, string>();
  readonly #trust: LedgerTrust;
  readonly #witness: PeerWitness | undefined;

  /**
   * Makes the ledger client of one peer.
   *
   * @param options URL, fetch, identity, and the peer's connection as three functions.
   */
  constructor(options: PeerLedgerOptions) {
    this.#o = options;
    // A new session knows nothing of the last one's watches: ask again.
    options.onOpen(() => {
      for (const shard of this.#watched) options.request({ t: "blocks", shard }).catch(() => {});
    });
    const emit = options.emit ?? (() => {});
    this.#trust = new LedgerTrust({
      network: () => this.network(),
      report: (evidence) => options.request({ t: "evidence", evidence }),
      distrusted: (detail) => emit("distrust", detail satisfies DistrustDetail),
      policy: options.trust,
    });
    this.#witness = options.witness && new PeerWitness({
      identity: options.identity,
      network: () => this.network(),
      get: (path) => this.#get(path),
      watch: (shard) => this.watchBlocks(shard),
      cosign: (shard, height, cosignature) =>
        options.request({ t: "cosign", shard, height, cosignature }),
      report: (evidence) => options.request({ t: "evidence", evidence }),
      emit: (detail) => emit("witness", detail satisfies WitnessDetail),
    }, options.witness);
    const heard = (e: Event) => {
      const { shard, height, checkpoint } = (e as CustomEvent).detail;
      // Nothing here may throw into the peer's events (a network not at hand, a shard unknown).
      this.#trust.seen(shard, checkpoint).catch(() => {});
      void this.#witness?.heard(shard, height, checkpoint);
    };
    options.listen?.("checkpoint", heard);
    options.listen?.("cosigned", (e) => {
      const m = (e as CustomEvent<{ shard: number; height: number; cosignature: string }>).detail;
      this.#trust.cosigned(m.shard, m.height, m.cosignature);
    });
    options.listen?.("evidence", (e) => {
      const m = (e as CustomEvent<EvidenceMessage>).detail;
      this.#trust.evidence(m.shard, m.evidence).catch(() => {});
    });
  }

  /**
   * Starts what the peer's options ask of its ledger: listening for evidence on `$evidence`
   * (with a trust policy or a witness) and witnessing. Called by the peer once it connects.
   */
  async start(): Promise<void> {
    if (this.#o.trust || this.#o.witness) await this.#o.subscribe?.("$evidence");
    await this.#witness?.start();
  }

  /**
   * This peer's witness key in its text form, for other clients' policies (with the `witness`
   * option).
   *
   * @returns `name+hex id+base64(0x04 || key)`, or `undefined` if this peer is no witness.
   */
  witnessKey(): Promise<string | undefined> {
    return Promise.resolve(this.#witness?.key());
  }

  /**
   * A shard's latest checkpoint, believed only if its shard's key signed it, its key is not
   * distrusted, and the witnesses the policy names cosigned it.
   *
   * @param shard The shard.
   * @param policy The witnesses required (default: the peer's `trust`, else none).
   * @returns What it says (`root` and `state`, the state root, in base64), the signed note, and
   *   the witnesses that cosigned it; or why it is not believed.
   */
  async checkpoint(
    shard: number,
    policy?: { witnesses: readonly string[]; quorum: number },
  ): Promise<
    | { ok: true; size: number; root: string; state?: string; note: string; cosigners: string[] }
    | { ok: false; message: string }
  > {
    const url = new URL(`/v1/shards/${shard}/checkpoint`, this.#o.url);
    const res = await fetchFrom(this.#o.fetch, url);
    if (!res.ok) return { ok: false, message: `HTTP ${res.status}: ${await res.text()}` };
    await this.#follow(shard, policy);
    return believed(await this.#trust.checkpoint(shard, await res.text(), policy));
  }

  /**
   * An account's balance, proven: the proof from its home is checked against the state root of
   * a checkpoint believed as {@linkcode PeerLedger.checkpoint} believes one.
   *
   * @param id The account; this peer's by default.
   * @param policy The witnesses required.
   * @returns The account's balance and nonce, or that its home holds none (`present` false),
   *   with the checkpoint's size and cosigners; or why nothing is shown.
   */
  async proveBalance(
    id: string = this.#o.identity.peerId,
    policy?: { witnesses: readonly string[]; quorum: number },
  ): Promise<
    | {
      ok: true;
      present: boolean;
      balance: bigint;
      nonce: number;
      shard: number;
      size: number;
      cosigners: string[];
    }
    | { ok: false; message: string }
  > {
    const answer = await this.#get<BalanceAnswer>(`/v1/accounts/${id}/proof`);
    await this.#follow(answer.shard, policy);
    return await this.#trust.proveBalance(id, answer, policy);
  }

  /**
   * Asks to hear of every new block of a shard, as `block` events on the peer (also after a
   * reconnect). Check a header with `verifyBlockHeader()`.
   *
   * @param shard The shard.
   * @returns The shard's current head, if any.
   */
  async watchBlocks(shard: number): Promise<SignedBlockHeader | null> {
    this.#watched.add(shard);
    return (await this.#o.request({ t: "blocks", shard })).head;
  }

  /** The network's id, shard count and shard keys (fetched once). */
  network(): Promise<NetworkInfo> {
    this.#network ??= this.#get<NetworkInfo>("/v1/network");
    return this.#network;
  }

  /**
   * An account's balance and nonce.
   *
   * @param id The account; this peer's by default.
   * @returns The account.
   */
  balance(id: string = this.#o.identity.peerId): Promise<AccountView> {
    return this.#get(`/v1/accounts/${id}`);
  }

  /**
   * Signs transfers from this peer's account with consecutive nonces, without sending them.
   *
   * @param transfers Recipients and amounts.
   * @returns The signed transfers, ready for {@linkcode PeerLedger.submit}.
   */
  async sign(
    transfers: readonly { to: string; amount: bigint | number }[],
  ): Promise<TransferJson[]> {
    const { network } = await this.network();
    this.#nonce ??= (await this.balance()).nonce;
    const out: TransferJson[] = [];
    for (const { to, amount } of transfers) {
      this.#nonce++;
      out.push(transferToJson(
        await signTransfer(this.#o.identity, {
          network,
          to,
          amount: BigInt(amount),
          nonce: this.#nonce,
        }),
      ));
    }
    return out;
  }

  /**
   * Pays an amount from this peer's account.
   *
   * @param to The recipient.
   * @param amount The amount.
   * @returns The outcome: the transfer's hash, or a refusal with its code.
   */
  async transfer(to: string, amount: bigint | number): Promise<TxOutcome> {
    // Refused here as the network would, before a nonce is taken for it.
    if (to === this.#o.identity.peerId) {
      return { ok: false, code: "TX_TO_SELF", message: "A transfer pays another account" };
    }
    return (await this.submit(await this.sign([{ to, amount }])))[0];
  }

  /**
   * Submits signed transfers, any accounts, as one batch.
   *
   * @param txs Signed transfers, at most `MAX_TX_BATCH`.
   * @returns One outcome each, in order.
   */
  async submit(txs: readonly TransferJson[]): Promise<TxOutcome[]> {
    let results: TxOutcome[];
    if (this.#o.isOpen()) {
      results = (await this.#o.request({ t: "tx", txs: [...txs] })).results;
    } else {
      results = (await this.#post<TxSubmitAnswer>("/v1/tx", txs)).results;
    }
    // A refused nonce is not used: the next signature must reuse it, so ask again.
    if (results.some((r) => !r.ok)) this.#nonce = undefined;
    // Its payer, for `waitForBlock`: the payer's home holds the record the moment it is applied,
    // where the hash's own index is written a moment later (and answers 404 until then).
    results.forEach((r, i) => {
      if (!r.ok) return;
      this.#payers.set(r.hash, txs[i].from);
      if (this.#payers.size > PAYERS_KEPT) this.#payers.delete(this.#payers.keys().next().value!);
    });
    return results;
  }

  /**
   * Where a transfer stands.
   *
   * @param hash The transfer's hash: enough alone, whoever paid it.
   * @param from Its payer (a faucet payment's payee), if known: its home is asked directly.
   * @returns The status, with the proof once sealed.
   */
  status(hash: string, from?: string): Promise<TxStatus> {
    const hint = from === undefined ? "" : `?from=${encodeURIComponent(from)}`;
    return this.#get(`/v1/tx/${hash}${hint}`);
  }

  /**
   * Waits until a transfer is sealed into a block.
   *
   * @param hash The transfer's hash.
   * @param from Its payer, if known.
   * @param timeoutMs How long to wait.
   * @returns Its status, with a proof.
   * @throws {ProtocolError} `TX_NOT_FOUND` if the network never heard of it, `INTERNAL` if it
   *   is still not in a block when the time is up.
   */
  async waitForBlock(
    hash: string,
    from?: string,
    timeoutMs: number = DEFAULT_BLOCK_WAIT_MS,
  ): Promise<TxStatus> {
    from ??= this.#payers.get(hash);
    const start = Date.now();
    const deadline = start + timeoutMs;
    for (;;) {
      // Found by its hash alone a moment after it is applied (the index is written then).
      const status = await this.status(hash, from).catch((error) => {
        if (error?.code === "TX_NOT_FOUND" && Date.now() < Math.min(deadline, start + 5_000)) {
          return undefined;
        }
        throw error;
      });
      if (status?.proof) return status;
      if (Date.now() > deadline) {
        throw new ProtocolError("INTERNAL", `Transfer ${hash} is not in a block yet`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /**
   * Checks a proof offline against the network's shard keys.
   *
   * @param proof The proof.
   * @returns `{ ok: true }`, or a `PROOF_INVALID` refusal saying which check failed.
   */
  async verify(proof: TxProof): Promise<{ ok: true } | Refusal> {
    return verifyTxProof(proof, await this.network());
  }

  // A client that requires witnesses follows the shard's blocks, on which every witness's
  // cosignature is told (the shard keeps only `MAX_COSIGNATURES` of them).
  async #follow(shard: number, policy = this.#o.trust): Promise<void> {
    if (!policy?.quorum || this.#watched.has(shard) || !this.#o.isOpen()) return;
    await this.watchBlocks(shard).catch(() => {});
  }

  async #get<T>(path: string): Promise<T> {
    const url = new URL(path, this.#o.url);
    return await this.#read<T>(url, await fetchFrom(this.#o.fetch, url));
  }

  async #post<T>(path: string, body: unknown): Promise<T> {
    const url = new URL(path, this.#o.url);
    const res = await fetchFrom(this.#o.fetch, url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return await this.#read<T>(url, res);
  }

  async #read<T>(url: URL, res: Response): Promise<T> {
    // Something else answering at that URL (not a superpeer network) says so plainly.
    const body = await res.json().catch(() => {
      throw new ProtocolError(
        "UNREACHABLE",
        `${url} answered HTTP ${res.status} without JSON: is it a superpeer network?`,
      );
    });
    if (!res.ok) {
      throw new ProtocolError(
        body?.code ?? "INTERNAL",
        body?.message ?? `HTTP ${res.status}`,
      );
    }
    return body as T;
  }
}
