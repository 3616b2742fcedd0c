/**
 * The slot map the edge serves at `GET /v1/network`, signed by the network's map key. Until
 * slots move, a network's map is its first (slot `s` on shard `s mod SHARD_COUNT`); the map
 * and its signature are made once per isolate, not per request.
 *
 * @module
 */
import { type SignedSlotMap, signSlotMap, SlotMap } from "../../src/routing/mod.ts";
import { deriveMapKey } from "../shard_keys.ts";

let served: { key: string; map: Promise<SignedSlotMap> } | undefined;

/**
 * The network's signed slot map.
 *
 * @example Usage
 * ```ts ignore
 * const map = await signedSlotMap(config);
 * console.assert(map.version >= 1 && map.key.length > 0);
 * ```
 *
 * @param config The network's id, shard count and secret.
 * @returns The signed map; its `key` is the map key's id.
 */
export function signedSlotMap(
  config: { network: string; shards: number; secret: string },
): Promise<SignedSlotMap> {
  const key = `${config.network}|${config.shards}|${config.secret}`;
  if (served?.key !== key) {
    const map = deriveMapKey(config.secret, config.network).then((signer) =>
      signSlotMap(config.network, SlotMap.initial(config.shards), signer)
    );
    served = { key, map };
  }
  return served.map;
}
