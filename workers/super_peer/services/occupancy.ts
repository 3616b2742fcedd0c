/**
 * Which shards have peers online, so that discovery asks only those. Each shard registers
 * itself at the home of one key (`shardOf(OCCUPIED_KEY)`) when its first peer connects and
 * leaves when its last one goes, kept there like the shards of a topic; a shard that
 * restarted with no sockets takes itself off on its first wake. Discovery reads the list
 * (a list longer than `DISCOVERY_SHARDS_PER_QUERY` is cached for `OCCUPIED_CACHE_MS` per
 * asking shard, so the key's home of a large network takes at most one read per shard per
 * interval; a short one is read each time, so a newcomer is found at once) and samples `DISCOVERY_SHARDS_PER_QUERY` of them: on a small
 * network every occupied shard, on a large one a bounded number, each with a peer.
 *
 * @module
 */
import type { PubSub } from "./pubsub.ts";
import type { ServiceHost } from "./service_host.ts";

/** The key the occupied shards are kept under: not a topic (no peer can subscribe to it). */
export const OCCUPIED_KEY = "\u0000occupied";

/** How long a shard reuses the list of occupied shards it read, in ms. */
const OCCUPIED_CACHE_MS = 2_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS occupancy (k INTEGER PRIMARY KEY CHECK (k = 0),
  announced INTEGER NOT NULL);
`;

/**
 * This shard's entry in the list of occupied shards, and its view of that list.
 *
 * @example Usage
 * ```ts
 * import type { ServiceHost } from "./service_host.ts";
 * import { Occupancy } from "./occupancy.ts";
 * import { PubSub } from "./pubsub.ts";
 * export async function occupied(host: ServiceHost) {
 *   const occupancy = new Occupancy(host, new PubSub(host));
 *   occupancy.changed(); // after a connect or a leave
 *   return await occupancy.shards();
 * }
 * ```
 */
export class Occupancy {
  readonly #host: ServiceHost;
  readonly #pubsub: PubSub;
  /** What the key's home was last told (as stored). */
  #announced: boolean;
  /** One update at a time, each applying the state of the moment it runs. */
  #updating: Promise<void> = Promise.resolve();
  #cache: { at: number; shards: number[] } | undefined;

  /**
   * @param host The super-peer.
   * @param pubsub Its pub/sub, which keeps the list at the key's home.
   */
  constructor(host: ServiceHost, pubsub: PubSub) {
    this.#host = host;
    this.#pubsub = pubsub;
    const sql = host.ctx.storage.sql;
    sql.exec(SCHEMA);
    this.#announced = (sql.exec<{ announced: number }>("SELECT announced FROM occupancy")
      .toArray()[0]?.announced ?? 0) === 1;
    // Listed, yet woken with no socket: a restart took its peers, and no leave was told.
    if (this.#announced && host.onlineCount() === 0) this.changed();
  }

  /** Whether the key's home was last told this shard has peers online. */
  get listed(): boolean {
    return this.#announced;
  }

  /** The number of peers here may have gone from 0 or to 0: tell the key's home. */
  changed(): void {
    this.#updating = this.#updating.then(() => this.#update()).catch((error) =>
      console.warn("occupancy not told", String(error))
    );
  }

  async #update(): Promise<void> {
    const occupied = this.#host.onlineCount() > 0;
    if (occupied === this.#announced) return;
    await this.#pubsub.register(OCCUPIED_KEY, occupied);
    this.#announced = occupied;
    this.#host.ctx.storage.sql.exec(
      "INSERT OR REPLACE INTO occupancy VALUES (0, ?)",
      occupied ? 1 : 0,
    );
  }

  /**
   * The shards with peers online, as the key's home lists them.
   *
   * @returns Their numbers.
   */
  async shards(): Promise<number[]> {
    const now = Date.now();
    if (this.#cache && now - this.#cache.at < OCCUPIED_CACHE_MS) return this.#cache.shards;
    const home = this.#host.config.placement.home(OCCUPIED_KEY);
    const shards = home === this.#host.shard()
      ? this.#pubsub.shardsOf(OCCUPIED_KEY)
      : await this.#host.call(home, (s) => s.topicShards(OCCUPIED_KEY), 2);
    // A short list is read again each time: a peer that just came is then found at once, and
    // reading it costs as little as the few shards asked. A long one is kept a while.
    const cacheable = shards.length > this.#host.config.limits.DISCOVERY_SHARDS_PER_QUERY;
    this.#cache = cacheable ? { at: now, shards } : undefined;
    return shards;
  }
}
