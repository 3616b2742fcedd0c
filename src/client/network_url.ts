/**
 * A network URL checked before anything is done with it.
 *
 * @module
 */

/**
 * Checks a network URL at once, so that a typo fails with a clear message instead of a
 * connection that retries forever.
 *
 * @example Usage
 * ```ts
 * import { checkNetworkUrl } from "./network_url.ts";
 * console.assert(checkNetworkUrl("ws://127.0.0.1:8787") === "ws://127.0.0.1:8787");
 * ```
 *
 * @param url The URL as given.
 * @returns The URL.
 * @throws {TypeError} If it is not an absolute `ws:`, `wss:`, `http:` or `https:` URL.
 */
export function checkNetworkUrl(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Reported below.
  }
  if (!parsed || !["ws:", "wss:", "http:", "https:"].includes(parsed.protocol)) {
    throw new TypeError(
      `Invalid network URL "${url}": expected ws://, wss://, http:// or https:// and a host`,
    );
  }
  return url;
}
