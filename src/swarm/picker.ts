/**
 * Which piece to ask of which provider: the pure state of one download, without I/O, so the
 * Deno, Node and browser downloaders share it and a property test can drive it through any
 * order of answers. Rarest first (the piece fewest providers have, ties at random), at most a
 * few requests in flight per provider, an end-game that asks a second provider for pieces
 * still in flight once nothing else is left, and strikes: a provider that sends
 * `maxBadPieces` pieces that fail their check is asked nothing more. A departed or slow
 * provider's pieces go back to be asked elsewhere. Only the pieces wanted (a byte range's)
 * are asked for, and pieces already held (a resumed download's) never are.
 *
 * @module
 */
import { Bitfield } from "./bitfield.ts";

/** Default strikes after which a provider is asked nothing more. */
export const DEFAULT_MAX_BAD_PIECES = 3;

/**
 * Default requests in flight to one provider at a time: enough to fill a relay round trip
 * (16 pieces of 16 KiB = 256 KiB per round trip), as BitTorrent pipelines its requests.
 */
export const DEFAULT_MAX_IN_FLIGHT = 16;

/** What a download wants, and what it has already. */
export interface PickerOptions {
  /** The content's number of pieces. */
  pieces: number;
  /** The pieces wanted, `first` to `last` inclusive. @default all */
  wanted?: { first: number; last: number };
  /** Pieces already held and verified (a resumed download). */
  have?: Iterable<number>;
  /** Strikes before a provider is dropped. @default 3 */
  maxBadPieces?: number;
  /** Requests in flight per provider. @default 16 */
  maxInFlight?: number;
  /** A source of numbers in `[0, 1)`, for ties. @default Math.random */
  random?: () => number;
}

/** What became of a piece that arrived. */
export type Arrival =
  | { status: "stored"; cancel: string[] }
  | { status: "duplicate" }
  | { status: "bad"; dropped: boolean };

interface Provider {
  has: Bitfield;
  inFlight: Set<number>;
  strikes: number;
}

/**
 * The state of one download.
 *
 * @example Usage
 * ```ts
 * import { Bitfield } from "./bitfield.ts";
 * import { Picker } from "./picker.ts";
 * const picker = new Picker({ pieces: 3 });
 * picker.addProvider("a", new Bitfield(3, true));
 * const i = picker.next("a")!;
 * console.assert(picker.received("a", i, true).status === "stored");
 * console.assert(picker.missing === 2);
 * ```
 */
export class Picker {
  readonly #o: Required<Omit<PickerOptions, "have" | "wanted">>;
  readonly #have: Bitfield;
  /** Wanted pieces not held, in no order (swap-removed). */
  readonly #missing: number[] = [];
  readonly #slot = new Map<number, number>();
  /** How many live providers have each piece. */
  readonly #rarity: Uint32Array;
  /** Providers asked for each piece now. */
  readonly #askedOf = new Map<number, Set<string>>();
  readonly #providers = new Map<string, Provider>();
  readonly #dropped = new Set<string>();

  /**
   * Starts a download's state.
   *
   * @param o What is wanted and held, and how hard to be on providers.
   */
  constructor(o: PickerOptions) {
    this.#o = {
      pieces: o.pieces,
      maxBadPieces: o.maxBadPieces ?? DEFAULT_MAX_BAD_PIECES,
      maxInFlight: o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      random: o.random ?? Math.random,
    };
    this.#have = new Bitfield(o.pieces);
    for (const i of o.have ?? []) this.#have.set(i);
    this.#rarity = new Uint32Array(o.pieces);
    const first = Math.max(0, o.wanted?.first ?? 0);
    const last = Math.min(o.pieces - 1, o.wanted?.last ?? o.pieces - 1);
    for (let i = first; i <= last; i++) {
      if (this.#have.has(i)) continue;
      this.#slot.set(i, this.#missing.length);
      this.#missing.push(i);
    }
  }

  /** Pieces held, verified. */
  get have(): Bitfield {
    return this.#have;
  }

  /** Wanted pieces not held yet. */
  get missing(): number {
    return this.#missing.length;
  }

  /** Whether every wanted piece is held. */
  get done(): boolean {
    return this.#missing.length === 0;
  }

  /** Providers asked nothing more for their bad pieces. */
  get droppedCount(): number {
    return this.#dropped.size;
  }

  /** Providers that can still be asked. */
  get providers(): string[] {
    return [...this.#providers.keys()];
  }

  /**
   * Whether a provider was dropped for its bad pieces.
   *
   * @param id The provider.
   * @returns Whether it was.
   */
  dropped(id: string): boolean {
    return this.#dropped.has(id);
  }

  /**
   * A provider and the pieces it has (a seeder has them all; a downloader some). Added again,
   * it keeps its strikes and requests, and gains the pieces named.
   *
   * @param id The provider.
   * @param has Its pieces.
   */
  addProvider(id: string, has: Bitfield): void {
    if (this.#dropped.has(id) || has.size !== this.#o.pieces) return;
    // Known already (its bitfield came after its record): what it has grows, its strikes
    // and its requests stay.
    if (this.#providers.has(id)) {
      for (const i of has) this.announced(id, i);
      return;
    }
    // Its own copy: the caller's bitfield may be the download's or change under it.
    const own = new Bitfield(has.size);
    for (const i of has) own.set(i);
    this.#providers.set(id, { has: own, inFlight: new Set(), strikes: 0 });
    for (const i of own) this.#rarity[i]++;
  }

  /**
   * A provider says it has one more piece (a downloader that shares what it got).
   *
   * @param id The provider.
   * @param index The piece.
   */
  announced(id: string, index: number): void {
    const p = this.#providers.get(id);
    if (p && index >= 0 && index < this.#o.pieces && p.has.set(index)) this.#rarity[index]++;
  }

  /**
   * A provider is gone: what was asked of it goes back to be asked elsewhere.
   *
   * @param id The provider.
   */
  removeProvider(id: string): void {
    const p = this.#providers.get(id);
    if (!p) return;
    for (const i of p.has) this.#rarity[i]--;
    for (const i of p.inFlight) this.#askedOf.get(i)?.delete(id);
    this.#providers.delete(id);
  }

  /**
   * The piece to ask of a provider next, if any: the rarest wanted piece it has that is
   * neither held nor asked of anyone; in the end-game, one asked of another provider only.
   *
   * @param id The provider.
   * @returns The piece, or `undefined` (nothing it can help with now, or enough in flight).
   */
  next(id: string): number | undefined {
    const p = this.#providers.get(id);
    if (!p || p.inFlight.size >= this.#o.maxInFlight || this.done) return undefined;
    const n = this.#missing.length;
    const start = Math.floor(this.#o.random() * n);
    let best: number | undefined;
    let endgame: number | undefined;
    for (let k = 0; k < n; k++) {
      const i = this.#missing[(start + k) % n];
      if (!p.has.has(i) || p.inFlight.has(i)) continue;
      if ((this.#askedOf.get(i)?.size ?? 0) > 0) {
        endgame ??= i;
        continue;
      }
      if (best === undefined || this.#rarity[i] < this.#rarity[best]) best = i;
      if (this.#rarity[best] <= 1) break;
    }
    const pick = best ?? endgame;
    if (pick === undefined) return undefined;
    p.inFlight.add(pick);
    let asked = this.#askedOf.get(pick);
    if (!asked) this.#askedOf.set(pick, asked = new Set());
    asked.add(id);
    return pick;
  }

  /**
   * A piece came from a provider, checked (`valid`) or not.
   *
   * @param id The provider.
   * @param index The piece.
   * @param valid Whether it passed its check.
   * @returns `stored` (with the other providers asked for it, to cancel), `duplicate`, or
   *   `bad` (with whether the provider is now dropped).
   */
  received(id: string, index: number, valid: boolean): Arrival {
    const p = this.#providers.get(id);
    p?.inFlight.delete(index);
    this.#askedOf.get(index)?.delete(id);
    if (!valid) {
      if (!p) return { status: "bad", dropped: this.#dropped.has(id) };
      p.strikes++;
      const dropped = p.strikes >= this.#o.maxBadPieces;
      if (dropped) {
        this.removeProvider(id);
        this.#dropped.add(id);
      }
      return { status: "bad", dropped };
    }
    if (this.#have.has(index) || !this.#slot.has(index)) return { status: "duplicate" };
    this.#have.set(index);
    const slot = this.#slot.get(index)!;
    const last = this.#missing.pop()!;
    if (last !== index) {
      this.#missing[slot] = last;
      this.#slot.set(last, slot);
    }
    this.#slot.delete(index);
    const cancel = [...this.#askedOf.get(index) ?? []];
    for (const other of cancel) this.#providers.get(other)?.inFlight.delete(index);
    this.#askedOf.delete(index);
    return { status: "stored", cancel };
  }

  /**
   * A request got no answer in time: the piece may be asked elsewhere.
   *
   * @param id The provider.
   * @param index The piece.
   */
  timedOut(id: string, index: number): void {
    this.#providers.get(id)?.inFlight.delete(index);
    this.#askedOf.get(index)?.delete(id);
  }
}
