/**
 * The network's map of slots (`slot.ts`): every key hashes to one of `SLOT_COUNT` slots, and a
 * versioned map assigns each slot to a shard. Growing the network moves slots between shards
 * and publishes a map of a higher version; no key's slot ever changes.
 *
 * The first map of a network of `n` shards puts slot `s` on shard `s mod n`, so that, where `n` divides the slot
 * count (a power of two up to it), every key keeps the home it had before slots existed.
 * Doubling a network then splits each shard in two: slot `s` of shard `k` goes to `k + n`
 * exactly when `s mod 2n = k + n`.
 *
 * The map is written as a modulo (`base`) and the slots that differ from it (`moved`), which
 * is short before and after a move and at most {@linkcode SLOT_COUNT} entries during one. The
 * base is the one that lists the fewest slots (the smaller on a tie), among the counts that
 * divide the slot space up to `MAX_SHARDS`: one written form per map, which is what is signed. This module is pure: signing is `slot_map_signature.ts`.
 *
 * @module
 */
import { MAX_SHARDS } from "./shard.ts";
import { placesBySlot, SLOT_COUNT, slotOf } from "./slot.ts";

/** The version of a network's first map. */
export const FIRST_MAP_VERSION = 1;

/** The map as it travels (JSON): its version, its modulo, and the slots placed otherwise. */
export interface SlotMapJson {
  /** Grows by one with every change; a map of a higher version replaces a lower one. */
  version: number;
  /** The slot space, {@linkcode SLOT_COUNT}. */
  slots: number;
  /** Shards in use: every shard below it holds at least one slot. */
  shards: number;
  /** Slot `s` is on shard `s mod base` unless `moved` says otherwise. */
  base: number;
  /** `[slot, shard]` pairs, ascending by slot, of the slots not on `s mod base`. */
  moved: [number, number][];
}

/** Why a map read from the wire was refused. */
export interface SlotMapRefusal {
  /** Always `false`. */
  ok: false;
  /** Always `BAD_SLOT_MAP`. */
  code: "BAD_SLOT_MAP";
  /** What is wrong with it. */
  message: string;
}

/**
 * An immutable assignment of slots to shards, at a version.
 *
 * @example Usage
 * ```ts
 * import { SlotMap } from "./slot_map.ts";
 * const map = SlotMap.initial(8);
 * const half = map.slotsOf(0).filter((s) => s % 16 === 8);
 * const grown = map.assign(new Map(half.map((s) => [s, 8])));
 * console.assert(grown.version === 2 && grown.shards === 9);
 * ```
 */
export class SlotMap {
  /** The version of this assignment. */
  readonly version: number;
  /** Shards in use (one more than the highest shard holding a slot). */
  readonly shards: number;
  readonly #base: number;
  readonly #bySlot: Uint16Array;

  private constructor(version: number, bySlot: Uint16Array) {
    this.version = version;
    this.#base = canonicalBase(bySlot);
    this.#bySlot = bySlot;
    let top = 0;
    for (const shard of bySlot) if (shard > top) top = shard;
    this.shards = top + 1;
  }

  /**
   * A network's first map: slot `s` on shard `s mod shards`, version 1 (what `shardOf`
   * places by).
   *
   * @param shards The shard count, 1 to {@linkcode MAX_SHARDS}.
   * @returns The map.
   * @throws {RangeError} If the count is out of range.
   *
   * @example Usage
   * ```ts
   * import { SlotMap } from "./slot_map.ts";
   * console.assert(SlotMap.initial(4).shardOfSlot(6) === 2);
   * ```
   */
  static initial(shards: number): SlotMap {
    if (!placesBySlot(shards) || shards > MAX_SHARDS) {
      throw new RangeError(
        `A slot map's first shard count divides ${SLOT_COUNT} and is at most ${MAX_SHARDS}, not ${shards}`,
      );
    }
    const bySlot = new Uint16Array(SLOT_COUNT);
    for (let s = 0; s < SLOT_COUNT; s++) bySlot[s] = s % shards;
    return new SlotMap(FIRST_MAP_VERSION, bySlot);
  }

  /**
   * Reads a map from the wire, refusing anything malformed.
   *
   * @param json What was received.
   * @returns The map, or `BAD_SLOT_MAP`.
   *
   * @example Usage
   * ```ts
   * import { SlotMap } from "./slot_map.ts";
   * const read = SlotMap.fromJSON(SlotMap.initial(2).toJSON());
   * console.assert(read instanceof SlotMap && read.shards === 2);
   * ```
   */
  static fromJSON(json: unknown): SlotMap | SlotMapRefusal {
    const bad = (message: string): SlotMapRefusal => ({ ok: false, code: "BAD_SLOT_MAP", message });
    if (typeof json !== "object" || json === null) return bad("A slot map is an object");
    const j = json as Partial<SlotMapJson>;
    if (!Number.isSafeInteger(j.version) || j.version! < 1) return bad("Bad version");
    if (j.slots !== SLOT_COUNT) return bad(`Slot space must be ${SLOT_COUNT}`);
    const max = MAX_SHARDS;
    if (!placesBySlot(j.base!) || j.base! > max) return bad("Bad base");
    if (!Array.isArray(j.moved) || j.moved.length > SLOT_COUNT) return bad("Bad moved list");
    const bySlot = new Uint16Array(SLOT_COUNT);
    for (let s = 0; s < SLOT_COUNT; s++) bySlot[s] = s % j.base!;
    let last = -1;
    for (const pair of j.moved) {
      if (!Array.isArray(pair) || pair.length !== 2) return bad("A move is [slot, shard]");
      const [slot, shard] = pair;
      if (!Number.isInteger(slot) || slot <= last || slot >= SLOT_COUNT) {
        return bad("Moved slots must ascend within the slot space");
      }
      if (!Number.isInteger(shard) || shard < 0 || shard >= max) return bad("Bad shard");
      if (shard === bySlot[slot]) return bad(`Slot ${slot} is listed where the base puts it`);
      bySlot[slot] = shard;
      last = slot;
    }
    const map = new SlotMap(j.version!, bySlot);
    // One written form per map (what is signed): the base that lists the fewest slots.
    if (map.#base !== j.base) return bad(`The base of this assignment is ${map.#base}`);
    if (j.shards !== map.shards) return bad(`Shards in use is ${map.shards}, not ${j.shards}`);
    for (let k = 0; k < map.shards; k++) {
      if (!bySlot.includes(k)) return bad(`Shard ${k} holds no slot`);
    }
    return map;
  }

  /**
   * The shard of a slot.
   *
   * @param slot A slot in `[0, SLOT_COUNT)`.
   * @returns Its shard.
   *
   * @example Usage
   * ```ts
   * import { SlotMap } from "./slot_map.ts";
   * console.assert(SlotMap.initial(8).shardOfSlot(9) === 1);
   * ```
   */
  shardOfSlot(slot: number): number {
    return this.#bySlot[slot];
  }

  /**
   * The home shard of a key.
   *
   * @param key A peer id, account id, topic name or content root.
   * @returns Its shard.
   *
   * @example Usage
   * ```ts
   * import { SlotMap } from "./slot_map.ts";
   * const map = SlotMap.initial(8);
   * console.assert(map.shardOf("peer") < 8);
   * ```
   */
  shardOf(key: string | Uint8Array): number {
    return this.#bySlot[slotOf(key)];
  }

  /**
   * The slots a shard holds, ascending.
   *
   * @param shard The shard.
   * @returns Its slots.
   *
   * @example Usage
   * ```ts
   * import { SlotMap } from "./slot_map.ts";
   * console.assert(SlotMap.initial(1024).slotsOf(7).join() === "7,1031,2055,3079");
   * ```
   */
  slotsOf(shard: number): number[] {
    const out: number[] = [];
    for (let s = 0; s < SLOT_COUNT; s++) if (this.#bySlot[s] === shard) out.push(s);
    return out;
  }

  /**
   * A map of the next version with some slots placed anew; the others stay.
   *
   * @param moves New shard by slot.
   * @returns The new map (version + 1), written against the base that lists the fewest moved
   *   slots (a finished doubling lists none).
   * @throws {RangeError} If a slot or shard is out of range, or a shard is left without slots.
   *
   * @example Usage
   * ```ts
   * import { SlotMap } from "./slot_map.ts";
   * const eight = SlotMap.initial(8);
   * const sixteen = eight.assign(new Map(eight.slotsOf(0).filter((s) => s % 16 === 8).map((s) => [s, 8])));
   * console.assert(sixteen.shardOfSlot(8) === 8 && sixteen.shardOfSlot(16) === 0);
   * ```
   */
  assign(moves: ReadonlyMap<number, number>): SlotMap {
    const bySlot = this.#bySlot.slice();
    const max = MAX_SHARDS;
    for (const [slot, shard] of moves) {
      if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
        throw new RangeError(`No slot ${slot}`);
      }
      if (!Number.isInteger(shard) || shard < 0 || shard >= max) {
        throw new RangeError(`No shard ${shard}`);
      }
      bySlot[slot] = shard;
    }
    let top = 0;
    for (const shard of bySlot) if (shard > top) top = shard;
    for (let k = 0; k <= top; k++) {
      if (!bySlot.includes(k)) throw new RangeError(`Shard ${k} would hold no slot`);
    }
    return new SlotMap(this.version + 1, bySlot);
  }

  /**
   * The map as it travels: canonical (the same map always writes the same JSON).
   *
   * @returns The JSON form.
   *
   * @example Usage
   * ```ts
   * import { SlotMap } from "./slot_map.ts";
   * console.assert(JSON.stringify(SlotMap.initial(2).toJSON()) ===
   *   '{"version":1,"slots":4096,"shards":2,"base":2,"moved":[]}');
   * ```
   */
  toJSON(): SlotMapJson {
    const moved: [number, number][] = [];
    for (let s = 0; s < SLOT_COUNT; s++) {
      if (this.#bySlot[s] !== s % this.#base) moved.push([s, this.#bySlot[s]]);
    }
    return {
      version: this.version,
      slots: SLOT_COUNT,
      shards: this.shards,
      base: this.#base,
      moved,
    };
  }
}

// The base a map is written against: of the counts dividing the slot space (up to the most
// shards), the one that leaves the fewest slots to list; the smaller on a tie.
function canonicalBase(bySlot: Uint16Array): number {
  let base = 1;
  let fewest = Infinity;
  for (let b = 1; b <= MAX_SHARDS; b *= 2) {
    let n = 0;
    for (let s = 0; s < SLOT_COUNT && n < fewest; s++) if (bySlot[s] !== s % b) n++;
    if (n < fewest) fewest = n, base = b;
  }
  return base;
}
