/**
 * What a light client believes of the shards' logs (`docs/LEDGER.md`, "Witnesses and
 * evidence"): a checkpoint only if its shard's key signed it and, under a witness policy, enough
 * of the named witnesses cosigned it; two checkpoints it saw of one size with different roots
 * become evidence, reported to the network; and evidence that holds, whoever found it, makes it
 * distrust that shard's key for good (the `distrust` event says so), so that every later
 * checkpoint or balance proof of that shard is refused.
 *
 * @module
 */
import { publicKeyFromPeerId } from "../identity/peer_id.ts";
import { base64 } from "@scure/base";
import { verifyBalanceProof } from "../ledger/balance_proof.ts";
import { type BalanceAnswer, logOrigin, type NetworkInfo } from "../protocol/mod.ts";
import { parseCheckpoint } from "../tlog/checkpoint.ts";
import { checkForkEvidence, type ForkEvidence } from "../tlog/evidence.ts";
import { type NoteKey, noteKey, openNote, parseNoteKey } from "../tlog/note.ts";
import { trustCheckpoint, type TrustedCheckpoint } from "../tlog/quorum.ts";

/** Which witnesses a client requires of a checkpoint before it believes it. */
export interface TrustPolicy {
  /** The witnesses, each as its key's text form (`name+hex id+base64(0x04 || key)`). */
  witnesses: readonly string[];
  /** How many of them must have cosigned. */
  quorum: number;
}

/** Why a shard's key is no longer believed: the evidence, checked. */
export interface DistrustDetail {
  /** The shard. */
  shard: number;
  /** The evidence that holds against its key. */
  evidence: ForkEvidence;
}

/** What a {@linkcode LedgerTrust} works with. */
export interface LedgerTrustOptions {
  /** The network's facts (its id and shard keys). */
  network: () => Promise<NetworkInfo>;
  /** Reports evidence found here to the network (`evidence` request). */
  report: (evidence: ForkEvidence) => Promise<unknown>;
  /** Told once per shard whose key becomes distrusted. */
  distrusted: (detail: DistrustDetail) => void;
  /** The witnesses required of a checkpoint by default (none: the shard's signature alone). */
  policy?: TrustPolicy;
}

/** Cosignatures heard per checkpoint, and checkpoints per shard, kept to add to a check. */
const COSIGNED_PER_CHECKPOINT = 64;
const COSIGNED_HEIGHTS = 64;

/** Checkpoints kept per shard, by size, to meet a second of the same size. */
const SEEN_PER_SHARD = 256;

/**
 * One peer's trust in the shards' logs.
 *
 * @example Usage
 * ```ts
 * import { LedgerTrust } from "./ledger_trust.ts";
 * const trust = new LedgerTrust({
 *   network: () => Promise.reject(new Error("offline")),
 *   report: () => Promise.resolve(),
 *   distrusted: () => {},
 * });
 * console.assert(!trust.distrusts(0));
 * ```
 */
export class LedgerTrust {
  readonly #o: LedgerTrustOptions;
  readonly #keys = new Map<number, NoteKey>();
  readonly #seen = new Map<number, Map<number, string>>();
  readonly #distrusted = new Map<number, ForkEvidence>();
  // Witnesses' lines heard on the shards' block topics, by shard and height (the latest few).
  readonly #cosigned = new Map<number, Map<number, Set<string>>>();

  /**
   * @param o The network's facts, how to report evidence, whom to tell of a key distrusted, and
   *   the default witness policy (none: a checkpoint needs the shard's signature alone).
   */
  constructor(o: LedgerTrustOptions) {
    this.#o = o;
  }

  /**
   * Whether a shard's key is distrusted (evidence against it held).
   *
   * @param shard The shard.
   * @returns Whether.
   */
  distrusts(shard: number): boolean {
    return this.#distrusted.has(shard);
  }

  /**
   * Checks a shard's checkpoint: signed by the shard's key, cosigned as the policy requires,
   * and the shard's key not distrusted. A checkpoint believed or not is remembered, to meet
   * another of its size.
   *
   * @param shard The shard.
   * @param note The checkpoint's note, with any cosignatures.
   * @param policy The witnesses required (default: the peer's).
   * @returns The checkpoint and its cosigners, or why it is not believed.
   */
  async checkpoint(
    shard: number,
    note: string,
    policy: TrustPolicy | undefined = this.#o.policy,
  ): Promise<(TrustedCheckpoint & { note: string }) | { ok: false; message: string }> {
    const key = await this.#key(shard);
    await this.seen(shard, note);
    if (this.#distrusted.has(shard)) {
      return { ok: false, message: `Shard ${shard}'s key signed two histories: not believed` };
    }
    const witnesses = (policy?.witnesses ?? []).map((w) => parseNoteKey(w));
    if (witnesses.some((w) => !w)) return { ok: false, message: "A witness key is not one" };
    const r = await trustCheckpoint(this.#withHeard(shard, note), key, {
      witnesses: witnesses as NoteKey[],
      quorum: policy?.quorum ?? 0,
    });
    return r.ok ? { ...r, note } : r;
  }

  /**
   * Takes a witness's cosignature heard on a shard's block topic: added to that checkpoint when
   * it is checked, whether the shard kept it or not.
   *
   * @param shard The shard.
   * @param height The block.
   * @param line The signature line.
   */
  cosigned(shard: number, height: number, line: string): void {
    const byHeight = this.#cosigned.get(shard) ?? new Map<number, Set<string>>();
    this.#cosigned.set(shard, byHeight);
    const lines = byHeight.get(height) ?? new Set<string>();
    byHeight.set(height, lines);
    if (lines.size < COSIGNED_PER_CHECKPOINT) lines.add(line.endsWith("\n") ? line : `${line}\n`);
    if (byHeight.size > COSIGNED_HEIGHTS) byHeight.delete(byHeight.keys().next().value!);
  }

  /**
   * Meets a checkpoint of a shard (from a block it watches, or an answer): if one of the same
   * size with another root was seen, both signed by the shard's key, that is evidence, reported
   * to the network and held against the key.
   *
   * @param shard The shard.
   * @param note The checkpoint's note.
   */
  async seen(shard: number, note: string): Promise<void> {
    const text = note.slice(0, note.indexOf("\n\n") + 1);
    const c = text ? parseCheckpoint(text) : undefined;
    if (!c) return;
    const bySize = this.#seen.get(shard) ?? new Map<number, string>();
    this.#seen.set(shard, bySize);
    const earlier = bySize.get(c.size);
    // The same text again (a repeat read) shows nothing, and is not checked again.
    if (earlier !== undefined && earlier.startsWith(text)) return;
    // Only what the shard's key signed is kept: junk of a size must not take a real one's place.
    const opened = await openNote(note, [await this.#key(shard)]);
    if (!opened.ok) return;
    if (earlier === undefined) {
      bySize.set(c.size, note);
      if (bySize.size > SEEN_PER_SHARD) bySize.delete(bySize.keys().next().value!);
      return;
    }
    const evidence: ForkEvidence = { kind: "same-size", a: earlier, b: note };
    if (await this.evidence(shard, evidence)) await this.#o.report(evidence).catch(() => {});
  }

  /**
   * Takes evidence against a shard's key (told on `$evidence`, or found here): checked with
   * the key alone; if it holds, the key is distrusted from now on.
   *
   * @param shard The shard it names.
   * @param evidence The evidence, as received.
   * @returns Whether it held (and was new).
   */
  async evidence(shard: number, evidence: unknown): Promise<boolean> {
    if (this.#distrusted.has(shard) || !Number.isSafeInteger(shard)) return false;
    const shown = await checkForkEvidence(evidence, await this.#key(shard));
    if (!shown.ok) return false;
    this.#distrusted.set(shard, evidence as ForkEvidence);
    this.#o.distrusted({ shard, evidence: evidence as ForkEvidence });
    return true;
  }

  /**
   * Checks an account's balance proof from its home (`GET /v1/accounts/:id/proof`) against the
   * state root of its checkpoint, believed as {@linkcode LedgerTrust.checkpoint} believes one.
   *
   * @param id The account.
   * @param answer The home's answer.
   * @param policy The witnesses required.
   * @returns The balance and nonce (0 and 0, `present` false, for none), or why not.
   */
  async proveBalance(
    id: string,
    answer: BalanceAnswer,
    policy: TrustPolicy | undefined,
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
    const trusted = believed(await this.checkpoint(answer.shard, answer.checkpoint, policy));
    if (!trusted.ok) return trusted;
    if (!trusted.state) return { ok: false, message: "The checkpoint carries no state root" };
    const shown = verifyBalanceProof(base64.decode(trusted.state), answer.proof);
    if (!shown.ok) return shown;
    if (shown.account !== id) return { ok: false, message: "A proof of another account" };
    const { size, cosigners } = trusted;
    const [balance, nonce] = shown.present ? [shown.balance, shown.nonce] : [0n, 0];
    return {
      ok: true,
      present: shown.present,
      balance,
      nonce,
      shard: answer.shard,
      size,
      cosigners,
    };
  }

  // The note with the cosignatures heard for its block that it does not carry.
  #withHeard(shard: number, note: string): string {
    const block = /\nblock (\d+) /.exec(note.slice(0, note.indexOf("\n\n") + 1));
    const heard = block ? this.#cosigned.get(shard)?.get(Number(block[1])) : undefined;
    if (!heard) return note;
    const more = [...heard].filter((l) => !note.includes(l));
    return note + more.join("");
  }

  async #key(shard: number): Promise<NoteKey> {
    let key = this.#keys.get(shard);
    if (!key) {
      const info = await this.#o.network();
      const id = info.shardKeys[shard];
      if (id === undefined) throw new RangeError(`No shard ${shard} in this network`);
      key = noteKey(logOrigin(info.network, shard), publicKeyFromPeerId(id));
      this.#keys.set(shard, key);
    }
    return key;
  }
}

/**
 * A checkpoint believed, as `peer.ledger.checkpoint()` answers: its figures in base64, its
 * cosigners by name.
 *
 * @example Usage
 * ```ts
 * import { believed } from "./ledger_trust.ts";
 * console.assert(!believed({ ok: false, message: "no" }).ok);
 * ```
 *
 * @param t What {@linkcode LedgerTrust.checkpoint} said.
 * @returns The same, in the client's terms.
 */
export function believed(
  t: (TrustedCheckpoint & { note?: string }) | { ok: false; message: string },
):
  | { ok: true; size: number; root: string; state?: string; note: string; cosigners: string[] }
  | { ok: false; message: string } {
  if (!t.ok) return t;
  const state = t.checkpoint.extensions.find((e) => e.startsWith("state "))?.slice(6);
  return {
    ok: true,
    size: t.checkpoint.size,
    root: base64.encode(t.checkpoint.root),
    ...(state ? { state } : {}),
    note: t.note ?? "",
    cosigners: t.cosigners.map((c) => c.name),
  };
}
