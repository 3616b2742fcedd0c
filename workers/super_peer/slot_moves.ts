/**
 * A super-peer's side of moving slots, as the map's keeper drives it (`growth.ts`): at the
 * source, the fence (`SlotFence`, kept in SQLite so that a restart keeps a slot frozen or gone),
 * the export of each room's rows in the moving slots, and their drop once the map gave them
 * away (the peers homed in them are then sent away by the object, `Arrivals.sendAway`); at the
 * destination, the import. Each room that keeps state by key takes part through a
 * {@linkcode SlotMover}.
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import { refusal } from "../../src/protocol/mod.ts";
import { type FenceRow, SlotFence, slotOf } from "../../src/routing/mod.ts";
import type { SlotMoveAnswer, SlotMoveOp } from "../rpc.ts";
import type { Shards } from "../shards.ts";
import { nextTurn } from "../../src/runtime/next_turn.ts";

export type { SlotMoveAnswer, SlotMoveOp } from "../rpc.ts";

/** A room that keeps state by key, as a slot move sees it. */
export interface SlotMover {
  /** The room's name: its rows travel under it. */
  readonly name: string;
  /** Its rows whose key `inSlots` accepts, JSON-safe. */
  leaving(inSlots: (key: string) => boolean): unknown[];
  /**
   * The same rows a page at a time, for a room whose rows can weigh megabytes (mail): from the
   * room's own cursor `after` (0 at first), rows of about `bytes` at most (at least one, if any
   * is left), and where the next page starts, if any. A room without it has its `leaving` rows
   * cut into pages by the length of their JSON.
   */
  leavingPage?(inSlots: (key: string) => boolean, after: number, bytes: number): ExportPage;
  /** Writes rows another shard's room sent (replacing what it had for their keys). */
  arriving(rows: unknown[]): void;
  /** Drops its rows whose key `inSlots` accepts. */
  gone(inSlots: (key: string) => boolean): void;
  /**
   * State that cannot be fenced (it keeps coming by other keys), handed to the destination as
   * the slots are released, before their peers are sent there: `send` asks the destination's
   * room to {@linkcode SlotMover.adopt} a part and answers what it said. Asked again after a
   * restart, it must change nothing more.
   */
  handOff?(
    inSlots: (key: string) => boolean,
    send: (data: unknown) => Promise<unknown>,
  ): Promise<void>;
  /** At the destination: takes a part of a source's hand-off; what it answers goes back. */
  adopt?(data: unknown): Promise<unknown>;
  /**
   * Before a growth freezes any slot, on every shard: work the room would otherwise do inside
   * the first step that touches it (a cold start, a catch-up owed since before the growth).
   */
  prepare?(): Promise<void>;
}

/** A page of a room's rows: the rows, about how many bytes they are, where the next starts. */
export interface ExportPage {
  rows: unknown[];
  bytes: number;
  next?: number;
}

/**
 * About how many bytes one page of a step's export carries: a page is one call's answer (a
 * Worker's RPC carries at most 32 MiB) and one transaction at the destination, so that a step
 * whose slots hold much (a shard's mail, up to `MAIL_MAX_PER_SHARD` of `MAX_MAIL_BYTES`) is
 * copied in many pages, never held in memory whole nor refused.
 */
export const EXPORT_PAGE_BYTES = 2 * 1024 * 1024;

/** Keys whose slots are remembered during a growth, at most (about 100 bytes each). */
const SLOT_MEMO_MAX = 262_144;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS slot_fence (
  slot INTEGER PRIMARY KEY,
  state TEXT NOT NULL,
  dest INTEGER NOT NULL
);
`;

/**
 * One super-peer's part in slot moves.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import { SlotMoves } from "./slot_moves.ts";
 * export async function freeze(ctx: DurableObjectState) {
 *   const moves = new SlotMoves(ctx, []);
 *   return await moves.op({ op: "freeze", slots: [9], to: 9 }); // work keyed in slot 9 waits
 * }
 * ```
 */
export class SlotMoves {
  /** The fence around the slots this shard is giving away. */
  readonly fence: SlotFence;
  readonly #ctx: DurableObjectState;
  readonly #movers: readonly (() => SlotMover)[];
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #shards: Pick<Shards, "call"> | undefined;
  readonly #slots = new Map<string, number>();
  /** A room's `leaving` rows while they are exported page by page (its index, the slots). */
  #paging: { room: number; slots: string; rows: unknown[] } | undefined;

  /**
   * @param ctx The object's state.
   * @param movers The rooms that keep state by key (each made on first use).
   * @param shards The other shards, for the hand-offs of a release.
   */
  constructor(
    ctx: DurableObjectState,
    movers: readonly (() => SlotMover)[],
    shards?: Pick<Shards, "call">,
  ) {
    this.#ctx = ctx;
    this.#movers = movers;
    this.#shards = shards;
    ctx.storage.sql.exec(SCHEMA);
    const rows = ctx.storage.sql.exec<{ slot: number; state: string; dest: number }>(
      "SELECT slot, state, dest FROM slot_fence",
    ).toArray();
    this.fence = new SlotFence(
      rows.map((r) => ({ slot: r.slot, state: r.state as FenceRow["state"], to: r.dest })),
    );
  }

  /**
   * Where work keyed by `key` stands: `held` (go on), `gone` (answer `MOVED`), or a promise
   * that settles to one of them once a frozen slot is released or thawed.
   *
   * @param key The key (a peer, an account, a topic, a content's root).
   * @returns Its standing, or a wait for it.
   */
  gate(key: string): "held" | "gone" | Promise<"held" | "gone"> {
    if (!this.fence.anyFrozen) return "held";
    const slot = slotOf(key);
    const standing = this.fence.standing(slot);
    return standing === "frozen" ? this.fence.settled(slot) : standing;
  }

  /**
   * The shard that holds a key's state now, once no move of its slot is under way: this one,
   * or, for a slot this shard gave away, the shard it went to (a caller with an older map
   * still sends its work here). Work that will write here goes through {@linkcode track} at
   * once after it. On a network that never grew it costs one check.
   *
   * @param key The key (a peer, a topic, a content's root).
   * @param here This shard.
   * @returns The shard to do the work at.
   */
  holder(key: string, here: number): number | Promise<number> {
    if (this.fence.size === 0) return here;
    const standing = this.gate(key);
    const slot = slotOf(key);
    const at = () => this.fence.standing(slot) === "gone" ? this.fence.destination(slot)! : here;
    return typeof standing === "string" ? at() : standing.then(at);
  }

  /**
   * Keeps count of keyed work under way (a batch of transfers between its checks and its
   * write), so that a freeze waits for it: work that passed the gate before the freeze must be
   * written before the rows are read for the copy, or the copy would miss it.
   *
   * @param work The work.
   * @returns The same work.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.#inFlight.add(work);
    const done = () => this.#inFlight.delete(work);
    work.then(done, done);
    return work;
  }

  /**
   * Releases the fence of slots the map gave away, before their rows are dropped: work that
   * waited on them goes on to their new home at once (`op("release")` does it again).
   *
   * @param slots The slots.
   * @param to Their new home.
   */
  releaseFence(slots: readonly number[], to: number): void {
    this.fence.release(slots, to);
    this.#write();
  }

  /**
   * As slots are released, before their peers are sent to `to`: each room's hand-off.
   *
   * @param slots The slots.
   * @param to Their new home.
   */
  async handOff(slots: readonly number[], to: number): Promise<void> {
    const set = new Set(slots);
    const inSlots = (key: string) => set.has(this.#slotOf(key));
    for (const make of this.#movers) {
      const m = make();
      if (!m.handOff || !this.#shards) continue;
      const shards = this.#shards;
      await nextTurn();
      await m.handOff(inSlots, async (data) => {
        await nextTurn();
        const op: SlotMoveOp = { op: "adopt", slots: [...slots], room: m.name, data };
        const answer = await shards.call(to, (s) => s.slotMove(op));
        if (!answer.ok) throw new Error(`${m.name} not handed off: ${answer.message}`);
        return answer.adopted;
      });
    }
  }

  /**
   * Does what the keeper asks. Each operation may be asked again (after a restart of either
   * side) and does nothing more the second time.
   *
   * @param o The operation.
   * @returns Done, or a refusal.
   */
  async op(o: SlotMoveOp): Promise<SlotMoveAnswer> {
    const slots = new Set(o.slots);
    const inSlots = (key: string) => slots.has(this.#slotOf(key));
    switch (o.op) {
      case "freeze":
        this.fence.freeze(o.slots, o.to);
        this.#write();
        // What passed the gate before the freeze is written before the freeze is answered.
        await Promise.allSettled([...this.#inFlight]);
        return { ok: true };
      // Room by room, a turn given back between them: what a room reads or writes of a slot is
      // one piece of the shard's time, not all of them in one (the slots' own work waits on the
      // fence meanwhile). A page ends once it holds `EXPORT_PAGE_BYTES`; the keeper asks for the
      // next from its cursor. Each page may be asked again after a restart.
      case "export": {
        const rooms: Record<string, unknown[]> = {};
        let budget = EXPORT_PAGE_BYTES;
        for (let r = o.from?.room ?? 0; r < this.#movers.length; r++) {
          if (budget <= 0) return { ok: true, rooms, next: { room: r, after: 0 } };
          await nextTurn();
          const m = this.#movers[r]();
          const after = r === o.from?.room ? o.from.after : 0;
          const page = m.leavingPage?.(inSlots, after, budget) ??
            this.#page({ room: r, slots: o.slots.join() }, m, inSlots, after, budget);
          rooms[m.name] = page.rows;
          budget -= page.bytes;
          if (page.next !== undefined) {
            return { ok: true, rooms, next: { room: r, after: page.next } };
          }
        }
        return { ok: true, rooms };
      }
      case "import": {
        const movers = this.#movers.map((make) => make());
        const unknown = Object.keys(o.rooms).filter((n) => !movers.some((m) => m.name === n));
        if (unknown.length > 0) return refusal("BAD_SLOT_MAP", `No room here takes ${unknown}`);
        await nextTurn();
        this.#ctx.storage.transactionSync(() => {
          for (const m of movers) m.arriving(o.rooms[m.name] ?? []);
        });
        return { ok: true };
      }
      // The slots' rows dropped: at the source once the map gave them away (with its fence), or
      // at the destination of a step called off or begun again, so that its copy starts from
      // nothing.
      case "release":
      case "discard":
        await nextTurn();
        this.#ctx.storage.transactionSync(() => {
          if (o.op === "release") {
            this.fence.release(o.slots, o.to);
            this.#write();
          }
          for (const make of this.#movers) make().gone(inSlots);
        });
        return { ok: true };
      case "adopt": {
        const m = this.#movers.map((make) => make()).find((m) => m.name === o.room);
        if (!m?.adopt) return refusal("BAD_SLOT_MAP", `No room here adopts ${o.room}`);
        return { ok: true, adopted: await m.adopt(o.data) };
      }
      // Every room made, the slot of every key it holds hashed once (a turn between rooms), and
      // its own preparation: what the first step from this shard would otherwise do inside its
      // pause.
      case "prepare":
        for (const make of this.#movers) {
          await nextTurn();
          const m = make();
          m.leaving((key) => (this.#slotOf(key), false));
          await m.prepare?.();
        }
        return { ok: true };
      case "thaw":
        this.fence.thaw(o.slots);
        this.#write();
        return { ok: true };
    }
  }

  // A room's `leaving` rows from `after` on, about `bytes` of JSON (at least one row; a
  // character counted as a byte: these rows are ids and numbers): read once when its first page
  // is asked, and held until its last page is given.
  #page(
    of: { room: number; slots: string },
    m: SlotMover,
    inSlots: (key: string) => boolean,
    after: number,
    bytes: number,
  ): ExportPage {
    const held = this.#paging?.room === of.room && this.#paging.slots === of.slots;
    const rows = after > 0 && held ? this.#paging!.rows : m.leaving(inSlots);
    const out: unknown[] = [];
    let used = 0;
    let i = after;
    for (; i < rows.length; i++) {
      const size = JSON.stringify(rows[i]).length;
      if (out.length > 0 && used + size > bytes) break;
      out.push(rows[i]);
      used += size;
    }
    this.#paging = i < rows.length ? { ...of, rows } : undefined;
    return { rows: out, bytes: used, ...(i < rows.length ? { next: i } : {}) };
  }

  // Each step of a growth reads every key of each room to find those in its slots: a key's
  // slot is hashed once for the whole growth, not once per step (32 steps for 8 → 16).
  #slotOf(key: string): number {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      if (this.#slots.size >= SLOT_MEMO_MAX) this.#slots.clear();
      slot = slotOf(key);
      this.#slots.set(key, slot);
    }
    return slot;
  }

  #write(): void {
    const sql = this.#ctx.storage.sql;
    sql.exec("DELETE FROM slot_fence");
    sql.exec(
      "INSERT INTO slot_fence (slot, state, dest) " +
        "SELECT value->>0, value->>1, value->>2 FROM json_each(?)",
      JSON.stringify(this.fence.rows().map((r) => [r.slot, r.state, r.to])),
    );
  }
}
