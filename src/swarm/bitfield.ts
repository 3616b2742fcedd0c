/**
 * Which pieces a peer has: one bit per piece, most significant bit first (as BitTorrent's
 * bitfield), with its base64url form for the wire.
 *
 * @module
 */
import { base64urlnopad } from "@scure/base";

/**
 * A set of piece indices below a count.
 *
 * @example Usage
 * ```ts
 * import { Bitfield } from "./bitfield.ts";
 * const b = new Bitfield(10);
 * b.set(3);
 * b.set(9);
 * console.assert(b.has(3) && !b.has(4) && b.count === 2);
 * console.assert(Bitfield.decode(b.encode(), 10)?.has(9));
 * ```
 */
export class Bitfield {
  /** The number of pieces. */
  readonly size: number;
  readonly #bits: Uint8Array;
  #count = 0;

  /**
   * Makes an empty (or full) bitfield.
   *
   * @param size The number of pieces.
   * @param all Whether every piece is in it.
   */
  constructor(size: number, all = false) {
    this.size = size;
    this.#bits = new Uint8Array(Math.ceil(size / 8));
    if (all) { for (let i = 0; i < size; i++) this.set(i); }
  }

  /** How many pieces are in it. */
  get count(): number {
    return this.#count;
  }

  /** Whether every piece is in it. */
  get complete(): boolean {
    return this.#count === this.size;
  }

  /**
   * Whether a piece is in it.
   *
   * @param index The piece.
   * @returns Whether it is.
   */
  has(index: number): boolean {
    return index >= 0 && index < this.size &&
      (this.#bits[index >> 3] & (0x80 >> (index & 7))) !== 0;
  }

  /**
   * Adds a piece.
   *
   * @param index The piece.
   * @returns Whether it was new.
   * @throws {RangeError} If there is no such piece.
   */
  set(index: number): boolean {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`No piece ${index} of ${this.size}`);
    }
    if (this.has(index)) return false;
    this.#bits[index >> 3] |= 0x80 >> (index & 7);
    this.#count++;
    return true;
  }

  /** The pieces in it, in order. */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = 0; i < this.size; i++) if (this.has(i)) yield i;
  }

  /**
   * The bits, as bytes.
   *
   * @returns A copy of them.
   */
  bytes(): Uint8Array {
    return this.#bits.slice();
  }

  /**
   * The wire form: base64url without padding of the bits.
   *
   * @returns The text.
   */
  encode(): string {
    return base64urlnopad.encode(this.#bits);
  }

  /**
   * Reads bits. Never throws.
   *
   * @param bytes The bits.
   * @param size The number of pieces they must cover.
   * @returns The bitfield, or `undefined` if malformed (wrong length, bits past the end).
   */
  static fromBytes(bytes: Uint8Array, size: number): Bitfield | undefined {
    if (bytes.length !== Math.ceil(size / 8)) return undefined;
    const b = new Bitfield(size);
    for (let i = 0; i < bytes.length * 8; i++) {
      if ((bytes[i >> 3] & (0x80 >> (i & 7))) === 0) continue;
      if (i >= size) return undefined; // spare bits must be zero: one form per set
      b.set(i);
    }
    return b;
  }

  /**
   * Reads the wire form. Never throws.
   *
   * @param text The text.
   * @param size The number of pieces it must cover.
   * @returns The bitfield, or `undefined` if malformed (wrong length, bits past the end).
   */
  static decode(text: unknown, size: number): Bitfield | undefined {
    if (typeof text !== "string") return undefined;
    try {
      return Bitfield.fromBytes(base64urlnopad.decode(text), size);
    } catch {
      return undefined;
    }
  }
}
