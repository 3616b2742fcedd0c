/**
 * The network's observer: one shard (the home of `$stats`) gathers every shard's figures, at
 * most once per `STATS_INTERVAL_MS` however many ask, for `GET /v1/metrics`; and while any
 * peer subscribes to `$stats`, it publishes their summary there every interval, so that any
 * number of open pages costs each shard one `stats` call per interval. It also keeps the
 * edge's hello refusals, which the edge's isolates send it in batches.
 *
 * @module
 */
import {
  type NetworkStats,
  shardCapacity,
  shardLoad,
  STATS_TOPIC,
  type StatsAnswer,
} from "../../src/protocol/mod.ts";
import { observerShard } from "../../src/routing/mod.ts";
import type { DurableObjectState } from "cloudflare:workers";
import type { AlarmScheduler } from "./alarm.ts";
import { summarize } from "./stats_summary.ts";
import type { NetworkConfig } from "../config.ts";
import type { PubSub } from "./services/pubsub.ts";
import type { Shards } from "../shards.ts";

/** Shards asked at once while gathering. */
const GATHER_CONCURRENCY = 128;
/** How long a shard may take to answer a gathering. */
const GATHER_TIMEOUT_MS = 1_500;

/** What the observer is given by its shard. */
export interface ObserverHost {
  config: NetworkConfig;
  shard: number;
  shards: Shards;
  alarm: AlarmScheduler;
  /** Publishes on `$stats` (this shard is its home). */
  publish(data: string, n: number): void;
  /** Whether any shard has subscribers of `$stats`. */
  watched(): boolean;
}

/**
 * The observer of a network, if this shard is the home of `$stats`.
 *
 * @example Usage
 * ```ts
 * import { observerOf } from "./observer.ts";
 * import type { ObserverHost } from "./observer.ts";
 * import type { PubSub } from "./services/pubsub.ts";
 * import type { DurableObjectState } from "cloudflare:workers";
 * type Given = Omit<ObserverHost, "publish" | "watched"> & { pubsub: PubSub; ctx: DurableObjectState };
 * export const make = (o: Given) => observerOf(o);
 * ```
 *
 * @param o The shard, its config, the other shards, its alarm and its pub/sub.
 * @returns The observer, or `undefined` on any other shard.
 */
export function observerOf(
  o: Omit<ObserverHost, "publish" | "watched"> & { pubsub: PubSub; ctx: DurableObjectState },
): Observer | undefined {
  if (o.shard !== observerShard(o.config.placement)) return undefined;
  const { pubsub } = o;
  const observer = new Observer({
    config: o.config,
    shard: o.shard,
    shards: o.shards,
    alarm: o.alarm,
    publish: (data, n) => pubsub.publish({ topic: STATS_TOPIC, from: "network", n, data }),
    watched: () => pubsub.shardsOf(STATS_TOPIC).length > 0,
  });
  // A shard that subscribes starts the publishing, if it had stopped with no one watching.
  pubsub.joined = (topic) => {
    if (topic === STATS_TOPIC) o.ctx.waitUntil(observer.watchedNow());
  };
  return observer;
}

/**
 * The observer room of the home of `$stats`.
 *
 * @example Usage
 * ```ts
 * import { Observer, type ObserverHost } from "./observer.ts";
 * export const figures = (host: ObserverHost) => new Observer(host).networkStats();
 * ```
 */
export class Observer {
  readonly #host: ObserverHost;
  #last: NetworkStats | undefined;
  #gathering: Promise<NetworkStats> | undefined;
  readonly #helloRefusals: Record<string, number> = {};
  /** Gatherings made since start: what the bound on the shards' cost is measured by. */
  gatherings = 0;

  /** @param host The shard's side. */
  constructor(host: ObserverHost) {
    this.#host = host;
  }

  /**
   * Every shard's figures, gathered at most once per `STATS_INTERVAL_MS`: a call within the
   * interval gets the last gathering, and calls during one share it.
   *
   * @returns The snapshot.
   */
  networkStats(): Promise<NetworkStats> {
    const interval = this.#host.config.limits.STATS_INTERVAL_MS;
    if (this.#last && Date.now() - this.#last.at < interval) return Promise.resolve(this.#last);
    this.#gathering ??= this.#gather().finally(() => this.#gathering = undefined);
    return this.#gathering;
  }

  /**
   * Counts hellos an edge isolate refused since it last said.
   *
   * @param counts Refusals by code.
   */
  helloRefused(counts: Record<string, number>): void {
    for (const [code, n] of Object.entries(counts)) {
      // Codes are the protocol's few; a bound all the same, against a confused caller.
      if (!/^[A-Z_]{1,40}$/.test(code) || !Number.isSafeInteger(n) || n < 0) continue;
      if (!(code in this.#helloRefusals) && Object.keys(this.#helloRefusals).length >= 64) continue;
      this.#helloRefusals[code] = (this.#helloRefusals[code] ?? 0) + n;
    }
  }

  /** A shard now subscribes to `$stats`: the publishing starts, if it had stopped. */
  async watchedNow(): Promise<void> {
    await this.#host.alarm.wakeBy(Date.now() + this.#host.config.limits.STATS_INTERVAL_MS);
  }

  /** The alarm fired: while `$stats` is watched, its summary goes out, and the next is due. */
  async tick(): Promise<void> {
    if (!this.#host.watched()) return;
    const interval = this.#host.config.limits.STATS_INTERVAL_MS;
    const last = this.#last?.at ?? 0;
    if (Date.now() - last >= interval * 0.9) {
      const stats = await this.networkStats();
      this.#host.publish(JSON.stringify(summarize(stats)), stats.at);
    }
    await this.#host.alarm.wakeBy((this.#last?.at ?? Date.now()) + interval);
  }

  async #gather(): Promise<NetworkStats> {
    const { config, shards } = this.#host;
    this.gatherings++;
    const figures: StatsAnswer[] = [];
    const ask = async (k: number) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), GATHER_TIMEOUT_MS);
      });
      try {
        const answer = await Promise.race([shards.stub(k).stats(), late]);
        if (answer) figures.push({ ...answer, shard: k });
      } catch {
        shards.broken(k); // left out of this gathering; asked again at the next
      } finally {
        clearTimeout(timer);
      }
    };
    // Every shard in use under the map followed now: a grown network's new shards included.
    const count = config.placement.shards;
    for (let from = 0; from < count; from += GATHER_CONCURRENCY) {
      const to = Math.min(count, from + GATHER_CONCURRENCY);
      await Promise.all(Array.from({ length: to - from }, (_, i) => ask(from + i)));
    }
    const at = Date.now();
    const frames = figures.reduce((n, f) => n + f.framesIn, 0);
    const before = this.#last;
    const framesBefore = before?.figures.reduce((n, f) => n + f.framesIn, 0) ?? frames;
    const seconds = before ? (at - before.at) / 1_000 : 0;
    const earlier = new Map(before?.figures.map((f) => [f.shard, f]));
    const stats: NetworkStats = {
      network: config.network,
      at,
      shards: count,
      figures: figures.sort((a, b) => a.shard - b.shard),
      helloRefusals: { ...this.#helloRefusals },
      // A shard that restarted counts from 0 again: never a negative rate.
      framesPerSecond: seconds > 0 ? Math.max(0, (frames - framesBefore) / seconds) : 0,
      load: figures.map((f) =>
        shardLoad(f, earlier.get(f.shard), seconds, config.limits.MAIL_MAX_PER_SHARD)
      ),
      capacity: shardCapacity(config.limits.MAIL_MAX_PER_SHARD),
      gatherings: this.gatherings,
    };
    this.#last = stats;
    return stats;
  }
}
