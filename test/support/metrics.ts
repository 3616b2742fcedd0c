/**
 * Reading the network's metrics in tests.
 *
 * @module
 */

/**
 * How many times each shard was asked for its figures, read through `/v1/metrics` (a direct
 * stats call would count itself).
 *
 * @param url The network's HTTP base URL.
 * @param shards The number of shards.
 * @returns The count of each shard.
 */
export async function statsCalls(url: string, shards: number): Promise<number[]> {
  const text = await (await fetch(`${url}/v1/metrics`)).text();
  return Array.from({ length: shards }, (_, k) => {
    const line = text.split("\n").find((l) =>
      l.startsWith(`superpeer_stats_calls_total{shard="${k}"}`)
    );
    return Number(line?.split(" ")[1]);
  });
}
