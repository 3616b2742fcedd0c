/**
 * The keys of signed notes (C2SP `signed-note`): a key's id, the rule for its name, and the
 * text form readers share (`<name>+<hex id>+<base64(type || key)>`).
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { base64 } from "@scure/base";

const encoder = new TextEncoder();

/** A signature type: Ed25519 over the note's text. */
export const NOTE_TYPE_ED25519 = 0x01;
/** A signature type: a witness's cosignature (`cosignature/v1`). */
export const NOTE_TYPE_COSIGNATURE = 0x04;
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
  // The name has no "+" and the id is hex: the first two split it, and the key's base64 may
  // hold "+" of its own.
  const first = text.indexOf("+");
  const second = first < 0 ? -1 : text.indexOf("+", first + 1);
  if (second < 0) return undefined;
  const [name, hexId, b64] = [
    text.slice(0, first),
    text.slice(first + 1, second),
    text.slice(second + 1),
  ];
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
 * Whether a text holds what no note may: an ASCII control character other than newline, or a
 * lone surrogate (no UTF-8 form).
 *
 * @param text The text.
 * @returns Whether it does.
 *
 * @example Usage
 * ```ts
 * import { hasControl } from "./note_key.ts";
 * console.assert(hasControl("a\u0001") && !hasControl("a\n"));
 * ```
 */
export function hasControl(text: string): boolean {
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
