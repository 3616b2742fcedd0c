/**
 * The slot map as one super-peer keeps it: the newest signed map it adopted, kept in its
 * SQLite storage so that a restart does not fall back to the network's first map, and followed
 * by the isolate's placement (`config.placement`), through which every home is computed.
 *
 * Shard 0 is also the map's keeper: the one place a new version is made (`publish`), signed
 * with the network's map key, written down before anyone hears of it, then pushed to every
 * shard of the old map and the new. Versions grow by one; a map older than or equal to the one
 * kept is ignored, so a push that arrives late or twice changes nothing.
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import {
  type SignedSlotMap,
  signSlotMap,
  SlotMap,
  type SlotMapJson,
  type SlotMapRefusal,
} from "../../src/routing/mod.ts";
import type { NetworkConfig } from "../config.ts";
import { deriveMapKey } from "../shard_keys.ts";
import { MAP_KEEPER_SHARD, type Published } from "../rpc.ts";
import type { Shards } from "../shards.ts";
import { nextTurn } from "../../src/runtime/next_turn.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS slot_map (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  version INTEGER NOT NULL,
  signed TEXT NOT NULL
);
`;

/**
 * One super-peer's slot map.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { NetworkConfig } from "../config.ts";
 * import type { Shards } from "../shards.ts";
 * import { MapRoom } from "./map_room.ts";
 * export async function served(ctx: DurableObjectState, config: NetworkConfig, shards: Shards) {
 *   const room = new MapRoom(ctx, config, 0, shards);
 *   return await room.current(); // the newest signed map this shard adopted
 * }
 * ```
 */
export class MapRoom {
  readonly #ctx: DurableObjectState;
  readonly #config: NetworkConfig;
  readonly #shard: number;
  readonly #shards: Shards;
  #signed: SignedSlotMap | undefined;

  /**
   * Reads the map kept here, and has the placement follow it if it is newer.
   *
   * @param ctx The object's state.
   * @param config The network's config (its placement is followed).
   * @param shard This shard.
   * @param shards The other shards.
   */
  constructor(ctx: DurableObjectState, config: NetworkConfig, shard: number, shards: Shards) {
    this.#ctx = ctx;
    this.#config = config;
    this.#shard = shard;
    this.#shards = shards;
    ctx.storage.sql.exec(SCHEMA);
    const row = ctx.storage.sql.exec<{ signed: string }>("SELECT signed FROM slot_map").toArray();
    if (row.length > 0) {
      this.#signed = JSON.parse(row[0].signed) as SignedSlotMap;
      this.#follow(this.#signed);
    }
  }

  /**
   * The newest signed map this shard holds: the one it adopted, else the network's first,
   * signed here; `undefined` for a network that places keys by modulo and cannot grow.
   */
  async current(): Promise<SignedSlotMap | undefined> {
    if (!this.#config.placement.map) return undefined;
    // The first map is derived, not kept: the network's shard count and key make it again.
    this.#signed ??= await this.#sign(SlotMap.initial(this.#config.shards));
    return this.#signed;
  }

  /**
   * Adopts a newer signed map: written down first, then followed. The caller (the keeper, or
   * a shard's edge that verified it) vouches for its signature.
   *
   * @param signed The map.
   * @returns Whether it was newer than the one kept.
   */
  adopt(signed: SignedSlotMap): boolean {
    if (this.#signed && signed.version <= this.#signed.version) return false;
    const map = SlotMap.fromJSON(signed);
    if (!(map instanceof SlotMap)) throw new TypeError(map.message);
    this.#ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO slot_map VALUES (1, ?, ?)",
      signed.version,
      JSON.stringify(signed),
    );
    this.#signed = signed;
    this.#config.placement.adopt(map); // read once, above
    return true;
  }

  /**
   * At the keeper only: makes the next version of the map, signs it, writes it down, and
   * pushes it to the shards named, or to every shard of the old map and of the new one.
   *
   * @param next The new assignment; its version must be the current one's plus one.
   * @param reach The shards to push it to now (the others learn it later, from a push or a
   *   `MOVED`); every shard if not given.
   * @returns The signed map and the shards the push did not reach; or `BAD_SLOT_MAP` anywhere
   *   but at the keeper, for a malformed map, or for a version out of turn.
   */
  async publish(
    next: SlotMapJson,
    reach?: readonly number[],
  ): Promise<Published | SlotMapRefusal> {
    const bad = (message: string): SlotMapRefusal => ({ ok: false, code: "BAD_SLOT_MAP", message });
    if (this.#shard !== MAP_KEEPER_SHARD) return bad(`Only shard ${MAP_KEEPER_SHARD} publishes`);
    const now = await this.current();
    const map = SlotMap.fromJSON(next);
    if (!(map instanceof SlotMap)) return map;
    if (!now || map.version !== now.version + 1) {
      return bad(`Version ${map.version} is not the next after ${now?.version ?? "none"}`);
    }
    const signed = await this.#sign(map);
    this.adopt(signed);
    const everyone = Array.from({ length: Math.max(now.shards, map.shards) }, (_, k) => k);
    return { map: signed, unreached: await this.push(reach ?? everyone) };
  }

  /**
   * Pushes the newest map this shard holds to other shards, one after another, a turn given
   * back between them: each adoption is a commit, and where the shards share a process (a
   * local network) all at once would hold its sockets unread for all of them.
   *
   * @param shards The shards (this one is left out).
   * @param rest Awaited after each push, given when it began (`Date.now()`): a growth's pace.
   * @returns The shards the push did not reach.
   */
  async push(
    shards: readonly number[],
    rest: (since: number) => Promise<void> = () => Promise.resolve(),
  ): Promise<number[]> {
    const signed = await this.current();
    const unreached: number[] = [];
    if (!signed) return unreached;
    for (const k of shards) {
      if (k === this.#shard) continue;
      await nextTurn();
      const since = Date.now();
      await this.#shards.call(k, (s) => s.mapAdopt(signed)).catch(() => unreached.push(k));
      await rest(since);
    }
    return unreached;
  }

  /**
   * The answer to a hand-off or request for a key whose slot this shard does not hold under
   * its map: HTTP 421 `MOVED`, with the map's version and the signed map, so that the asker
   * follows it and asks the key's home.
   *
   * @returns The response.
   */
  async moved(): Promise<Response> {
    const slotMap = await this.current();
    const version = slotMap?.version ?? this.#config.placement.version;
    const body = {
      ok: false,
      code: "MOVED",
      message: `The key's slot is held by another shard under map version ${version}`,
      version,
      slotMap,
    };
    return new Response(JSON.stringify(body), {
      status: 421,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  }

  async #sign(map: SlotMap): Promise<SignedSlotMap> {
    const { secret, network } = this.#config;
    return await signSlotMap(network, map, await deriveMapKey(secret, network));
  }

  #follow(signed: SignedSlotMap): void {
    const map = SlotMap.fromJSON(signed);
    if (map instanceof SlotMap) this.#config.placement.adopt(map);
  }
}
