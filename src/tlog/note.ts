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
import { sha256 } from "@noble/hashes/sha2.js";
import { base64 } from "@scure/base";

/** A signature type: Ed25519 over the note's text. */
export const NOTE_TYPE_ED25519 = 0x01;
/** A signature type: a witness's cosignature (`cosignature/v1`). */
export const NOTE_TYPE_COSIGNATURE = 0x04;
/** Most signature lines a note may carry; more is malformed. */
export const NOTE_MAX_SIGNATURES = 100;

const ED25519 = { name: "Ed25519" } as const;
const encoder = new TextEncoder();
const DASH = "\u2014 ";

/** A public key a reader trusts, by name and id. */
export interface NoteKey {
  /** The key's name (a log's origin, a witness's name): no space, no `+`. */
  name: string;
  /** Its 4-byte id, as an unsigned integer. */
  id: number;
  /** Its signature type (`NOTE_TYPE_*`). */
  type: number;
  /** The 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

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
 * A key's id: the first 4 bytes of `SHA-256(name || 0x0A || type || publicKey)`.
 *
 * @param name The key's name.
 * @param type The signature type.
 * @param publicKey The public key.
 * @returns The id, an unsigned 32-bit integer.
 *
 * @example Usage
 * ```ts
 * import { noteKeyId, NOTE_TYPE_ED25519 } from "./note.ts";
 * console.assert(noteKeyId("log", NOTE_TYPE_ED25519, new Uint8Array(32)) >= 0);
 * ```
 */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const n = encoder.encode(name);
  const buf = new Uint8Array(n.length + 2 + publicKey.length);
  buf.set(n);
  buf[n.length] = 0x0a;
  buf[n.length + 1] = type;
  buf.set(publicKey, n.length + 2);
  const d = sha256(buf);
  return ((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0;
}

/**
 * Whether a string may name a key: not empty, no Unicode space, no `+`.
 *
 * @param name The name.
 * @returns Whether it may.
 *
 * @example Usage
 * ```ts
 * import { isNoteKeyName } from "./note.ts";
 * console.assert(isNoteKeyName("example.com/log") && !isNoteKeyName("a b"));
 * ```
 */
export function isNoteKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && !hasControl(name);
}

/**
 * A trusted key in the text form readers share: `<name>+<hex id>+<base64(type || key)>`.
 *
 * @param key The key.
 * @returns Its text form.
 *
 * @example Usage
 * ```ts
 * import { formatNoteKey, noteKey, parseNoteKey } from "./note.ts";
 * const key = noteKey("log", new Uint8Array(32));
 * console.assert(parseNoteKey(formatNoteKey(key))?.id === key.id);
 * ```
 */
export function formatNoteKey(key: NoteKey): string {
  const raw = new Uint8Array(1 + key.publicKey.length);
  raw[0] = key.type;
  raw.set(key.publicKey, 1);
  return `${key.name}+${key.id.toString(16).padStart(8, "0")}+${base64.encode(raw)}`;
}

/**
 * Reads a key's text form; `undefined` unless its name, id, type and length all agree.
 *
 * @param text `<name>+<hex id>+<base64(type || key)>`.
 * @returns The key, or `undefined`.
 *
 * @example Usage
 * ```ts
 * import { parseNoteKey } from "./note.ts";
 * console.assert(parseNoteKey("log+00000000+AA==") === undefined);
 * ```
 */
export function parseNoteKey(text: string): NoteKey | undefined {
  const parts = text.split("+");
  if (parts.length !== 3) return undefined;
  const [name, hexId, b64] = parts;
  if (!isNoteKeyName(name) || !/^[0-9a-f]{8}$/.test(hexId)) return undefined;
  let raw: Uint8Array;
  try {
    raw = base64.decode(b64);
  } catch {
    return undefined;
  }
  const type = raw[0];
  if (raw.length !== 33 || (type !== NOTE_TYPE_ED25519 && type !== NOTE_TYPE_COSIGNATURE)) {
    return undefined;
  }
  const publicKey = raw.slice(1);
  const id = parseInt(hexId, 16);
  return noteKeyId(name, type, publicKey) === id ? { name, id, type, publicKey } : undefined;
}

/**
 * A trusted key from a name and an Ed25519 public key.
 *
 * @param name The key's name.
 * @param publicKey The 32-byte public key.
 * @param type The signature type: Ed25519 over the text unless said.
 * @returns The key.
 *
 * @example Usage
 * ```ts
 * import { noteKey } from "./note.ts";
 * console.assert(noteKey("log", new Uint8Array(32)).type === 1);
 * ```
 */
export function noteKey(name: string, publicKey: Uint8Array, type = NOTE_TYPE_ED25519): NoteKey {
  return { name, id: noteKeyId(name, type, publicKey), type, publicKey };
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

/**
 * Checks an Ed25519 signature by a raw public key.
 *
 * @param publicKey The 32-byte key.
 * @param signature The signature.
 * @param data The signed bytes.
 * @returns Whether it verifies; `false` for a key or signature of the wrong length.
 *
 * @example Usage
 * ```ts
 * import { verifyEd25519 } from "./note.ts";
 * console.assert(!await verifyEd25519(new Uint8Array(32), new Uint8Array(64), new Uint8Array()));
 * ```
 */
export async function verifyEd25519(
  publicKey: Uint8Array,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      publicKey as Uint8Array<ArrayBuffer>,
      ED25519,
      false,
      ["verify"],
    );
    return await crypto.subtle.verify(
      ED25519,
      key,
      signature as Uint8Array<ArrayBuffer>,
      data as Uint8Array<ArrayBuffer>,
    );
  } catch {
    return false;
  }
}

/** Whether a text may be signed: non-empty, ends in a newline, no blank line, no control. */
function isNoteText(text: string): boolean {
  return text.length > 0 && text.endsWith("\n") && !text.includes("\n\n") && !hasControl(text);
}

// Any ASCII control character but newline (signed notes hold none), or a lone surrogate
// (text that has no UTF-8 form).
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
    // A surrogate pair, or a lone surrogate (no UTF-8 form). Not `isWellFormed`: the package
    // targets ES2022.
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}
