/**
 * Transparency-log pieces, as C2SP and RFC 9162 define them: signed notes, checkpoints, witness
 * cosignatures, a witness's check-then-cosign core, a light client's k-of-n witness policy, and
 * evidence of a log that signed two histories. Consistency proofs are in `superpeer/merkle`.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { formatCheckpoint, noteKey, openNote, parseCheckpoint, signNote } from "./mod.ts";
 * const log = await Identity.generate();
 * const text = formatCheckpoint({ origin: "log", size: 0, root: new Uint8Array(32), extensions: [] });
 * const note = await signNote(text, { name: "log", publicKey: log.publicKey, sign: (b) => log.sign(b) });
 * const opened = await openNote(note, [noteKey("log", log.publicKey)]);
 * console.assert(opened.ok && parseCheckpoint(opened.text)?.size === 0);
 * ```
 *
 * @module
 */
export * from "./note.ts";
export * from "./checkpoint.ts";
export * from "./cosignature.ts";
export * from "./witness.ts";
export * from "./quorum.ts";
export * from "./evidence.ts";
export * from "./tiles.ts";
