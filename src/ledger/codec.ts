/**
 * A small big-endian byte writer for the ledger's canonical encodings. Every signed or
 * hashed structure starts with a domain tag, so that no two kinds of bytes can be confused.
 *
 * @module
 */
import { publicKeyFromPeerId } from "../identity/peer_id.ts";
import { base58 } from "@scure/base";

/**
 * Appends fixed-width fields to a growing buffer.
 *
 * @example Usage
 * ```ts
 * import { ByteWriter } from "./codec.ts";
 * const bytes = new ByteWriter().tag("x").u16(1).finish();
 * console.assert(bytes.length === 3);
 * ```
 */
export class ByteWriter {
  #parts: number[] = [];

  /** Appends an ASCII domain tag or short ASCII string, unprefixed. */
  tag(text: string): this {
    for (let i = 0; i < text.length; i++) this.#parts.push(text.charCodeAt(i) & 0x7f);
    return this;
  }

  /** Appends an ASCII string of up to 255 characters, prefixed by its length. */
  shortString(text: string): this {
    if (text.length > 255) {
      throw new RangeError(`Cannot encode "${text.slice(0, 16)}…": over 255 chars`);
    }
    this.#parts.push(text.length);
    return this.tag(text);
  }

  /** Appends raw bytes. */
  bytes(data: Uint8Array): this {
    for (const b of data) this.#parts.push(b);
    return this;
  }

  /** Appends a peer id as its 34 decoded bytes (multicodec tag and key). */
  peer(peerId: string): this {
    return this.bytes(base58.decode(peerId));
  }

  /** Appends a uint16. */
  u16(n: number): this {
    this.#parts.push((n >>> 8) & 0xff, n & 0xff);
    return this;
  }

  /** Appends a uint32. */
  u32(n: number): this {
    this.#parts.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    return this;
  }

  /** Appends a uint64 given as a bigint or a safe integer. */
  u64(value: bigint | number): this {
    let n = BigInt(value);
    if (n < 0n || n > 0xffff_ffff_ffff_ffffn) throw new RangeError(`Cannot encode ${n} as uint64`);
    const out = new Array<number>(8);
    for (let i = 7; i >= 0; i--) {
      out[i] = Number(n & 0xffn);
      n >>= 8n;
    }
    this.#parts.push(...out);
    return this;
  }

  /** The bytes written. */
  finish(): Uint8Array {
    return Uint8Array.from(this.#parts);
  }
}

/**
 * Checks that a string is a peer id whose key can be decoded (for account ids).
 *
 * @param id The string.
 * @returns Whether it is one.
 *
 * @example Usage
 * ```ts
 * import { isAccountId } from "./codec.ts";
 * console.assert(!isAccountId("x"));
 * ```
 */
export function isAccountId(id: unknown): id is string {
  if (typeof id !== "string") return false;
  try {
    publicKeyFromPeerId(id);
    return true;
  } catch {
    return false;
  }
}
