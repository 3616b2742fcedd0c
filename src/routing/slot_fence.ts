/**
 * A shard's fence around the slots it is giving away. While a slot moves, its source first
 * freezes it: work keyed in it waits (it is not refused, and nothing keyed in it is written
 * while its state is copied); once the network's map names the new home, the source releases
 * it, and what waited, and all that comes after, is answered `MOVED` so that the asker follows
 * the map; or, if the move is called off, the source thaws it, and what waited goes on here.
 *
 * Pure: the host writes the rows down ({@linkcode SlotFence.rows}) and reads them back at a
 * restart, so a slot frozen or released before a crash stays so after it.
 *
 * @module
 */
import { SLOT_COUNT } from "./slot.ts";

/** Where a slot stands at its source: still its own, frozen while it moves, or gone. */
export type SlotStanding = "held" | "frozen" | "gone";

/** One fenced slot, as the host stores it. */
export interface FenceRow {
  /** The slot. */
  slot: number;
  /** `frozen` while it is copied; `gone` once the map gave it away. */
  state: "frozen" | "gone";
  /** The shard it moves to. */
  to: number;
}

/**
 * The slots a shard is giving away, and the work that waits on them.
 *
 * @example Usage
 * ```ts
 * import { SlotFence } from "./slot_fence.ts";
 * const fence = new SlotFence();
 * fence.freeze([7], 15);
 * const waited = fence.settled(7); // work keyed in slot 7 waits here
 * fence.release([7]);
 * console.assert((await waited) === "gone" && fence.standing(7) === "gone");
 * ```
 */
export class SlotFence {
  readonly #rows = new Map<number, FenceRow>();
  readonly #waiting = new Map<number, ((s: "held" | "gone") => void)[]>();
  #frozen = 0;

  /**
   * Makes a fence, with the slots a restart found fenced.
   *
   * @param rows The rows kept before the restart.
   */
  constructor(rows: readonly FenceRow[] = []) {
    for (const r of rows) this.#set(r.slot, { ...r });
  }

  /** Every fenced slot, for the host to write down. */
  rows(): FenceRow[] {
    return [...this.#rows.values()].map((r) => ({ ...r }));
  }

  /**
   * Whether any slot is frozen: the common case, none (even after a growth, whose slots are
   * gone, not frozen), costs one check, and work keyed in a slot need not hash its key.
   */
  get anyFrozen(): boolean {
    return this.#frozen > 0;
  }

  /** How many slots are fenced (frozen or gone): none on a network that never grew. */
  get size(): number {
    return this.#rows.size;
  }

  /**
   * Where a slot stands.
   *
   * @param slot The slot.
   * @returns `held` unless it is frozen or gone.
   */
  standing(slot: number): SlotStanding {
    return this.#rows.get(slot)?.state ?? "held";
  }

  /**
   * The shard a fenced slot moves to.
   *
   * @param slot The slot.
   * @returns The shard, or `undefined` for a slot held here.
   */
  destination(slot: number): number | undefined {
    return this.#rows.get(slot)?.to;
  }

  /**
   * Freezes slots on their way to `to`. A slot already gone stays gone.
   *
   * @param slots The slots.
   * @param to Their new home.
   * @returns The slots newly frozen.
   */
  freeze(slots: readonly number[], to: number): number[] {
    const changed: number[] = [];
    for (const slot of slots) {
      assertSlot(slot);
      if (this.#rows.has(slot)) continue;
      this.#set(slot, { slot, state: "frozen", to });
      changed.push(slot);
    }
    return changed;
  }

  /**
   * The map gave these slots away: work that waited is told, and all that comes after.
   *
   * @param slots The slots (frozen or not; a slot given away is gone either way).
   * @param to Their new home, for a slot not frozen first.
   */
  release(slots: readonly number[], to?: number): void {
    for (const slot of slots) {
      assertSlot(slot);
      const dest = this.#rows.get(slot)?.to ?? to;
      if (dest === undefined) throw new RangeError(`Slot ${slot} was not frozen and has no home`);
      this.#set(slot, { slot, state: "gone", to: dest });
      this.#wake(slot, "gone");
    }
  }

  /**
   * The move was called off: frozen slots are held here again, and work that waited goes on.
   * A slot already gone stays gone (the map gave it away).
   *
   * @param slots The slots.
   */
  thaw(slots: readonly number[]): void {
    for (const slot of slots) {
      if (this.#rows.get(slot)?.state !== "frozen") continue;
      this.#set(slot, undefined);
      this.#wake(slot, "held");
    }
  }

  /**
   * A slot came back under a later map: it is held here again.
   *
   * @param slots The slots.
   */
  reclaim(slots: readonly number[]): void {
    for (const slot of slots) {
      this.#set(slot, undefined);
      this.#wake(slot, "held");
    }
  }

  /**
   * Settles once the slot is no longer frozen: at once for a slot held or gone.
   *
   * @param slot The slot.
   * @returns Where it stands then.
   */
  settled(slot: number): Promise<"held" | "gone"> {
    const now = this.standing(slot);
    if (now !== "frozen") return Promise.resolve(now);
    return new Promise((resolve) => {
      const list = this.#waiting.get(slot) ?? [];
      list.push(resolve);
      this.#waiting.set(slot, list);
    });
  }

  /** How many pieces of work wait on frozen slots now. */
  get waiting(): number {
    let n = 0;
    for (const list of this.#waiting.values()) n += list.length;
    return n;
  }

  // Every change of a row goes through here, so that the count of frozen slots stays true.
  #set(slot: number, row: FenceRow | undefined): void {
    if (this.#rows.get(slot)?.state === "frozen") this.#frozen--;
    if (row?.state === "frozen") this.#frozen++;
    if (row) this.#rows.set(slot, row);
    else this.#rows.delete(slot);
  }

  #wake(slot: number, to: "held" | "gone"): void {
    const list = this.#waiting.get(slot);
    this.#waiting.delete(slot);
    for (const resolve of list ?? []) resolve(to);
  }
}

function assertSlot(slot: number): void {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
    throw new RangeError(`Not a slot: ${slot}`);
  }
}
