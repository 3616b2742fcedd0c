/**
 * Evidence that a log lied: two checkpoints its key signed that cannot both be true, in a form
 * anyone can check offline with nothing but the log's key, and publish (as JSON) for others to
 * check. Two kinds:
 * - `same-size`: two checkpoints of one size with different roots;
 * - `inconsistent`: a checkpoint A at size m, a larger one B, and a consistency proof that B's
 *   tree at size m had another root than A's (the proof a log must serve to those it showed B,
 *   so that their clients believe B).
 *
 * @module
 */
import { base64 } from "@scure/base";
import { HASH_BYTES, verifyConsistency } from "../merkle/mod.ts";
import { type Checkpoint, parseCheckpoint } from "./checkpoint.ts";
import { type NoteKey, openNote } from "./note.ts";

/** Evidence of a fork, JSON-safe: notes as text, hashes in base64. */
export type ForkEvidence =
  | { kind: "same-size"; a: string; b: string }
  | {
    kind: "inconsistent";
    /** The smaller checkpoint's note. */
    a: string;
    /** The larger checkpoint's note. */
    b: string;
    /** The root of B's tree at A's size. */
    prefixRoot: string;
    /** The consistency proof from `prefixRoot` at A's size to B. */
    proof: string[];
  };

/** What checked evidence shows. */
export interface ForkShown {
  /** The evidence holds. */
  ok: true;
  /** The log. */
  origin: string;
  /** The two checkpoints' sizes. */
  sizes: [number, number];
}

/**
 * Checks evidence against a log's key.
 *
 * @param e The evidence (as received: anything).
 * @param key The log's key.
 * @returns What it shows, or why it shows nothing.
 *
 * @example Usage
 * ```ts
 * import { checkForkEvidence } from "./evidence.ts";
 * import { noteKey } from "./note.ts";
 * const r = await checkForkEvidence({ kind: "same-size", a: "", b: "" }, noteKey("log", new Uint8Array(32)));
 * console.assert(!r.ok);
 * ```
 */
export async function checkForkEvidence(
  e: unknown,
  key: NoteKey,
): Promise<ForkShown | { ok: false; message: string }> {
  const no = (message: string) => ({ ok: false as const, message });
  if (typeof e !== "object" || e === null) return no("Not evidence");
  const { kind, a, b } = e as Record<string, unknown>;
  if (typeof a !== "string" || typeof b !== "string") return no("Evidence holds two notes");
  const [ca, cb] = [await signed(a, key), await signed(b, key)];
  if (!ca || !cb) return no(`Both checkpoints must be signed by ${key.name}`);
  if (ca.origin !== cb.origin) return no("The checkpoints are of two logs");
  const shown: ForkShown = { ok: true, origin: ca.origin, sizes: [ca.size, cb.size] };
  if (kind === "same-size") {
    if (ca.size !== cb.size) return no("The checkpoints are of two sizes");
    return same(ca.root, cb.root) ? no("The checkpoints agree") : shown;
  }
  if (kind === "inconsistent") {
    const { prefixRoot, proof } = e as Record<string, unknown>;
    if (ca.size >= cb.size) return no("The first checkpoint must be the smaller");
    // Every tree extends the empty one: a size-0 checkpoint is disputed by one of its own size.
    if (ca.size === 0) return no("Every log extends its empty tree");
    // No tree of 2^53 leaves needs more than 2 × 53 hashes: a longer list is junk, unread.
    if (Array.isArray(proof) && proof.length > 2 * 53) return no("Bad proof");
    const prefix = decode(prefixRoot);
    const path = Array.isArray(proof) ? proof.map(decode) : [];
    if (!prefix || path.some((p) => !p) || !Array.isArray(proof)) return no("Bad proof");
    if (!verifyConsistency(ca.size, cb.size, prefix, cb.root, path as Uint8Array[])) {
      return no("The proof does not hold for the larger checkpoint");
    }
    return same(prefix, ca.root) ? no("The checkpoints agree") : shown;
  }
  return no("Unknown kind of evidence");
}

async function signed(note: string, key: NoteKey): Promise<Checkpoint | undefined> {
  const opened = await openNote(note, [key]);
  const c = opened.ok ? parseCheckpoint(opened.text) : undefined;
  return c?.origin === key.name ? c : undefined;
}

function decode(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const bytes = base64.decode(value);
    return bytes.length === HASH_BYTES ? bytes : undefined;
  } catch {
    return undefined;
  }
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
