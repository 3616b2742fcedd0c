/**
 * Ed25519 identities and self-certifying peer ids.
 *
 * @example Usage
 * ```ts
 * import { Identity, isPeerId } from "./mod.ts";
 * const me = await Identity.generate();
 * console.assert(isPeerId(me.peerId));
 * ```
 *
 * @module
 */
export * from "./identity.ts";
export * from "./peer_id.ts";
