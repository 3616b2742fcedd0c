/**
 * Direct channels between peers: the transport interface, the browser transport, and the
 * authenticated link. The Deno/Node transport is in `werift_transport.ts`, imported apart.
 *
 * @example Usage
 * ```ts
 * import { sdpFingerprint } from "./mod.ts";
 * console.assert(sdpFingerprint("") === undefined);
 * ```
 *
 * @module
 */
export * from "./link.ts";
export * from "./manager.ts";
export * from "./pair.ts";
export * from "./transport.ts";
