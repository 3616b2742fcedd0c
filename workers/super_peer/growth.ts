/**
 * Growing a live network, as the map's keeper (shard 0) drives it: step after step, a few
 * slots move from one shard to another (`nextGrowthStep`) through four phases: the source
 * freezes them (work keyed in them waits), their rows are copied to the destination, the keeper
 * publishes the map that gives them to it (pushed to both), and the source releases them
 * (what waited is answered by the new map; their rows are dropped there; the peers homed in
 * them reconnect to their new home). The step and its phase are written down before each phase
 * runs, and every phase may be done again, so a keeper that restarts resumes the step where it
 * stopped; if the destination cannot take the rows, the source thaws them and the step is
 * called off.
 *
 * A growth is paced (`GROWTH_REST_RATIO`): after each call the keeper waits a multiple of the
 * time it took, so that the shards it works with (and on a local network, the one process all
 * shards share) read their peers' frames between its calls. The shards that take no part in a
 * step learn its map when the step's source is done (all its slots moved) and at the end: a
 * push to every shard at each step would be most of a growth's calls, and a shard that routes
 * by the older map meanwhile is answered `MOVED` or forwarded by the old home.
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import { type Refusal, refusal } from "../../src/protocol/mod.ts";
import {
  GROWTH_PHASES,
  type GrowthPhase,
  type GrowthStep,
  nextGrowthStep,
  SlotMap,
} from "../../src/routing/mod.ts";
import { logEvent } from "../log.ts";
import {
  type ExportCursor,
  type GrowthReport,
  MAP_KEEPER_SHARD,
  type SlotMoveAnswer,
  type SlotMoveOp,
} from "../rpc.ts";
import type { Shards } from "../shards.ts";
import type { MapRoom } from "./map_room.ts";
import type { NetworkConfig } from "../config.ts";
import { failpoint, stallpoint } from "./guard.ts";
import { nextTurn } from "../../src/runtime/next_turn.ts";

/** Slots moved in one step: the writes to them wait while the step runs. */
export const GROWTH_STEP_SLOTS = 64;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS growth (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  target INTEGER NOT NULL,
  step TEXT NOT NULL,
  phase TEXT NOT NULL
);
`;

/**
 * The keeper's growth driver.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { NetworkConfig } from "../config.ts";
 * import type { Shards } from "../shards.ts";
 * import type { MapRoom } from "./map_room.ts";
 * import { Growth } from "./growth.ts";
 * export async function grow(
 *   ctx: DurableObjectState,
 *   shards: Shards,
 *   map: MapRoom,
 *   config: NetworkConfig,
 * ) {
 *   return await new Growth(ctx, 0, shards, map, config).grow(16); // 8 → 16, slot after slot
 * }
 * ```
 */
export class Growth {
  readonly #ctx: DurableObjectState;
  readonly #shard: number;
  readonly #shards: Shards;
  readonly #map: MapRoom;
  readonly #config: NetworkConfig;
  #running: Promise<GrowthReport | Refusal> | undefined;

  /**
   * @param ctx The object's state.
   * @param shard This shard (only the keeper grows the network).
   * @param shards The shards' stubs.
   * @param map The map this shard keeps and publishes.
   * @param config The network's config (its failpoints, for tests of a step cut short).
   */
  constructor(
    ctx: DurableObjectState,
    shard: number,
    shards: Shards,
    map: MapRoom,
    config: NetworkConfig,
  ) {
    this.#config = config;
    this.#ctx = ctx;
    this.#shard = shard;
    this.#shards = shards;
    this.#map = map;
    ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Grows the network to `to` shards, resuming a step a restart cut short first. One growth
   * runs at a time: a second call while one runs gets the same answer.
   *
   * @param to A power of two, more shards than the map has (or as many: nothing to do).
   * @returns What was done, or a refusal (`BAD_GROWTH`, `BAD_SLOT_MAP`).
   */
  grow(to: number): Promise<GrowthReport | Refusal> {
    if (this.#shard !== MAP_KEEPER_SHARD) {
      return Promise.resolve(refusal("BAD_GROWTH", `Only shard ${MAP_KEEPER_SHARD} grows it`));
    }
    this.#running ??= this.#run(to).finally(() => this.#running = undefined);
    return this.#running;
  }

  async #run(to: number): Promise<GrowthReport | Refusal> {
    let steps = 0;
    let slots = 0;
    const pauses: number[] = [];
    let prepared = false;
    // The source of the steps since the other shards were last told the map.
    let untold: number | undefined;
    for (;;) {
      const kept = this.#kept();
      if (kept && kept.target !== to) {
        return refusal("BAD_GROWTH", `A growth to ${kept.target} shards is under way`);
      }
      let step = kept?.step;
      let phase = kept?.phase ?? "freeze";
      if (!step) {
        const signed = await this.#map.current();
        const map = signed && SlotMap.fromJSON(signed);
        if (!(map instanceof SlotMap)) return refusal("BAD_GROWTH", "This network cannot grow");
        const next = nextGrowthStep(map, to, GROWTH_STEP_SLOTS);
        if (next === null || "code" in next || next.from !== untold) {
          if (untold !== undefined || next === null) await this.#tellAll(map);
          untold = undefined;
        }
        if (next === null) {
          return {
            ok: true,
            shards: map.shards,
            version: map.version,
            steps,
            slots,
            longestPauseMs: Math.max(0, ...pauses),
            medianPauseMs: pauses.sort((a, b) => a - b)[pauses.length >> 1] ?? 0,
          };
        }
        if ("code" in next) return next;
        step = next;
        phase = "freeze";
      }
      // Every shard, new and old, has its rooms made before any slot is frozen, one at a time:
      // a shard's start (its storage opened, its rooms made, a ledger's first read) is no part
      // of a step's pause.
      if (!prepared) {
        const now = SlotMap.fromJSON((await this.#map.current())!) as SlotMap;
        for (let k = 0; k < to; k++) await this.#ask(k, { op: "prepare", slots: [] });
        prepared = true;
        logEvent("growth.prepared", { from: now.shards, to });
      }
      const started = Date.now();
      const failed = await this.#step(to, step, phase);
      if (failed) {
        // Called off: the shards that took no part still learn the map the growth got to.
        const now = SlotMap.fromJSON((await this.#map.current())!);
        if (now instanceof SlotMap) await this.#tellAll(now);
        return failed;
      }
      untold = step.from;
      pauses.push(Date.now() - started);
      steps++;
      slots += step.slots.length;
    }
  }

  // Runs a step from `phase` on, writing each phase down before it runs.
  async #step(target: number, step: GrowthStep, from: GrowthPhase): Promise<Refusal | undefined> {
    const ask = (shard: number, o: SlotMoveOp) => this.#ask(shard, o);
    for (const phase of GROWTH_PHASES.slice(GROWTH_PHASES.indexOf(from))) {
      this.#keep(target, step, phase);
      let answer: SlotMoveAnswer | Refusal = { ok: true };
      if (phase === "freeze") {
        answer = await ask(step.from, { op: "freeze", slots: step.slots, to: step.to });
      } else if (phase === "copy") {
        // Resumed here, the slots are frozen again first: a step being called off may have
        // thawed them (and work gone on in them) before it was forgotten. A second freeze
        // changes nothing.
        if (from === "copy") {
          answer = await ask(step.from, { op: "freeze", slots: step.slots, to: step.to });
        }
        if (answer.ok) answer = await this.#copy(step);
        if (!answer.ok) return await this.#callOff(step, answer);
      } else if (phase === "publish") {
        answer = await this.#publish(step);
      } else {
        answer = await ask(step.from, { op: "release", slots: step.slots, to: step.to });
      }
      if (!answer.ok) return answer;
      // A test's stand-in for a crash between a phase done and the next one written down:
      // the phase is done again when the growth resumes.
      failpoint(this.#config, `growth.${phase}`);
      await stallpoint(this.#config, `growth.${phase}`);
    }
    this.#forget();
    logEvent("growth.step", { from: step.from, to: step.to, slots: step.slots.length });
    return undefined;
  }

  // The slots' rows, page after page: each exported by the source and imported by the
  // destination in a transaction of its own, after the destination dropped whatever it held of
  // them (a copy cut short, a call-off's discard that did not reach it). Done again from the
  // first page after a restart. A failed call is a refusal: the step is called off.
  async #copy(step: GrowthStep): Promise<SlotMoveAnswer | Refusal> {
    let from: ExportCursor | undefined;
    let pages = 0;
    try {
      const emptied = await this.#ask(step.to, { op: "discard", slots: step.slots });
      if (!emptied.ok) return emptied;
      do {
        const out = await this.#ask(step.from, { op: "export", slots: step.slots, from });
        if (!out.ok) return out;
        const rooms = out.rooms ?? {};
        const done = await this.#ask(step.to, { op: "import", slots: step.slots, rooms });
        if (!done.ok) return done;
        from = out.next;
        pages++;
      } while (from);
      logEvent("growth.copied", { from: step.from, to: step.to, pages });
      return { ok: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return refusal("GROWTH_CALLED_OFF", message);
    }
  }

  // A copy that cannot be done (a room refuses its rows, a call fails every try) must not leave
  // the slots frozen for good: the source takes them back, the step is forgotten, and the
  // destination drops what it took (if it cannot be reached, the next copy begins with that).
  // Until the source has thawed them the step stays written down, and the next growth freezes
  // them again and copies.
  async #callOff(step: GrowthStep, why: Refusal): Promise<Refusal> {
    const reason = why.code === "GROWTH_CALLED_OFF" ? why.message : `${why.code}: ${why.message}`;
    const off = (m: string) => refusal("GROWTH_CALLED_OFF", `Step from shard ${step.from}: ${m}`);
    try {
      const thawed = await this.#ask(step.from, { op: "thaw", slots: step.slots });
      if (!thawed.ok) throw new Error(thawed.message);
    } catch (error) {
      logEvent("growth.called_off", { step, reason, thawed: false }, "warn");
      return off(`${reason}; its slots are still frozen (${error}): run the growth again`);
    }
    this.#forget();
    await this.#ask(step.to, { op: "discard", slots: step.slots }).catch(() => {});
    logEvent("growth.called_off", { step, reason, thawed: true }, "warn");
    return off(reason);
  }

  // The map that gives the step's slots to their new shard, unless it is out already.
  async #publish(step: GrowthStep): Promise<{ ok: true } | Refusal> {
    const signed = await this.#map.current();
    const map = signed && SlotMap.fromJSON(signed);
    if (!(map instanceof SlotMap)) return refusal("BAD_GROWTH", "This network cannot grow");
    if (step.slots.every((s) => map.shardOfSlot(s) === step.to)) return { ok: true };
    const next = map.assign(new Map(step.slots.map((s) => [s, step.to])));
    const published = await this.#map.publish(next.toJSON(), [step.from, step.to]);
    if ("code" in published) return published;
    if (published.unreached.length > 0) {
      logEvent("growth.unreached", { shards: published.unreached }, "warn");
    }
    return { ok: true };
  }

  // A phase at a shard, then the rest that paces the growth. A turn given back first: where
  // the shards share a process (a local network), calls that answer at once would otherwise
  // run back to back and keep every socket of the process unread until the growth ends.
  async #ask(shard: number, o: SlotMoveOp): Promise<SlotMoveAnswer> {
    await nextTurn();
    const since = Date.now();
    const answer = await this.#shards.call(shard, (s) => s.slotMove(o), 3) as SlotMoveAnswer;
    await this.#rest(since);
    return answer;
  }

  // Waits `GROWTH_REST_RATIO` times as long as the call begun at `since` took.
  async #rest(since: number): Promise<void> {
    const ms = (Date.now() - since) * this.#config.limits.GROWTH_REST_RATIO;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  // The newest map, pushed to every shard (those of the steps since the last push have it).
  async #tellAll(map: SlotMap): Promise<void> {
    const everyone = Array.from({ length: map.shards }, (_, k) => k);
    const unreached = await this.#map.push(everyone, (since) => this.#rest(since));
    if (unreached.length > 0) logEvent("growth.unreached", { shards: unreached }, "warn");
  }

  #kept(): { target: number; step: GrowthStep; phase: GrowthPhase } | undefined {
    const row = this.#ctx.storage.sql.exec<{ target: number; step: string; phase: string }>(
      "SELECT target, step, phase FROM growth",
    ).toArray()[0];
    return row && {
      target: row.target,
      step: JSON.parse(row.step) as GrowthStep,
      phase: row.phase as GrowthPhase,
    };
  }

  #keep(target: number, step: GrowthStep, phase: GrowthPhase): void {
    this.#ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO growth (id, target, step, phase) VALUES (1, ?, ?, ?)",
      target,
      JSON.stringify(step),
      phase,
    );
  }

  #forget(): void {
    this.#ctx.storage.sql.exec("DELETE FROM growth");
  }
}
