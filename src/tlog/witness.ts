/**
 * A witness (C2SP `tlog-witness` semantics), as a pure core behind a small host: for each log
 * it watches it keeps the last checkpoint it cosigned (size and root), and cosigns a new one
 * only if the log signed it and a consistency proof shows it extends the one kept. A log that
 * shows one history to some and another to the rest therefore cannot get both cosigned by the
 * same witness, and a client that requires cosignatures of k named witnesses (`quorum.ts`)
 * refuses the view that lacks them.
 *
 * The request names the size the caller believes the witness holds (`oldSize`): if the witness
 * holds another, it answers `CONFLICT` with its size, and the caller asks again with a proof
 * from that size. The witness's state is written only by a compare-and-swap on the size it
 * read, so two requests at once cannot both move it.
 *
 * @module
 */
import { verifyConsistency } from "../merkle/mod.ts";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.ts";
import { cosign } from "./cosignature.ts";
import { type NoteKey, type NoteSigner, openNote } from "./note.ts";

/** What the witness keeps of a log: the last checkpoint it cosigned. */
export interface WitnessedHead {
  /** The checkpoint's size. */
  size: number;
  /** Its root. */
  root: Uint8Array;
  /** The signed note itself, kept so that a fork shown later can be proven with it. */
  note?: string;
}

/** Where a witness keeps its heads: one per log origin. */
export interface WitnessStore {
  /** The head kept for a log, if any. */
  get(origin: string): Promise<WitnessedHead | undefined>;
  /**
   * Replaces the head of a log if it still has the size read before (`undefined`: none).
   *
   * @returns Whether it was replaced.
   */
  swap(origin: string, from: number | undefined, to: WitnessedHead): Promise<boolean>;
}

/** A request to cosign a checkpoint. */
export interface AddCheckpoint {
  /** The size of the witness's head the proof starts from (0 for a log it never saw). */
  oldSize: number;
  /** The consistency proof from `oldSize` to the checkpoint's size. */
  proof: Uint8Array[];
  /** The checkpoint, as a note signed by the log. */
  checkpoint: string;
}

/** Why a witness did not cosign: each with what the caller may do. */
export type WitnessRefusal =
  | { ok: false; code: "MALFORMED"; message: string }
  | { ok: false; code: "UNKNOWN_LOG"; message: string }
  | { ok: false; code: "BAD_SIGNATURE"; message: string }
  /** The witness holds another size: ask again from `size`. */
  | { ok: false; code: "CONFLICT"; message: string; size: number }
  /** The proof does not show the checkpoint extends the head kept: a fork, or a bad proof. */
  | { ok: false; code: "INCONSISTENT"; message: string }
  /** The checkpoint is smaller than the head kept: nothing to cosign. */
  | { ok: false; code: "OLDER"; message: string };

/**
 * One witness.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { NOTE_TYPE_COSIGNATURE, noteKey } from "./note.ts";
 * import { memoryWitnessStore, Witness } from "./witness.ts";
 * const me = await Identity.generate();
 * const signer = { name: "w", publicKey: me.publicKey, sign: (b: Uint8Array) => me.sign(b) };
 * const witness = new Witness(signer, [], memoryWitnessStore(), () => 1_700_000_000);
 * const answer = await witness.add({ oldSize: 0, proof: [], checkpoint: "x\n" });
 * console.assert(!answer.ok && answer.code === "MALFORMED");
 * console.assert(noteKey("w", me.publicKey, NOTE_TYPE_COSIGNATURE).type === 4);
 * ```
 */
export class Witness {
  readonly #signer: NoteSigner;
  readonly #logs: readonly NoteKey[];
  readonly #store: WitnessStore;
  readonly #now: () => number;

  /**
   * Makes a witness over a store of heads.
   *
   * @param signer The witness's key (its lines are `cosignature/v1`, key type 0x04).
   * @param logs The keys of the logs it watches; a log's origin is its key's name.
   * @param store Where it keeps its heads.
   * @param now The time in whole seconds since the epoch.
   */
  constructor(
    signer: NoteSigner,
    logs: readonly NoteKey[],
    store: WitnessStore,
    now: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.#signer = signer;
    this.#logs = logs;
    this.#store = store;
    this.#now = now;
  }

  /**
   * Cosigns a checkpoint if its log signed it and it extends the head kept.
   *
   * @param req The checkpoint, the size its proof starts from, and the proof.
   * @returns The cosignature line (to add to the checkpoint's note), or why not.
   */
  async add(
    req: AddCheckpoint,
  ): Promise<{ ok: true; cosignature: string; checkpoint: Checkpoint } | WitnessRefusal> {
    if (
      typeof req?.checkpoint !== "string" || !Array.isArray(req.proof) ||
      !req.proof.every((h) => h instanceof Uint8Array)
    ) {
      return { ok: false, code: "MALFORMED", message: "A checkpoint note and a list of hashes" };
    }
    const text = req.checkpoint.slice(0, req.checkpoint.indexOf("\n\n") + 1);
    const c = text ? parseCheckpoint(text) : undefined;
    if (!c) return { ok: false, code: "MALFORMED", message: "Not a signed checkpoint" };
    const keys = this.#logs.filter((k) => k.name === c.origin);
    if (keys.length === 0) {
      return { ok: false, code: "UNKNOWN_LOG", message: `No log ${c.origin} is watched here` };
    }
    const opened = await openNote(req.checkpoint, keys);
    if (!opened.ok || opened.text !== text) {
      return { ok: false, code: "BAD_SIGNATURE", message: "The log's signature does not verify" };
    }
    const head = await this.#store.get(c.origin);
    const held = head?.size ?? 0;
    if (!Number.isSafeInteger(req.oldSize) || req.oldSize !== held) {
      return { ok: false, code: "CONFLICT", message: `The head kept is at ${held}`, size: held };
    }
    if (c.size < held) {
      return { ok: false, code: "OLDER", message: `Checkpoint ${c.size} is older than ${held}` };
    }
    const consistent = head
      ? verifyConsistency(held, c.size, head.root, c.root, req.proof)
      : req.proof.length === 0;
    if (!consistent) {
      return {
        ok: false,
        code: "INCONSISTENT",
        message: `Checkpoint ${c.size} does not extend the head kept at ${held}`,
      };
    }
    const next = { size: c.size, root: c.root, note: req.checkpoint };
    if (!await this.#store.swap(c.origin, head?.size, next)) {
      const now = (await this.#store.get(c.origin))?.size ?? 0;
      return { ok: false, code: "CONFLICT", message: `The head kept is at ${now}`, size: now };
    }
    return { ok: true, cosignature: await cosign(text, this.#signer, this.#now()), checkpoint: c };
  }
}

/**
 * A witness store in memory (tests; a witness that need not survive a restart).
 *
 * @returns The store.
 *
 * @example Usage
 * ```ts
 * import { memoryWitnessStore } from "./witness.ts";
 * const store = memoryWitnessStore();
 * console.assert(await store.swap("log", undefined, { size: 1, root: new Uint8Array(32) }));
 * ```
 */
export function memoryWitnessStore(): WitnessStore {
  const heads = new Map<string, WitnessedHead>();
  return {
    get: (origin) => Promise.resolve(heads.get(origin)),
    swap: (origin, from, to) => {
      if (heads.get(origin)?.size !== from) return Promise.resolve(false);
      heads.set(origin, { ...to, root: to.root.slice() });
      return Promise.resolve(true);
    },
  };
}
