/**
 * The slot map an edge isolate serves at `GET /v1/network` and routes by: read from the map's
 * keeper (shard 0) at most once per `MAP_REFRESH_MS`, and followed by the isolate's placement
 * (`config.placement`), through which every home is computed. Until slots move, it is the
 * network's first map. A hello routed by an older map meanwhile is answered `MOVED` by the
 * shard that gave its slot away, with the newer map, which `adoptMoved` takes.
 *
 * @module
 */
import { turnServerFor } from "./turn_credentials.ts";
import { cloudflareTurnServer } from "./cloudflare_turn.ts";
import { placesBySlot, type SignedSlotMap, SlotMap } from "../../src/routing/mod.ts";
import type { NetworkConfig } from "../config.ts";
import { jsonError } from "../http_error.ts";
import { type Handoff, handoffRequest } from "../handoff.ts";
import type { Shards } from "../shards.ts";
import { MAP_KEEPER_SHARD } from "../rpc.ts";

let served:
  | { key: string; at: number; map: Promise<SignedSlotMap | undefined>; version?: number }
  | undefined;

/**
 * The network's signed slot map as the keeper holds it, read again past `MAP_REFRESH_MS`;
 * none for a network whose shard count does not divide the slot space (it places keys by the
 * digest modulo its count, and cannot grow).
 *
 * @example Usage
 * ```ts ignore
 * const map = await signedSlotMap(config, shards);
 * console.assert(map === undefined || map.version >= 1);
 * ```
 *
 * @param config The network's config (its placement follows what is read).
 * @param shards The shards (the keeper is asked).
 * @param now The clock, in ms. @default now
 * @returns The signed map (its `key` is the map key's id), or `undefined`.
 */
export function signedSlotMap(
  config: NetworkConfig,
  shards: Shards,
  now: number = Date.now(),
): Promise<SignedSlotMap | undefined> {
  if (!placesBySlot(config.shards)) return Promise.resolve(undefined);
  const key = `${config.network}|${config.shards}`;
  // Read again past its time, or once the isolate follows a newer map than the one served (a
  // super-peer of this isolate adopted it): the map served never lags the homes computed.
  const behind = served?.version !== undefined && served.version < config.placement.version;
  if (served?.key !== key || now - served.at >= config.limits.MAP_REFRESH_MS || behind) {
    const entry: NonNullable<typeof served> = { key, at: now, map: Promise.resolve(undefined) };
    entry.map = shards.call(MAP_KEEPER_SHARD, (s) => s.mapCurrent(), 2).then((signed) => {
      if (signed) follow(config, signed);
      entry.version = signed?.version;
      return signed;
    });
    const map = entry.map;
    // A failure is not kept: the next request asks again.
    map.catch(() => {
      if (served === entry) served = undefined;
    });
    served = entry;
  }
  return served.map;
}

/**
 * Takes the map a shard answered `MOVED` with: the isolate follows it at once if it is newer,
 * and serves it until the next read.
 *
 * @example Usage
 * ```ts ignore
 * if (adoptMoved(config, body.slotMap)) home = config.placement.home(peer);
 * ```
 *
 * @param config The network's config.
 * @param signed The map from inside the network (a super-peer's answer, not a client's).
 * @returns Whether the placement now follows a newer map.
 */
export function adoptMoved(config: NetworkConfig, signed: SignedSlotMap): boolean {
  if (!follow(config, signed)) return false;
  served = {
    key: `${config.network}|${config.shards}`,
    at: Date.now(),
    map: Promise.resolve(signed),
    version: signed.version,
  };
  return true;
}

/**
 * Hands a peer's socket to its home by the map this isolate follows. Routed by an older map than
 * the shard's, the hand-off is answered `MOVED` by the shard that gave the peer's slot away,
 * with the newer map: this isolate follows it from then on, and hands the socket to the new
 * home, once (the new home holds the slot under the newest map).
 *
 * @example Usage
 * ```ts ignore
 * return await handOver(config, shards, { peer, nonce, ts, address, batch: false });
 * ```
 *
 * @param config The network's config (its placement).
 * @param shards The shards.
 * @param who Who connects.
 * @returns The home's answer: the upgrade, or its refusal.
 */
export async function handOver(
  config: NetworkConfig,
  shards: Shards,
  who: Handoff,
): Promise<Response> {
  // The peer's own TURN credential, for its welcome (never in the public facts).
  if (config.turn) {
    const ttl = config.limits.TURN_CREDENTIAL_TTL_MS;
    const turn = "secret" in config.turn
      ? await turnServerFor(config.turn, who.peer, ttl)
      : await cloudflareTurnServer(config.turn, ttl);
    if (turn) who = { ...who, turn };
  }
  const tried = config.placement.home(who.peer);
  const answer = await shards.stub(tried).fetch(handoffRequest(who));
  if (answer.status !== 421) return answer;
  const moved = await answer.json() as { slotMap?: SignedSlotMap };
  if (moved.slotMap) adoptMoved(config, moved.slotMap);
  const home = config.placement.home(who.peer);
  if (home === tried) return jsonError(503, "SHARD_UNAVAILABLE", "The peer's home moved; retry");
  return await shards.stub(home).fetch(handoffRequest(who));
}

function follow(config: NetworkConfig, signed: SignedSlotMap): boolean {
  const map = SlotMap.fromJSON(signed);
  return map instanceof SlotMap && config.placement.adopt(map);
}
