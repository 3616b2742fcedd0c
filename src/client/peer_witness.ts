/**
 * A peer acting as a witness (C2SP `tlog-witness` semantics, `Witness` in `superpeer/tlog`) for
 * the shards it cares about: it watches their blocks, checks each block's checkpoint against the
 * last one it cosigned with a consistency proof from the network (`GET
 * /v1/shards/:k/consistency/:from/:to`, answered from the edge's cache after the first reader),
 * cosigns it with the peer's own key, and hands the cosignature to the shard (`cosign`), which
 * keeps it with the checkpoint and tells the shard's block watchers. A checkpoint that does not
 * extend the one it holds is never cosigned: the witness reports the two as evidence
 * (`evidence`), and the `witness` event says what it did with each.
 *
 * @module
 */
import { base64 } from "@scure/base";
import type { Identity } from "../identity/identity.ts";
import { logOrigin } from "../protocol/log_wire.ts";
import type { CheckpointAnswer, ConsistencyAnswer, NetworkInfo } from "../protocol/mod.ts";
import { parseCheckpoint } from "../tlog/checkpoint.ts";
import { checkForkEvidence, type ForkEvidence } from "../tlog/evidence.ts";
import { formatNoteKey, NOTE_TYPE_COSIGNATURE, noteKey } from "../tlog/note.ts";
import { memoryWitnessStore, Witness, type WitnessStore } from "../tlog/witness.ts";
import { publicKeyFromPeerId } from "../identity/peer_id.ts";

/** How a peer acts as a witness. */
export interface WitnessOptions {
  /** The shards it witnesses (default: every shard of the network). */
  shards?: readonly number[];
  /** Its key's name in its cosignatures (default: the peer id). */
  name?: string;
  /** Where it keeps the last checkpoint it cosigned per shard (default: in memory). */
  store?: WitnessStore;
}

/** What a witness did with one checkpoint (the `witness` event). */
export interface WitnessDetail {
  /** The shard. */
  shard: number;
  /** The block whose checkpoint it was. */
  height: number;
  /** `cosigned`, `refused` (its code says why), or `evidence` (reported). */
  outcome: "cosigned" | "refused" | "evidence";
  /** For `refused`: the witness's code (`INCONSISTENT`, `OLDER`, …) or the shard's. */
  code?: string;
  /** For `cosigned`: whether the shard kept it with the checkpoint (else only told it). */
  kept?: boolean;
}

/** What a {@linkcode PeerWitness} works with: the peer's ledger client, in parts. */
export interface PeerWitnessHost {
  /** The identity whose key cosigns. */
  identity: Identity;
  /** The network's facts. */
  network(): Promise<NetworkInfo>;
  /** Reads JSON from the network's HTTP API. */
  get<T>(path: string): Promise<T>;
  /** Watches a shard's blocks (their checkpoints come as `checkpoint` events). */
  watch(shard: number): Promise<unknown>;
  /** Sends a `cosign` request. */
  cosign(shard: number, height: number, cosignature: string): Promise<{ kept: boolean }>;
  /** Sends an `evidence` request. */
  report(evidence: ForkEvidence): Promise<unknown>;
  /** Tells what it did. */
  emit(detail: WitnessDetail): void;
}

/**
 * One peer's witness.
 *
 * @example Usage
 * ```ts
 * import type { Peer } from "./peer.ts";
 * // A peer started with `witness: {}` witnesses every shard; its key, for clients' policies:
 * export const key = (peer: Peer) => peer.ledger.witnessKey();
 * ```
 */
export class PeerWitness {
  readonly #host: PeerWitnessHost;
  readonly #options: WitnessOptions;
  #witness: Promise<Witness> | undefined;
  // One checkpoint at a time per shard: the witness's head moves in order.
  readonly #queues = new Map<number, Promise<void>>();

  /**
   * @param host The peer's ledger client, in parts.
   * @param options The shards, the key's name, the store.
   */
  constructor(host: PeerWitnessHost, options: WitnessOptions) {
    this.#host = host;
    this.#options = options;
  }

  /** The key's name in this witness's cosignatures. */
  get name(): string {
    return this.#options.name ?? this.#host.identity.peerId;
  }

  /**
   * The witness's key in its text form, for a client's policy (`TrustPolicy.witnesses`).
   *
   * @returns `name+hex id+base64(0x04 || key)`.
   */
  key(): string {
    const { publicKey } = this.#host.identity;
    return formatNoteKey(noteKey(this.name, publicKey, NOTE_TYPE_COSIGNATURE));
  }

  /** Watches the shards' blocks; each checkpoint heard is checked and cosigned. */
  async start(): Promise<void> {
    const info = await this.#host.network();
    const shards = this.#options.shards ?? info.shardKeys.map((_, k) => k);
    for (const shard of shards) {
      // The head at the watch is checked at once; later blocks come as they are sealed.
      const head = await this.#host.watch(shard) as { height: number } | null;
      if (!head) continue;
      const at = await this.#host.get<CheckpointAnswer>(
        `/v1/shards/${shard}/checkpoints/${head.height}`,
      )
        .catch(() => undefined);
      if (at) void this.heard(shard, at.height, at.checkpoint);
    }
  }

  /**
   * Takes a checkpoint a watched shard announced (in order per shard).
   *
   * @param shard The shard.
   * @param height The block.
   * @param note The checkpoint's note.
   * @returns Once it is cosigned, refused, or reported.
   */
  heard(shard: number, height: number, note: string): Promise<void> {
    if (this.#options.shards && !this.#options.shards.includes(shard)) return Promise.resolve();
    const before = this.#queues.get(shard) ?? Promise.resolve();
    const next = before.then(() => this.#check(shard, height, note)).catch(() => {});
    this.#queues.set(shard, next);
    return next;
  }

  async #check(shard: number, height: number, note: string): Promise<void> {
    const witness = await this.#make();
    const info = await this.#host.network();
    const origin = logOrigin(info.network, shard);
    const c = parseCheckpoint(note.slice(0, note.indexOf("\n\n") + 1));
    if (!c) return this.#host.emit({ shard, height, outcome: "refused", code: "MALFORMED" });
    const store = this.#store();
    let held = await store.get(origin);
    for (let attempt = 0; attempt < 2; attempt++) {
      const from = held?.size ?? 0;
      const got = held && from < c.size ? await this.#proof(shard, from, c.size) : undefined;
      if (typeof got === "string") {
        return this.#host.emit({ shard, height, outcome: "refused", code: got });
      }
      const proof = got;
      const answer = await witness.add({
        oldSize: from,
        proof: (proof?.proof ?? []).map((h) => base64.decode(h)),
        checkpoint: note,
      });
      if (answer.ok) {
        // Told to the shard's watchers; kept with the checkpoint unless it is full. A shard that
        // refuses it (an older block, a restart) is said so.
        const sent = await this.#host.cosign(shard, height, answer.cosignature).then(
          (r) => ({ kept: r.kept }),
          (error) => ({ code: (error as { code?: string }).code ?? "INTERNAL" }),
        );
        return this.#host.emit(
          "code" in sent
            ? { shard, height, outcome: "refused", code: sent.code }
            : { shard, height, outcome: "cosigned", kept: sent.kept },
        );
      }
      if (answer.code === "CONFLICT") {
        held = await store.get(origin);
        continue;
      }
      if (answer.code === "INCONSISTENT" && held?.note) {
        // The shard's key signed a checkpoint that does not extend the one held: both are its.
        const evidence: ForkEvidence = held.size === c.size
          ? { kind: "same-size", a: held.note, b: note }
          : {
            kind: "inconsistent",
            a: held.note,
            b: note,
            prefixRoot: proof!.fromRoot,
            proof: proof!.proof,
          };
        // Reported only if it holds: a proof that is merely wrong shows nothing.
        const key = noteKey(origin, publicKeyFromPeerId(info.shardKeys[shard]));
        if ((await checkForkEvidence(evidence, key)).ok) {
          await this.#host.report(evidence);
          return this.#host.emit({ shard, height, outcome: "evidence" });
        }
      }
      if (answer.code === "OLDER" && held?.note && await this.#older(shard, origin, note, held)) {
        return this.#host.emit({ shard, height, outcome: "evidence" });
      }
      return this.#host.emit({ shard, height, outcome: "refused", code: answer.code });
    }
  }

  // A checkpoint smaller than the one held: an older one of the same history, or one the held
  // one does not extend. The network's proof from its size to the held one's says which; in
  // the second case the two are evidence, reported (a = the smaller, b = the held one).
  async #older(
    shard: number,
    origin: string,
    note: string,
    held: { size: number; note?: string },
  ): Promise<boolean> {
    const c = parseCheckpoint(note.slice(0, note.indexOf("\n\n") + 1))!;
    if (c.size === 0) return false;
    const proof = await this.#proof(shard, c.size, held.size);
    if (typeof proof === "string") return false;
    const evidence: ForkEvidence = {
      kind: "inconsistent",
      a: note,
      b: held.note!,
      prefixRoot: proof.fromRoot,
      proof: proof.proof,
    };
    const info = await this.#host.network();
    const key = noteKey(origin, publicKeyFromPeerId(info.shardKeys[shard]));
    if (!(await checkForkEvidence(evidence, key)).ok) return false;
    await this.#host.report(evidence);
    return true;
  }

  // A consistency proof from the network, or the code it refused with.
  async #proof(shard: number, from: number, to: number): Promise<ConsistencyAnswer | string> {
    try {
      return await this.#host.get<ConsistencyAnswer>(
        `/v1/shards/${shard}/consistency/${from}/${to}`,
      );
    } catch (error) {
      return (error as { code?: string }).code ?? "UNREACHABLE";
    }
  }

  #store(): WitnessStore {
    return this.#options.store ??= memoryWitnessStore();
  }

  #make(): Promise<Witness> {
    this.#witness ??= (async () => {
      const info = await this.#host.network();
      const logs = info.shardKeys.map((id, k) =>
        noteKey(logOrigin(info.network, k), publicKeyFromPeerId(id))
      );
      const { identity } = this.#host;
      const signer = {
        name: this.name,
        publicKey: identity.publicKey,
        sign: (b: Uint8Array) => identity.sign(b),
      };
      return new Witness(signer, logs, this.#store());
    })();
    return this.#witness;
  }
}
