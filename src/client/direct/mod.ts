/**
 * Direct channels between peers: the transport interface, the browser transport, the
 * authenticated link and the upgrade policy. The Deno/Node transports are in
 * `native_transport.ts` and `werift_transport.ts`, imported apart.
 *
 * @example Usage
 * ```ts
 * import { sdpFingerprint } from "./mod.ts";
 * console.assert(sdpFingerprint("") === undefined);
 * ```
 *
 * @module
 */
export * from "./browser_transport.ts";
export * from "./link.ts";
export * from "./transport.ts";
export type { DirectOptions } from "./upgrades.ts";
export type { ChannelPath } from "./route.ts";
export {
  DEFAULT_DIRECT_RETRY_MS,
  DEFAULT_DIRECT_THRESHOLD,
  DEFAULT_DIRECT_TIMEOUT_MS,
  DIRECT_BUFFER_BYTES,
} from "../constants.ts";
