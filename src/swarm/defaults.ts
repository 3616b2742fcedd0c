/**
 * The swarm's defaults that a peer's options name, apart from the swarm's code: the client's
 * core reads them without loading file sharing.
 *
 * @module
 */

/**
 * How long `fetch` looks for providers before it gives up, by default, in ms.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_FIND_PROVIDERS_MS } from "./defaults.ts";
 * console.assert(DEFAULT_FIND_PROVIDERS_MS === 10_000);
 * ```
 */
export const DEFAULT_FIND_PROVIDERS_MS = 10_000;
