/**
 * A light client's trust in a checkpoint: signed by its log, and cosigned by at least `k` of
 * the `n` witnesses it names (a policy like Sigsum's). A log that shows a forked history to
 * some clients cannot get it cosigned by witnesses that saw the other, so those clients refuse
 * it when it lacks the quorum.
 *
 * @module
 */
import { type Checkpoint, parseCheckpoint } from "./checkpoint.ts";
import { verifyCosignature } from "./cosignature.ts";
import { type NoteKey, openNote, splitNote } from "./note.ts";

/** Which witnesses a client requires. */
export interface WitnessPolicy {
  /** The witnesses it names (cosignature keys, type 0x04). */
  witnesses: readonly NoteKey[];
  /** How many of them must have cosigned. */
  quorum: number;
}

/** A checkpoint the client may believe. */
export interface TrustedCheckpoint {
  /** Believed. */
  ok: true;
  /** What it says. */
  checkpoint: Checkpoint;
  /** The witnesses that cosigned it, by name, with the time each did. */
  cosigners: { name: string; time: number }[];
}

/**
 * Checks a checkpoint's note: the log's signature, then the named witnesses' cosignatures.
 *
 * @param note The checkpoint's note, with the log's line and the witnesses' lines.
 * @param log The log's key.
 * @param policy The witnesses required.
 * @returns The checkpoint and its cosigners, or why it is not believed.
 *
 * @example Usage
 * ```ts
 * import { noteKey } from "./note.ts";
 * import { trustCheckpoint } from "./quorum.ts";
 * const r = await trustCheckpoint("x\n", noteKey("log", new Uint8Array(32)), {
 *   witnesses: [],
 *   quorum: 0,
 * });
 * console.assert(!r.ok);
 * ```
 */
export async function trustCheckpoint(
  note: string,
  log: NoteKey,
  policy: WitnessPolicy,
): Promise<TrustedCheckpoint | { ok: false; message: string }> {
  if (!Number.isInteger(policy.quorum) || policy.quorum < 0) {
    return { ok: false, message: "A quorum is a whole number of witnesses" };
  }
  const opened = await openNote(note, [log]);
  if (!opened.ok) return { ok: false, message: `Not signed by ${log.name}: ${opened.message}` };
  const checkpoint = parseCheckpoint(opened.text);
  if (!checkpoint || checkpoint.origin !== log.name) {
    return { ok: false, message: "Not a checkpoint of this log" };
  }
  const split = splitNote(note);
  if (!split.ok) return { ok: false, message: split.message };
  const cosigners: { name: string; time: number }[] = [];
  const counted = new Set<string>();
  for (const w of policy.witnesses) {
    // A witness named twice counts once.
    if (counted.has(`${w.name}+${w.id}`)) continue;
    for (const line of split.signatures) {
      if (line.name !== w.name || line.id !== w.id) continue;
      const time = await verifyCosignature(opened.text, line, w);
      if (time !== undefined) {
        cosigners.push({ name: w.name, time });
        counted.add(`${w.name}+${w.id}`);
        break;
      }
    }
  }
  if (cosigners.length < policy.quorum) {
    return {
      ok: false,
      message: `Cosigned by ${cosigners.length} of the witnesses named; ${policy.quorum} required`,
    };
  }
  return { ok: true, checkpoint, cosigners };
}
