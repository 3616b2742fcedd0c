/**
 * What both direct benchmarks (Deno peers, browser pages) read off the network.
 *
 * @module
 */

/**
 * The payload bytes the relay has carried so far, summed over a two-shard network.
 *
 * @example Usage
 * ```ts
 * import { payloadBytesIn } from "./direct_common.ts";
 * // Against a running network: the relay's payload counters, summed over its shards.
 * export const relayed = () => payloadBytesIn("http://127.0.0.1:8787");
 * ```
 *
 * @param url The network's HTTP address.
 * @returns The bytes.
 */
export async function payloadBytesIn(url: string): Promise<number> {
  let n = 0;
  for (const k of [0, 1]) {
    n += (await (await fetch(`${url}/v1/shards/${k}/stats`)).json()).payloadBytesIn;
  }
  return n;
}
