/**
 * Where a peer reports evidence that a shard's key signed two histories (`checkForkEvidence`):
 * the evidence is checked here, at the reporter's home, with the shard's public key alone, and
 * if it holds and was not told before, published on `$evidence` for every peer that listens.
 * The network tells only evidence that holds, so the topic cannot be flooded with junk; a
 * client checks each piece again itself before it distrusts a key.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { hex } from "../../../src/encoding/mod.ts";
import { logOrigin } from "../../../src/ledger/mod.ts";
import {
  type ControlReplies,
  EVIDENCE_TOPIC,
  type Refusal,
  refusal,
} from "../../../src/protocol/mod.ts";
import {
  checkForkEvidence,
  type NoteKey,
  noteKey,
  parseCheckpoint,
} from "../../../src/tlog/mod.ts";
import type { NetworkConfig } from "../../config.ts";
import type { Publish } from "../../rpc.ts";
import { deriveShardKey } from "../../shard_keys.ts";

/** Evidence told, remembered so that a repeat is not told again (the oldest forgotten first). */
const TOLD_KEPT = 1_024;

/**
 * One shard's evidence desk.
 *
 * @example Usage
 * ```ts
 * import type { NetworkConfig } from "../../config.ts";
 * import { EvidenceDesk } from "./evidence_desk.ts";
 * export const desk = (config: NetworkConfig) => new EvidenceDesk(config, () => {});
 * ```
 */
export class EvidenceDesk {
  readonly #config: NetworkConfig;
  readonly #publish: (p: Publish) => void;
  readonly #keys = new Map<number, Promise<NoteKey>>();
  readonly #told = new Set<string>();

  /**
   * @param config The network's config (its secret derives the shards' keys).
   * @param publish Publishes on a topic, as the network.
   */
  constructor(config: NetworkConfig, publish: (p: Publish) => void) {
    this.#config = config;
    this.#publish = publish;
  }

  /**
   * Checks evidence and tells it on `$evidence` if it holds and is new.
   *
   * @param peer The peer that reports it.
   * @param id The request's id.
   * @param evidence The evidence, as received.
   * @returns The answer, or `EVIDENCE_INVALID` with why.
   */
  async report(
    peer: string,
    id: number,
    evidence: unknown,
  ): Promise<ControlReplies["evidence"] | Refusal> {
    const shard = this.#shardOf(evidence);
    if (shard === undefined) {
      return refusal("EVIDENCE_INVALID", "The evidence names no shard of this network");
    }
    const shown = await checkForkEvidence(evidence, await this.#key(shard));
    if (!shown.ok) return refusal("EVIDENCE_INVALID", shown.message);
    // Told as checked, its fields and nothing else; once per pair of roots, however it is dressed.
    const e = evidence as Record<string, unknown>;
    const told = e.kind === "same-size"
      ? { kind: e.kind, a: e.a, b: e.b }
      : { kind: e.kind, a: e.a, b: e.b, prefixRoot: e.prefixRoot, proof: e.proof };
    const roots = [e.a, e.b].map((n) => parseCheckpoint(noteText(String(n)))!.root);
    const digest = hex.encode(sha256(new TextEncoder().encode(
      `${shard}:${shown.sizes.join(":")}:${roots.map((r) => hex.encode(r)).join(":")}`,
    )));
    const fresh = !this.#told.has(digest);
    if (fresh) {
      this.#told.add(digest);
      if (this.#told.size > TOLD_KEPT) this.#told.delete(this.#told.values().next().value!);
      const data = JSON.stringify({ shard, evidence: told });
      this.#publish({ topic: EVIDENCE_TOPIC, from: peer, n: 0, data });
    }
    return { t: "evidence.result", id, shard, sizes: shown.sizes, fresh };
  }

  // The shard whose log the first checkpoint names, if it is one of this network's.
  #shardOf(evidence: unknown): number | undefined {
    const a = (evidence as { a?: unknown } | null)?.a;
    if (typeof a !== "string") return undefined;
    const c = parseCheckpoint(noteText(a));
    const prefix = logOrigin(this.#config.network, 0).slice(0, -1);
    if (!c?.origin.startsWith(prefix)) return undefined;
    const text = c.origin.slice(prefix.length);
    const k = Number(text);
    const ok = /^[0-9]{1,4}$/.test(text) && k < this.#config.placement.shards;
    return ok && logOrigin(this.#config.network, k) === c.origin ? k : undefined;
  }

  #key(shard: number): Promise<NoteKey> {
    let key = this.#keys.get(shard);
    if (!key) {
      const { secret, network } = this.#config;
      key = deriveShardKey(secret, network, shard).then((id) =>
        noteKey(logOrigin(network, shard), id.publicKey)
      );
      this.#keys.set(shard, key);
    }
    return key;
  }
}

// A signed note's text: what its signatures cover.
function noteText(note: string): string {
  return note.slice(0, note.indexOf("\n\n") + 1);
}
