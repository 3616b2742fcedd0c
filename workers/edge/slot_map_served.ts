/**
 * The slot map the edge serves at `GET /v1/network`, signed by the network's map key. Until
 * slots move, a network's map is its first (slot `s` on shard `s mod SHARD_COUNT`); the map
 * and its signature are made once per isolate, not per request.
 *
 * @module
 */
import { placesBySlot, type SignedSlotMap, signSlotMap, SlotMap } from "../../src/routing/mod.ts";
import { deriveMapKey } from "../shard_keys.ts";

let served: { key: string; map: Promise<SignedSlotMap> } | undefined;

/**
 * The network's signed slot map; none for a network whose shard count does not divide the
 * slot space (it places keys by the digest modulo its count, and cannot grow).
 *
 * @example Usage
 * ```ts ignore
 * const map = await signedSlotMap(config);
 * console.assert(map === undefined || map.version >= 1);
 * ```
 *
 * @param config The network's id, shard count and secret.
 * @returns The signed map (its `key` is the map key's id), or `undefined`.
 */
export function signedSlotMap(
  config: { network: string; shards: number; secret: string },
): Promise<SignedSlotMap | undefined> {
  if (!placesBySlot(config.shards)) return Promise.resolve(undefined);
  const key = `${config.network}|${config.shards}|${config.secret}`;
  if (served?.key !== key) {
    const map = deriveMapKey(config.secret, config.network).then((signer) =>
      signSlotMap(config.network, SlotMap.initial(config.shards), signer)
    );
    const entry = { key, map };
    // A failure is not kept: the next request tries again.
    map.catch(() => {
      if (served === entry) served = undefined;
    });
    served = entry;
  }
  return served.map;
}
