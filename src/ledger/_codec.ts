/**
 * A small big-endian byte writer for the ledger's canonical encodings. Every signed or
 * hashed structure starts with a domain tag, so that no two kinds of bytes can be confused.
 *
 * @module
 */
import { isPeerId, peerIdBytes } from "../identity/peer_id.ts";

/**
 * Appends fixed-width fields to a growing buffer.
 *
 * @example Usage
 * ```ts
 * import { ByteWriter } from "./_codec.ts";
 * const bytes = new ByteWriter().tag("x").u16(1).finish();
 * console.assert(bytes.length === 3);
 * ```
 */
export class ByteWriter {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #at = 0;

  #room(n: number): void {
    if (this.#at + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#at + n));
    next.set(this.#buf);
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  /** Appends an ASCII domain tag or short ASCII string, unprefixed. */
  tag(text: string): this {
    this.#room(text.length);
    for (let i = 0; i < text.length; i++) this.#buf[this.#at++] = text.charCodeAt(i) & 0x7f;
    return this;
  }

  /** Appends an ASCII string of up to 255 characters, prefixed by its length. */
  shortString(text: string): this {
    if (text.length > 255) {
      throw new RangeError(`Cannot encode "${text.slice(0, 16)}…": over 255 chars`);
    }
    this.#room(1);
    this.#buf[this.#at++] = text.length;
    return this.tag(text);
  }

  /** Appends raw bytes. */
  bytes(data: Uint8Array): this {
    this.#room(data.length);
    this.#buf.set(data, this.#at);
    this.#at += data.length;
    return this;
  }

  /** Appends a peer id as its 34 decoded bytes (multicodec tag and key). */
  peer(peerId: string): this {
    return this.bytes(peerIdBytes(peerId));
  }

  /** Appends a uint16. */
  u16(n: number): this {
    this.#room(2);
    this.#view.setUint16(this.#at, n);
    this.#at += 2;
    return this;
  }

  /** Appends a uint32. */
  u32(n: number): this {
    this.#room(4);
    this.#view.setUint32(this.#at, n);
    this.#at += 4;
    return this;
  }

  /** Appends a uint64 given as a bigint or a safe integer. */
  u64(value: bigint | number): this {
    const n = BigInt(value);
    if (n < 0n || n > 0xffff_ffff_ffff_ffffn) throw new RangeError(`Cannot encode ${n} as uint64`);
    this.#room(8);
    this.#view.setBigUint64(this.#at, n);
    this.#at += 8;
    return this;
  }

  /** The bytes written. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#at);
  }
}

/**
 * Checks that a value is an account id: a peer id (an account's key is a peer's key).
 *
 * @example Usage
 * ```ts
 * import { isAccountId } from "./_codec.ts";
 * console.assert(!isAccountId("x"));
 * ```
 */
export const isAccountId: (id: unknown) => id is string = isPeerId;
