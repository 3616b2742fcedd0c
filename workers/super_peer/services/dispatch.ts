/**
 * The network services of one super-peer, behind one door: the requests peers send
 * (`sub`, `unsub`, `pub`, `topic.ack`, `peers`, `lookup`, `mail`, `mail.ack`), what happens when a peer
 * connects and leaves, and the sweep the alarm runs.
 *
 * @module
 */
import {
  ackIdItems,
  type BlockHeaderJson,
  blocksTopic,
  type ControlReplies,
  type ControlRequests,
  isReservedTopic,
  isTopic,
  overUtf8Bytes,
  type PeerInfo,
  PRESENCE_TOPIC,
  type Refusal,
} from "../../../src/protocol/mod.ts";
import { isPeerId } from "../../../src/identity/mod.ts";
import { sampleOf, topicHome } from "../../../src/routing/mod.ts";
import { Mailbox } from "./mailbox.ts";
import { Occupancy } from "./occupancy.ts";
import { Presence, silentAfter, sweepInterval } from "./presence.ts";
import { Providers } from "./providers.ts";
import { PubSub } from "./pubsub.ts";
import type { ServiceHost } from "./service_host.ts";

/** The requests the services answer. */
export type ServiceType =
  | "sub"
  | "unsub"
  | "pub"
  | "topic.ack"
  | "peers"
  | "lookup"
  | "mail"
  | AckType;

/** The acknowledgements the services take (`Services.acknowledge`). */
export type AckType = "topic.ack" | "mail.ack";

/** An answer to a service request, a refusal, or `null` when none is due. */
export type ServiceAnswer = ControlReplies[ServiceType] | Refusal | null;

/**
 * The services of one super-peer.
 *
 * @example Usage
 * ```ts
 * import type { ServiceHost } from "./service_host.ts";
 * import { Services } from "./dispatch.ts";
 * export async function sub(host: ServiceHost, peerId: string) {
 *   const services = new Services(host);
 *   return await services.handle(peerId, { t: "sub", id: 1, topic: "news" });
 * }
 * ```
 */
export class Services {
  readonly host: ServiceHost;
  readonly pubsub: PubSub;
  readonly mailbox: Mailbox;
  readonly presence: Presence;
  readonly occupancy: Occupancy;
  readonly providers: Providers;

  /** @param host The super-peer. */
  constructor(host: ServiceHost) {
    this.host = host;
    this.mailbox = new Mailbox(host);
    this.presence = new Presence(host);
    this.pubsub = new PubSub(host);
    this.occupancy = new Occupancy(host, this.pubsub);
    this.providers = new Providers(host);
  }

  /**
   * Subscribes a peer connected here to a topic (a `sub`, or a watch of a shard's blocks).
   *
   * @param peer The peer.
   * @param topic The topic, already checked.
   * @returns `null`, or the refusal.
   */
  async subscribe(
    peer: string,
    topic: string,
  ): Promise<Refusal | null> {
    return await this.pubsub.subscribe(peer, topic);
  }

  /**
   * Answers one request of a peer connected here.
   *
   * @param peer The peer.
   * @param m The request, schema-checked.
   * @returns The answer, a refusal, or `null` when none is due.
   */
  async handle(
    peer: string,
    m: ControlRequests[Exclude<ServiceType, AckType>],
  ): Promise<ServiceAnswer> {
    const { limits } = this.host.config;
    switch (m.t) {
      case "sub":
      case "unsub": {
        if (!isTopic(m.topic, limits.MAX_TOPIC_BYTES)) return badTopic(limits.MAX_TOPIC_BYTES);
        if (m.t === "unsub") {
          await this.pubsub.unsubscribe(peer, m.topic);
          return { t: "unsub.result", id: m.id, topic: m.topic };
        }
        return await this.subscribe(peer, m.topic) ??
          { t: "sub.result", id: m.id, topic: m.topic };
      }
      case "pub": {
        if (!isTopic(m.topic, limits.MAX_TOPIC_BYTES)) return badTopic(limits.MAX_TOPIC_BYTES);
        if (isReservedTopic(m.topic)) {
          return {
            ok: false,
            code: "RESERVED_TOPIC",
            message: `Topic "${m.topic}" is the network's own`,
          };
        }
        if (overUtf8Bytes(m.data, limits.MAX_PUBLISH_BYTES)) {
          return {
            ok: false,
            code: "FRAME_TOO_LARGE",
            message: `A publish carries at most ${limits.MAX_PUBLISH_BYTES} bytes`,
          };
        }
        const { promise, resolve } = Promise.withResolvers<ServiceAnswer>();
        const queued = this.pubsub.publish(
          {
            topic: m.topic,
            from: peer,
            n: m.n,
            data: m.data,
            bin: m.bin,
            sealed: m.sealed,
            sig: m.sig,
          },
          (outcome) =>
            resolve(
              "code" in outcome ? outcome : {
                t: "pub.result",
                id: m.id,
                topic: m.topic,
                n: m.n,
                duplicate: outcome.duplicate,
              },
            ),
        );
        if (!queued) {
          return {
            ok: false,
            code: "OVERLOADED",
            message: "The queue to the topic's home is full",
          };
        }
        return await promise;
      }
      case "peers":
        return { t: "peers.result", id: m.id, peers: await this.#discover(peer, m) };
      case "lookup": {
        if (!isPeerId(m.peer)) return notPeerId();
        const home = this.host.config.placement.home(m.peer);
        const view = home === this.host.shard()
          ? this.presence.lookup(m.peer)
          : await this.host.call(home, (s) => s.lookupPeer(m.peer), 2);
        return { t: "lookup.result", id: m.id, ...view };
      }
      case "mail": {
        if (!isPeerId(m.to)) return notPeerId();
        const home = this.host.config.placement.home(m.to);
        const mail = {
          to: m.to,
          from: peer,
          data: m.data,
          bin: m.bin,
          notify: m.notify,
          sealed: m.sealed,
          address: this.host.addressOf(peer),
        };
        const outcome = home === this.host.shard()
          ? await this.mailbox.put(mail)
          : await this.host.call(home, (s) => s.mailPut(mail));
        if (!outcome.ok) return outcome;
        return { t: "mail.result", id: m.id, mid: outcome.mid, status: outcome.status };
      }
    }
  }

  /**
   * The part of an acknowledgement's price (`mail.ack`, `topic.ack`) that is a peer's automatic
   * answer to what others sent it here, paid for by them (`COST_MAIL`, `COST_PUBLISH`): only
   * what goes past what it was handed (ids beyond it, an acknowledgement of nothing new) is
   * charged. Asked once per acknowledgement, before it is charged: what it was handed is
   * counted as answered.
   *
   * @param peer The peer.
   * @param m The acknowledgement, schema-checked.
   * @returns The units of its price that are free.
   */
  answered(peer: string, m: ControlRequests[AckType]): number {
    const { limits } = this.host.config;
    if (m.t === "topic.ack") {
      return this.pubsub.subscribers.answered(peer) ? limits.COST_REQUEST : 0;
    }
    const ids = m.mids.length;
    const free = this.mailbox.answered(peer, ids);
    if (free === 0) return 0;
    // Only the ids past what it was handed pay, by the 4 begun.
    return limits.COST_REQUEST +
      (ackIdItems(ids) - ackIdItems(ids - free)) * limits.COST_MAIL_ACK_IDS;
  }

  /**
   * Takes a peer's acknowledgement, which nothing answers.
   *
   * @param peer The peer.
   * @param m The acknowledgement, schema-checked.
   */
  async acknowledge(peer: string, m: ControlRequests[AckType]): Promise<void> {
    if (m.t === "topic.ack") this.pubsub.subscribers.acknowledge(peer, m.seq);
    else await this.mailbox.acknowledge(peer, m.mids);
  }

  /**
   * Announces a block this shard sealed on its block topic, like any publish; its height (from
   * 1) numbers it, so a repeat is dropped.
   *
   * @param header The signed header.
   * @param checkpoint The block's checkpoint of the shard's log.
   * @param cosigned A witness's cosignature of it, told instead of the block.
   */
  announceBlock(
    header: Pick<BlockHeaderJson, "shard" | "height">,
    checkpoint?: string,
    cosigned?: { witness: string; line: string },
  ): void {
    // A witness's cosignature is numbered by the block's height among that witness's own.
    this.pubsub.publish({
      topic: blocksTopic(header.shard),
      from: cosigned ? cosigned.witness : `shard/${header.shard}`,
      n: header.height,
      data: JSON.stringify(cosigned ? { cosigned: cosigned.line } : { header, checkpoint }),
    });
  }

  /**
   * Whether this shard is listed as having peers online.
   *
   * @returns What the list's home was last told.
   */
  listed(): boolean {
    return this.occupancy.listed;
  }

  /**
   * A peer connected here: announce it, hand over its mailbox and the topic messages it has
   * not acknowledged.
   *
   * @param peer The peer.
   */
  connected(peer: string): void {
    this.presence.joined(peer);
    this.pubsub.publish({ topic: PRESENCE_TOPIC, from: peer, n: 0, data: "join" });
    this.mailbox.handOver(peer);
    this.pubsub.subscribers.resend(peer);
    this.occupancy.changed();
    this.host.ctx.waitUntil(this.providers.away(peer, false));
  }

  /**
   * A peer's socket closed (or was found dead): announce it; its subscriptions wait out the
   * presence timeout for a resume.
   *
   * @param peer The peer.
   */
  async disconnected(peer: string): Promise<void> {
    this.presence.left(peer);
    this.mailbox.left(peer);
    this.pubsub.publish({ topic: PRESENCE_TOPIC, from: peer, n: 0, data: "leave" });
    this.occupancy.changed();
    this.host.ctx.waitUntil(this.providers.away(peer, true));
    await this.#wakeBy(Date.now() + this.sweepEvery());
  }

  /**
   * The alarm's work: close silent sockets, forget peers gone past the timeout, expire mail.
   *
   * @param lastHeard When a socket last sent anything (a frame, or a keepalive).
   * @param close Closes a dead socket and returns its peer, if that was its current socket.
   */
  async sweep(
    lastHeard: (ws: WebSocket) => number,
    close: (ws: WebSocket) => string | undefined,
  ): Promise<void> {
    for (const ws of this.presence.silent(lastHeard)) {
      const peer = close(ws);
      if (peer) await this.disconnected(peer);
    }
    for (const peer of this.presence.expired()) {
      if (this.host.isOnline(peer)) continue;
      await this.pubsub.forget(peer);
      await this.providers.forget(peer);
    }
    // A failed update of the occupied shards is tried again here.
    this.occupancy.changed();
    this.providers.sweep();
    const fanoutWaiting = this.pubsub.sweep();
    const nextExpiry = await this.mailbox.expire();
    const busy = this.host.ctx.getWebSockets().length > 0 || this.presence.pending ||
      fanoutWaiting;
    const next = Math.min(
      busy ? Date.now() + this.sweepEvery() : Infinity,
      nextExpiry ?? Infinity,
    );
    if (next < Infinity) await this.#wakeBy(next);
  }

  /**
   * Up to `count` online peers of this shard, at random.
   *
   * @param count How many.
   * @param topic Only subscribers of this topic.
   * @returns The sample.
   */
  sample(count: number, topic?: string): PeerInfo[] {
    const candidates = topic === undefined
      ? [...this.host.online()]
      : this.pubsub.onlineSubscribers(topic);
    // A peer silent long enough to be closed at the next sweep is not offered meanwhile.
    const since = Date.now() - silentAfter(this.host.config.limits.PRESENCE_TIMEOUT_MS);
    return this.presence.sample(candidates.filter((p) => this.host.lastHeard(p) >= since), count);
  }

  #wakeBy(at: number): Promise<void> {
    return this.host.wakeBy(at);
  }

  /**
   * Asks for the sweep within one interval (a peer connected).
   */
  async scheduleSweep(): Promise<void> {
    await this.#wakeBy(Date.now() + this.sweepEvery());
  }

  /** How often the sweep runs while anything is connected or within its timeout. */
  sweepEvery(): number {
    return sweepInterval(this.host.config.limits.PRESENCE_TIMEOUT_MS);
  }

  async #discover(peer: string, m: { count: number; topic?: string }): Promise<PeerInfo[]> {
    const { limits, placement } = this.host.config;
    const count = Math.min(m.count, limits.MAX_DISCOVERY_PEERS);
    if (m.topic !== undefined && !isTopic(m.topic, limits.MAX_TOPIC_BYTES)) return [];
    const me = this.host.shard();
    // Only shards with peers online (with subscribers, for a topic) are worth asking.
    let candidates: number[];
    if (m.topic === undefined) candidates = await this.occupancy.shards();
    else {
      const home = topicHome(m.topic, placement);
      candidates = home === me
        ? this.pubsub.shardsOf(m.topic)
        : await this.host.call(home, (s) => s.topicShards(m.topic!), 2);
    }
    // The asker's own shard is worth asking only if someone else is there.
    if (this.host.onlineCount() <= 1) candidates = candidates.filter((k) => k !== me);
    // Every such shard of a small network; a bounded sample of a large one.
    const chosen = sampleOf(candidates, limits.DISCOVERY_SHARDS_PER_QUERY);
    const found = await Promise.all(
      chosen.map((k) =>
        k === me
          ? this.sample(count + 1, m.topic)
          : this.host.call(k, (s) => s.samplePeers(count + 1, m.topic)).catch(() =>
            [] as PeerInfo[]
          )
      ),
    );
    return sampleOf(found.flat().filter((p) => p.peer !== peer), count);
  }
}

function notPeerId(): Refusal {
  return { ok: false, code: "BAD_REQUEST", message: "Not a peer id" };
}

function badTopic(max: number): Refusal {
  return {
    ok: false,
    code: "BAD_REQUEST",
    message: `A topic is 1 to ${max} bytes of UTF-8 without control characters`,
  };
}
