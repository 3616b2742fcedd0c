/**
 * Signed notes (C2SP `signed-note`): a text ending in a newline, a blank line, then one or
 * more signature lines `— <key name> <base64(key id || signature)>`. The signatures cover the
 * text with its final newline. A key is named and identified by a 4-byte id, the first bytes
 * of `SHA-256(name || 0x0A || type || public key)`, so that a verifier finds the key a line
 * claims without trying each; its type byte is 0x01 for an Ed25519 signature of the text and
 * 0x04 for a witness's cosignature (`cosignature.ts`), which signs other bytes.
 *
 * A note is read (`openNote`) against the keys the reader trusts: a line of a trusted key that
 * does not verify refuses the whole note; lines of other keys are kept aside, unverified; a
 * note with no verified line is refused. Refusals are values, never exceptions.
 *
 * @module
 */
import { base64 } from "@scure/base";
import { verifyEd25519 } from "../identity/identity.ts";
import {
  hasControl,
  isNoteKeyName,
  NOTE_TYPE_ED25519,
  type NoteKey,
  noteKeyId,
} from "./note_key.ts";

export * from "./note_key.ts";
export { verifyEd25519 } from "../identity/identity.ts";

/** Most signature lines a note may carry; more is malformed. */
export const NOTE_MAX_SIGNATURES = 100;

const encoder = new TextEncoder();
const DASH = "\u2014 ";

/** One signature line, as read. */
export interface NoteSignature {
  /** The key's name. */
  name: string;
  /** The key id the line claims. */
  id: number;
  /** What follows the id: the signature (after a cosignature's timestamp). */
  bytes: Uint8Array;
}

/** A note whose signatures were checked against the trusted keys. */
export interface OpenedNote {
  /** Accepted. */
  ok: true;
  /** The text the signatures cover, with its final newline. */
  text: string;
  /** Lines of trusted keys, each verified (one per key). */
  verified: NoteSignature[];
  /** Lines of keys the reader does not know, unverified. */
  unverified: NoteSignature[];
}

/** Why a note was not accepted. */
export interface NoteRefusal {
  /** Refused. */
  ok: false;
  /** `malformed`: not a signed note; `invalid`: a trusted key's line does not verify;
   * `unverified`: no line of a trusted key. */
  reason: "malformed" | "invalid" | "unverified";
  /** What was wrong, for a person. */
  message: string;
}

/** Signs a note's text with one key. */
export interface NoteSigner {
  /** The key's name. */
  name: string;
  /** Its public key. */
  publicKey: Uint8Array;
  /** Signs bytes (Ed25519). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/**
 * Signs a text as a note: the text, a blank line, the signer's line.
 *
 * @param text The text: non-empty, ending in a newline, no blank line, no control character
 *   other than newline.
 * @param signer The key that signs.
 * @returns The signed note.
 * @throws {TypeError} If the text or the signer's name cannot make a note.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { noteKey, openNote, signNote } from "./note.ts";
 * const me = await Identity.generate();
 * const signer = { name: "log", publicKey: me.publicKey, sign: (b: Uint8Array) => me.sign(b) };
 * const note = await signNote("hello\n", signer);
 * const opened = await openNote(note, [noteKey("log", me.publicKey)]);
 * console.assert(opened.ok && opened.text === "hello\n");
 * ```
 */
export async function signNote(text: string, signer: NoteSigner): Promise<string> {
  if (!isNoteText(text)) {
    throw new TypeError("A note's text must end in a newline, with no blank line");
  }
  if (!isNoteKeyName(signer.name)) throw new TypeError(`Not a key name: ${signer.name}`);
  const id = noteKeyId(signer.name, NOTE_TYPE_ED25519, signer.publicKey);
  const sig = await signer.sign(encoder.encode(text));
  return `${text}\n${signatureLine(signer.name, id, sig)}`;
}

/**
 * One signature line: `— <name> <base64(id || bytes)>` and a newline.
 *
 * @param name The key's name.
 * @param id The key's id.
 * @param bytes What follows the id.
 * @returns The line.
 *
 * @example Usage
 * ```ts
 * import { signatureLine } from "./note.ts";
 * console.assert(signatureLine("log", 1, new Uint8Array(64)).startsWith("\u2014 log "));
 * ```
 */
export function signatureLine(name: string, id: number, bytes: Uint8Array): string {
  const raw = new Uint8Array(4 + bytes.length);
  new DataView(raw.buffer).setUint32(0, id);
  raw.set(bytes, 4);
  return `${DASH}${name} ${base64.encode(raw)}\n`;
}

/**
 * Splits a signed note into its text and its signature lines, checking only its form.
 *
 * @param note The note.
 * @returns Its text and lines, or a `malformed` refusal.
 *
 * @example Usage
 * ```ts
 * import { splitNote } from "./note.ts";
 * console.assert(!splitNote("no signature\n").ok);
 * ```
 */
export function splitNote(
  note: string,
): { ok: true; text: string; signatures: NoteSignature[] } | NoteRefusal {
  const malformed = (message: string): NoteRefusal => ({ ok: false, reason: "malformed", message });
  if (hasControl(note)) return malformed("A note holds a control character");
  const cut = note.lastIndexOf("\n\n");
  if (cut < 0) return malformed("A note's text and its signatures are split by a blank line");
  const text = note.slice(0, cut + 1);
  const tail = note.slice(cut + 2);
  if (!isNoteText(text) || !tail.endsWith("\n")) return malformed("Not a signed note");
  const lines = tail.slice(0, -1).split("\n");
  if (lines.length > NOTE_MAX_SIGNATURES) {
    return malformed(`A note carries ${NOTE_MAX_SIGNATURES} signatures at most`);
  }
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(DASH)) return malformed("A signature line begins with an em dash");
    const [name, b64, ...rest] = line.slice(DASH.length).split(" ");
    if (rest.length > 0 || !isNoteKeyName(name ?? "")) return malformed("Bad signature line");
    let raw: Uint8Array;
    try {
      raw = base64.decode(b64 ?? "");
    } catch {
      return malformed("A signature is not base64");
    }
    if (raw.length < 5) return malformed("A signature is too short");
    signatures.push({
      name,
      id: new DataView(raw.buffer, raw.byteOffset).getUint32(0),
      bytes: raw.slice(4),
    });
  }
  return { ok: true, text, signatures };
}

/**
 * Reads a signed note against the keys the reader trusts (Ed25519 keys over the text; a
 * cosignature key's lines are checked by `cosignature.ts` and are kept unverified here).
 *
 * @param note The note.
 * @param keys The trusted keys.
 * @returns The note with its verified and unverified lines, or a refusal.
 *
 * @example Usage
 * ```ts
 * import { openNote } from "./note.ts";
 * const opened = await openNote("text\n\n\u2014 log AAAAAAA=\n", []);
 * console.assert(!opened.ok && opened.reason === "unverified");
 * ```
 */
export async function openNote(
  note: string,
  keys: readonly NoteKey[],
): Promise<OpenedNote | NoteRefusal> {
  const split = splitNote(note);
  if (!split.ok) return split;
  const data = encoder.encode(split.text);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const s of split.signatures) {
    // An exact repeat of a line says nothing more.
    const line = `${s.name} ${s.id} ${base64.encode(s.bytes)}`;
    if (seen.has(line)) continue;
    seen.add(line);
    const key = keys.find((k) =>
      k.type === NOTE_TYPE_ED25519 && k.name === s.name && k.id === s.id
    );
    if (!key) {
      unverified.push(s);
      continue;
    }
    if (verified.some((v) => v.name === s.name && v.id === s.id)) continue;
    if (!await verifyEd25519(key.publicKey, s.bytes, data)) {
      return {
        ok: false,
        reason: "invalid",
        message: `Invalid signature for key ${s.name}+${s.id.toString(16).padStart(8, "0")}`,
      };
    }
    verified.push(s);
  }
  if (verified.length === 0) {
    return { ok: false, reason: "unverified", message: "No signature of a trusted key" };
  }
  return { ok: true, text: split.text, verified, unverified };
}

/** Whether a text may be signed: non-empty, ends in a newline, no blank line, no control. */
function isNoteText(text: string): boolean {
  return text.length > 0 && text.endsWith("\n") && !text.includes("\n\n") && !hasControl(text);
}
