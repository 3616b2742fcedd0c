/**
 * The network's signature on its slot map, so that a peer, an edge or a super-peer that is
 * handed a map (by `/v1/network`, or with a `MOVED`) believes it only if the network's map
 * key signed it. The signed bytes are the UTF-8 of
 * `superpeer-slot-map-v1\n<network>\n<canonical JSON of the map>`; the signature is
 * Ed25519, written base64url without padding.
 *
 * @module
 */
import { base64urlnopad } from "../encoding/mod.ts";
import { type Identity, verifySignature } from "../identity/identity.ts";
import { SlotMap, type SlotMapRefusal } from "./slot_map.ts";

/** What the signed bytes start with: a map signature is never valid as anything else. */
export const SLOT_MAP_DOMAIN = "superpeer-slot-map-v1";

/** A map with the network's signature: `SlotMapJson`'s fields, a key and a signature. */
export interface SignedSlotMap {
  /** Grows by one with every change; a map of a higher version replaces a lower one. */
  version: number;
  /** The slot space, 4,096. */
  slots: number;
  /** Shards in use: every shard below it holds at least one slot. */
  shards: number;
  /** Slot `s` is on shard `s mod base` unless `moved` says otherwise. */
  base: number;
  /** `[slot, shard]` pairs, ascending by slot, of the slots not on `s mod base`. */
  moved: [number, number][];
  /** The map key's id (written like a peer id). */
  key: string;
  /** Ed25519 signature of {@linkcode slotMapMessage}, base64url. */
  sig: string;
}

const utf8 = new TextEncoder();

/**
 * The bytes a map's signature covers.
 *
 * @param network The network id.
 * @param map The map.
 * @returns The bytes.
 *
 * @example Usage
 * ```ts
 * import { SlotMap } from "./slot_map.ts";
 * import { slotMapMessage } from "./slot_map_signature.ts";
 * const bytes = slotMapMessage("dev", SlotMap.initial(1));
 * console.assert(new TextDecoder().decode(bytes).startsWith("superpeer-slot-map-v1\ndev\n"));
 * ```
 */
export function slotMapMessage(network: string, map: SlotMap): Uint8Array {
  return utf8.encode(`${SLOT_MAP_DOMAIN}\n${network}\n${JSON.stringify(map.toJSON())}`);
}

/**
 * Signs a map with the network's map key.
 *
 * @param network The network id.
 * @param map The map.
 * @param key The map key.
 * @returns The signed map.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { SlotMap } from "./slot_map.ts";
 * import { signSlotMap } from "./slot_map_signature.ts";
 * const signed = await signSlotMap("dev", SlotMap.initial(2), await Identity.generate());
 * console.assert(signed.version === 1 && signed.sig.length > 0);
 * ```
 */
export async function signSlotMap(
  network: string,
  map: SlotMap,
  key: Identity,
): Promise<SignedSlotMap> {
  const sig = base64urlnopad.encode(await key.sign(slotMapMessage(network, map)));
  return { ...map.toJSON(), key: key.peerId, sig };
}

/**
 * Checks a signed map: well formed, signed by the map key the caller trusts.
 *
 * @param network The network id.
 * @param signed What was received.
 * @param trusted The map key's id, as the network's facts name it.
 * @returns The map, or `BAD_SLOT_MAP` saying why.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/identity.ts";
 * import { SlotMap } from "./slot_map.ts";
 * import { signSlotMap, verifySlotMap } from "./slot_map_signature.ts";
 * const key = await Identity.generate();
 * const signed = await signSlotMap("dev", SlotMap.initial(2), key);
 * console.assert((await verifySlotMap("dev", signed, key.peerId)) instanceof SlotMap);
 * ```
 */
export async function verifySlotMap(
  network: string,
  signed: unknown,
  trusted: string,
): Promise<SlotMap | SlotMapRefusal> {
  const bad = (message: string): SlotMapRefusal => ({ ok: false, code: "BAD_SLOT_MAP", message });
  const map = SlotMap.fromJSON(signed);
  if (!(map instanceof SlotMap)) return map;
  const { key, sig } = signed as Partial<SignedSlotMap>;
  if (key !== trusted) return bad("Signed by another key than the network's map key");
  let signature: Uint8Array;
  try {
    signature = base64urlnopad.decode(String(sig));
  } catch {
    return bad("The signature is not base64url");
  }
  // The canonical form read back, not the bytes received: a map written otherwise (keys in
  // another order, a different base for the same slots) is a different message.
  if (!await verifySignature(trusted, signature, slotMapMessage(network, map))) {
    return bad("The signature does not verify");
  }
  return map;
}
