/**
 * Pub/sub in a super-peer. Each shard keeps which of its peers subscribe to which topics;
 * a topic's home shard (`shardOf(topic)`) keeps which shards have subscribers. A publish
 * goes from the publisher's home to the topic's home, in order (one batch in flight per
 * shard), where a repeat of a publisher's number is dropped; the home then sends it once to
 * each subscribing shard, which keeps it until its local subscribers acknowledge it
 * (`subscribers.ts`). Everything a restart must keep is in SQLite. The network's own topics travel the same way: `$presence` (joins and
 * leaves) and `$blocks/<k>` (shard k's new block headers).
 *
 * @module
 */
import type { Refusal } from "../../../src/protocol/mod.ts";
import { ShardQueue, topicHome } from "../../../src/routing/mod.ts";
import type { Publish, PublishOutcome } from "../../rpc.ts";
import type { ServiceHost } from "./service_host.ts";
import { Fanout } from "./fanout.ts";
import { topicMessage } from "./topic_message.ts";
import { TopicMemory } from "./topic_memory.ts";
import { Subscribers } from "./subscribers.ts";
import type { SlotMover } from "../slot_moves.ts";
import { subscriberMover } from "./subscriber_moves.ts";
import { topicHomeMover } from "./topic_moves.ts";

export type { Publish, PublishOutcome };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS topic_shard (topic TEXT NOT NULL, shard INTEGER NOT NULL,
  PRIMARY KEY (topic, shard));
`;

/** Topics whose subscribing shards are kept in memory at once (the rest are read again). */
const TOPICS_CACHED = 4_096;

/** Tries of a call to another shard whose repeat is harmless. */
const RETRIES = 4;

interface Pending {
  publish: Publish;
  done?: (outcome: PublishOutcome) => void;
}

/**
 * The pub/sub part of one super-peer.
 *
 * @example Usage
 * ```ts
 * import type { ServiceHost } from "./service_host.ts";
 * import { PubSub } from "./pubsub.ts";
 * export async function subscribe(host: ServiceHost, peerId: string) {
 *   const pubsub = new PubSub(host);
 *   return await pubsub.subscribe(peerId, "news"); // null, or RESOURCE_LIMIT_EXCEEDED
 * }
 * ```
 */
export class PubSub {
  readonly #host: ServiceHost;
  /** The subscribers here, and what they were sent. */
  readonly subscribers: Subscribers;
  /** Subscribing shards by topic, for topics homed here; read from storage on first use. */
  readonly #shards = new Map<string, Set<number>>();
  /** Publishers' last numbers, to drop repeats. */
  readonly #memory: TopicMemory;
  readonly #toHome: ShardQueue<Pending>;
  /** Per topic, the last call telling its home about this shard, and one waiting its turn. */
  readonly #syncing = new Map<string, Promise<void>>();
  readonly #waiting = new Map<string, Promise<void>>();
  readonly #fanout: Fanout;

  /** @param host The super-peer. */
  constructor(host: ServiceHost) {
    this.#host = host;
    host.ctx.storage.sql.exec(SCHEMA);
    this.subscribers = new Subscribers(host);
    this.#memory = new TopicMemory(host.ctx, host.config);
    const { limits } = host.config;
    this.#toHome = new ShardQueue<Pending>({
      deliver: (shard, items) => this.#sendHome(shard, items),
      onUndelivered: (item, _reason, error) =>
        item.done?.({
          ok: false,
          code: "SHARD_UNAVAILABLE",
          message: `Topic home unreachable: ${error}`,
        }),
      maxQueued: limits.MAX_SHARD_QUEUE_FRAMES,
      maxBatch: limits.MAX_RELAY_BATCH_FRAMES,
    });
    this.#fanout = new Fanout(host);
  }

  /**
   * Subscribes a peer connected here to a topic.
   *
   * @param peer The peer.
   * @param topic The topic, already checked.
   * @returns `null`, or the refusal.
   */
  async subscribe(peer: string, topic: string): Promise<Refusal | null> {
    if (this.subscribers.has(topic, peer)) return null;
    const count = this.subscribers.topicsOf(peer).length;
    const max = this.#host.config.limits.MAX_SUBSCRIPTIONS_PER_PEER;
    if (count >= max) {
      return {
        ok: false,
        code: "RESOURCE_LIMIT_EXCEEDED",
        message: `A peer may hold ${max} subscriptions`,
      };
    }
    // The first subscriber here registers this shard at the topic's home, before the answer,
    // so that a publish made after the answer reaches it; a later one waits for a call still
    // out, which may be that registration.
    const { first, stored } = this.subscribers.add(topic, peer);
    if (first) await this.sync(topic);
    else await this.#syncing.get(topic)?.catch(() => {});
    // Answered once durable: the row goes with the others of `WRITE_GROUP_MS`, one commit.
    await stored;
    return null;
  }

  /**
   * Ends a peer's subscription.
   *
   * @param peer The peer.
   * @param topic The topic.
   */
  async unsubscribe(peer: string, topic: string): Promise<void> {
    const { last, stored } = this.subscribers.remove(topic, peer);
    if (last) await this.sync(topic).catch(() => {});
    await stored;
  }

  /**
   * Ends every subscription of a peer gone past the presence timeout.
   *
   * @param peer The peer.
   */
  async forget(peer: string): Promise<void> {
    for (const topic of this.subscribers.topicsOf(peer)) await this.unsubscribe(peer, topic);
    this.subscribers.forget(peer);
  }

  /**
   * The topics a peer is subscribed to here.
   *
   * @param peer The peer.
   * @returns The topics.
   */
  topicsOf(peer: string): string[] {
    return this.subscribers.topicsOf(peer);
  }

  /**
   * Subscribers of a topic connected here now.
   *
   * @param topic The topic.
   * @returns Their ids.
   */
  onlineSubscribers(topic: string): string[] {
    return [...this.subscribers.of(topic)].filter((p) => this.#host.isOnline(p));
  }

  /**
   * Sends a publish towards its topic's home, after those sent before it.
   *
   * @param publish The publish, already checked.
   * @param done Told what the home made of it.
   * @returns `false` if the queue to the home is full.
   */
  publish(publish: Publish, done?: Pending["done"]): boolean {
    return this.#toHome.push(topicHome(publish.topic, this.#host.config.placement), {
      publish,
      done,
    });
  }

  /**
   * At a topic's home: takes publishes, drops repeats, fans out the rest.
   *
   * @param items Publishes whose topics are homed here.
   * @returns One outcome each.
   */
  async atHome(items: Publish[], moved = false): Promise<PublishOutcome[]> {
    // A topic whose slot moved is served where it went (once, by a shard that knew); the
    // publishes of each topic keep their order, since they all go one way.
    const here = this.#host.shard();
    // On a network never grown each answer is at hand: no promise per publish.
    const asked = moved ? [] : items.map((p) => this.#host.holder(p.topic));
    const holders = moved
      ? items.map(() => here)
      : asked.every((h) => typeof h === "number")
      ? asked as number[]
      : await Promise.all(asked);
    if (holders.every((k) => k === here)) return await this.#host.track(this.#atHome(items));
    const outcomes: PublishOutcome[] = [];
    await Promise.all([...new Set(holders)].map(async (k) => {
      const mine = items.flatMap((_, i) => holders[i] === k ? [i] : []);
      const part = mine.map((i) => items[i]);
      const answers = k === here
        ? await this.#host.track(this.#atHome(part))
        : await this.#host.call(k, (s) => s.topicPublish(part, true), RETRIES);
      mine.forEach((i, j) => outcomes[i] = answers[j]);
    }));
    return outcomes;
  }

  async #atHome(items: Publish[]): Promise<PublishOutcome[]> {
    const outcomes: PublishOutcome[] = [];
    for (const p of items) {
      if (p.n > 0) {
        if (this.#memory.repeat(p.topic, p.from, p.n)) {
          outcomes.push({ duplicate: true });
          continue;
        }
      }
      const text = JSON.stringify(topicMessage(p, this.#host.config.placement));
      const shards = this.#subscribingShards(p.topic);
      if (this.#fanout.full() && [...shards].some((k) => k !== this.#host.shard())) {
        outcomes.push({
          ok: false,
          code: "OVERLOADED",
          message: "The topic's home holds too many messages on their way to subscribers",
        });
        continue;
      }
      outcomes.push({ duplicate: false });
      for (const shard of shards) {
        if (shard === this.#host.shard()) this.deliver([p.topic], [text]);
        else this.#fanout.send(shard, p.topic, text);
      }
    }
    await Promise.resolve();
    return outcomes;
  }

  /**
   * Hands topic messages to the subscribers here, kept until they acknowledge them.
   *
   * @param topics The topic of each message.
   * @param texts The messages, ready to send.
   * @returns The indices of messages whose topic has no subscriber here.
   */
  deliver(topics: string[], texts: string[]): number[] {
    const none = this.subscribers.deliver(topics, texts);
    // The home still counts this shard (a leave that failed, or raced a join): tell it again,
    // in turn with the other calls for the topic, so that it never overrules a later join.
    for (const topic of new Set(none.map((i) => topics[i]))) this.sync(topic).catch(() => {});
    return none;
  }

  /** At a topic's home: told each time a shard says it has subscribers of a topic. */
  joined: (topic: string) => void = () => {};

  /**
   * At a topic's home: a shard has (or no longer has) subscribers.
   *
   * @param topic The topic.
   * @param shard The shard.
   * @param join Whether it joins or leaves.
   * @param moved Forwarded by the shard the topic's slot moved from: kept here.
   */
  async join(topic: string, shard: number, join = true, moved = false): Promise<void> {
    const holder = moved ? this.#host.shard() : await this.#host.holder(topic);
    if (holder !== this.#host.shard()) {
      return await this.#host.call(holder, (s) => s.topicJoin(topic, shard, join, true), RETRIES);
    }
    const shards = this.#subscribingShards(topic);
    const sql = this.#host.ctx.storage.sql;
    if (join) {
      this.joined(topic);
      if (shards.has(shard)) return;
      shards.add(shard);
      sql.exec("INSERT OR IGNORE INTO topic_shard VALUES (?, ?)", topic, shard);
    } else if (shards.delete(shard)) {
      sql.exec("DELETE FROM topic_shard WHERE topic = ? AND shard = ?", topic, shard);
    }
  }

  /**
   * At a topic's home: the shards with subscribers.
   *
   * @param topic The topic.
   * @returns The shards.
   */
  shardsOf(topic: string): number[] {
    return [...this.#subscribingShards(topic)];
  }

  /**
   * Tells a topic's home whether this shard has subscribers of it now. The calls for one
   * topic go one at a time and each says what is true when it leaves, so the home's last word
   * is this shard's present state however subscribers come and go meanwhile: two calls sent
   * at once (a leave, then a join) could otherwise arrive the other way round.
   *
   * @param topic The topic.
   * @returns Once the home was told (rejects if it could not be).
   */
  sync(topic: string): Promise<void> {
    // A call not yet started will say what is true when it starts: it serves this one too.
    const waiting = this.#waiting.get(topic);
    if (waiting) return waiting;
    const before = this.#syncing.get(topic);
    const call = async () => {
      await before?.catch(() => {});
      // Started: a change from here on needs a call of its own (one asked after this one may
      // already wait behind it).
      if (this.#waiting.get(topic) === mine) this.#waiting.delete(topic);
      await this.register(topic, this.subscribers.of(topic).size > 0);
    };
    const mine: Promise<void> = call();
    if (before) this.#waiting.set(topic, mine);
    this.#syncing.set(topic, mine);
    const done = () => {
      if (this.#syncing.get(topic) === mine) this.#syncing.delete(topic);
    };
    mine.then(done, done);
    return mine;
  }

  /**
   * Tells a topic's home that this shard has (or no longer has) subscribers of it.
   *
   * @param topic The topic (or another key kept the same way, as the occupied shards are).
   * @param join Whether this shard joins or leaves.
   */
  async register(topic: string, join: boolean): Promise<void> {
    const home = topicHome(topic, this.#host.config.placement);
    const me = this.#host.shard();
    if (home === me) await this.join(topic, me, join);
    else if (join) await this.#host.call(home, (s) => s.topicJoin(topic, me), RETRIES);
    else await this.#host.call(home, (s) => s.topicJoin(topic, me, false), RETRIES);
  }

  async #sendHome(shard: number, items: Pending[]): Promise<number[]> {
    const publishes = items.map((i) => i.publish);
    const outcomes = shard === this.#host.shard()
      ? await this.atHome(publishes)
      // A repeat is harmless: the home drops numbers it has seen.
      : await this.#host.call(shard, (s) => s.topicPublish(publishes), RETRIES);
    items.forEach((item, i) => item.done?.(outcomes[i]));
    return [];
  }

  /**
   * The sweep's work: forgets publishers' numbers on idle topics, trims what subscribers
   * took, sends again what a failed call or a restart left in the fan-out.
   *
   * @returns Whether fan-out is still waiting (the alarm then comes back).
   */
  sweep(): boolean {
    this.#memory.forgetIdle();
    this.subscribers.trim();
    return this.#fanout.retry();
  }

  /** The topic home's part in a slot move (`topic_moves.ts`). @returns The mover. */
  topicMover(): SlotMover {
    return topicHomeMover(this.#host.ctx.storage.sql, (topics) => {
      for (const topic of topics) this.#shards.delete(topic);
      this.#memory.recount();
    });
  }

  /** The subscribers' part in a slot move (`subscriber_moves.ts`). @returns The mover. */
  subscriberMover(): SlotMover {
    return subscriberMover(this.#host, this.subscribers, (topic) => this.sync(topic));
  }

  #subscribingShards(topic: string): Set<number> {
    let shards = this.#shards.get(topic);
    if (!shards) {
      if (this.#shards.size >= TOPICS_CACHED) this.#shards.clear();
      shards = new Set(
        this.#host.ctx.storage.sql.exec<{ shard: number }>(
          "SELECT shard FROM topic_shard WHERE topic = ?",
          topic,
        ).toArray().map((r) => r.shard),
      );
      this.#shards.set(topic, shards);
    }
    return shards;
  }
}
