/**
 * The network services as a peer uses them: topics (subscribe, publish), presence events,
 * discovery (`findPeers`, `lookup`) and the mailbox. It also makes a reconnect a resume:
 * subscriptions are made again, publishes the network has not acknowledged are sent again
 * (the topic's home drops repeats by the publisher's number), and nothing reaches the
 * application twice.
 *
 * @module
 */
import type {
  BlockHeaderJson,
  ControlReplies,
  ControlType,
  MailMessage,
  MailNotice,
  PeerInfo,
  PeerPresence,
  PresenceMessage,
  TopicMessage,
} from "../protocol/mod.ts";
import type { RequestMessage } from "./requests.ts";
import { Publisher } from "./publisher.ts";
import { fromWire, toWire } from "./_util.ts";
import { DEFAULT_FIND_PEERS, MAX_HELD_MAIL, MAX_SEEN_MAIL } from "./constants.ts";
import type { TopicGuard } from "./topic_guard.ts";
import { TopicMarks } from "./topic_marks.ts";
import type { MailEvent, PresenceEvent, TopicEvent, TopicOptions } from "./service_events.ts";

export type { MailEvent, PresenceEvent, TopicEvent, TopicOptions };

/** What the services need of the peer. */
export interface ServicesHost {
  /**
   * Sends a control request and resolves with its answer; with `resend` false, a
   * `RATE_LIMITED` refusal comes back to the caller instead of being sent again.
   */
  request<T extends ControlType>(
    message: RequestMessage<T>,
    timeoutMs?: number,
    resend?: boolean,
  ): Promise<ControlReplies[T]>;
  /** Sends a control message that needs no answer; `false` if not connected. */
  sendControl(message: unknown): boolean;
  /** Whether the connection is open. */
  readonly connected: boolean;
  /** Raises an event on the peer. */
  dispatchEvent(event: Event): boolean;
  /** Whether the peer has a listener for an event type. */
  listening(type: string): boolean;
  /**
   * Opens a mail message: its text or bytes, or `undefined` to drop it (sealed mail that
   * does not open, mail in clear where sealing is required). @default its data, decoded
   */
  openMail?(
    m: MailMessage,
  ): string | Uint8Array | undefined | Promise<string | Uint8Array | undefined>;
  /** Seals mail to a peer's identity, or `undefined` to send it as it is. */
  sealMail?(to: string, data: string | Uint8Array): Promise<Uint8Array | undefined>;
  /** Signs and seals publishes, checks and opens topic messages. @default neither */
  topics?: Pick<TopicGuard, "prepare" | "open" | "setKey">;
}

/** Topic messages taken before their acknowledgement leaves at once. */
const TOPIC_ACK_EVERY = 64;

/** Longest wait before the topic messages taken are acknowledged. */
const TOPIC_ACK_DELAY_MS = 100;

/**
 * A peer's services. Reached as `peer.services`; the common calls are also methods of
 * `Peer` itself.
 *
 * @example Usage
 * ```ts
 * import type { Peer } from "./peer.ts";
 * // Reached through a connected peer.
 * export async function news(peer: Peer) {
 *   await peer.subscribe("news");
 *   peer.addEventListener("topic", (e) => console.log((e as CustomEvent).detail.data));
 *   await peer.publish("news", "hello");
 * }
 * ```
 */
export class PeerServices {
  readonly #host: ServicesHost;
  readonly #topics = new Set<string>();
  readonly #publisher: Publisher;
  /** Topic messages are checked one after another, so that they are seen in order. */
  #checking: Promise<unknown> = Promise.resolve();
  /** The last number delivered per topic and publisher. */
  readonly #marks: TopicMarks;
  readonly #seenMail = new Set<string>();
  // Mail and notices being told: the next is told after them.
  #telling: Promise<void> = Promise.resolve();
  /** The highest block heard of, per shard. */
  readonly #blockHeights = new Map<number, number>();
  /** Mail and notices that came with no listener for them, by `mid`. */
  readonly #held = new Map<string, { m: MailMessage | MailNotice; data?: string | Uint8Array }>();
  #acks: string[] = [];
  /** The highest topic `seq` taken on this connection, and the highest acknowledged. */
  #topicSeq = 0;
  #topicAcked = 0;
  #topicTaken = 0;
  #topicTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Makes the services of one peer.
   *
   * @param host The peer.
   * @param marks The last number taken per topic and publisher (the peer's, which it saves).
   */
  constructor(host: ServicesHost, marks: TopicMarks = new TopicMarks()) {
    this.#host = host;
    this.#marks = marks;
    this.#publisher = new Publisher(host);
  }

  /** The topics subscribed to. */
  get topics(): string[] {
    return [...this.#topics];
  }

  /** Publishes waiting for the network's acknowledgement. */
  get unacknowledged(): number {
    return this.#publisher.unacknowledged;
  }

  /**
   * Subscribes to a topic; kept across reconnects until `unsubscribe`.
   *
   * @param topic The topic (`$presence` for joins and leaves).
   * @param options `key`: the topic's shared secret, for a topic sealed for its members.
   */
  async subscribe(topic: string, options: TopicOptions = {}): Promise<void> {
    if (options.key !== undefined) this.#host.topics?.setKey(topic, options.key);
    this.#topics.add(topic);
    if (!this.#host.connected) return;
    try {
      await this.#host.request({ t: "sub", topic });
    } catch (error) {
      // Refused (a bad name, too many topics): not kept. Lost with the connection: kept, and
      // made again on the next one.
      if ((error as { code?: string }).code !== "SHARD_UNAVAILABLE") this.#topics.delete(topic);
      throw error;
    }
  }

  /**
   * Ends a subscription.
   *
   * @param topic The topic.
   */
  async unsubscribe(topic: string): Promise<void> {
    this.#topics.delete(topic);
    if (this.#host.connected) await this.#host.request({ t: "unsub", topic });
  }

  /**
   * Publishes on a topic. Resolves once the topic's home took it; while disconnected it waits
   * and goes on the next connection.
   *
   * @param topic The topic.
   * @param data Text, or bytes.
   * @param options `key`: the topic's shared secret, for a topic sealed for its members.
   * @returns The publisher's number given to it.
   */
  publish(topic: string, data: string | Uint8Array, options: TopicOptions = {}): Promise<number> {
    if (options.key !== undefined) this.#host.topics?.setKey(topic, options.key);
    return this.#publisher.publish(topic, data);
  }

  /**
   * Up to `count` online peers, at random, from a few shards.
   *
   * @param options `count` (default 16), and `topic` to draw from its subscribers only.
   * @returns The peers.
   */
  async findPeers(options: { count?: number; topic?: string } = {}): Promise<PeerInfo[]> {
    const reply = await this.#host.request({
      t: "peers",
      count: options.count ?? DEFAULT_FIND_PEERS,
      ...(options.topic === undefined ? {} : { topic: options.topic }),
    });
    return reply.peers;
  }

  /**
   * Whether a peer is online, and its home shard; one call to that shard.
   *
   * @param peer The peer id.
   * @returns Its presence.
   */
  async lookup(peer: string): Promise<PeerPresence> {
    const reply = await this.#host.request({ t: "lookup", peer });
    return { peer: reply.peer, shard: reply.shard, online: reply.online, lastSeen: reply.lastSeen };
  }

  /**
   * Leaves a message in a peer's mailbox; it is handed over now if the peer is online, else
   * when it connects. With `notify`, a `mail.notice` event tells of its delivery; one that
   * expires unread is always told.
   *
   * @param to The recipient.
   * @param data Text, or bytes.
   * @param options `notify`: be told of delivery.
   * @returns The message's id, and whether it was handed over at once.
   */
  async sendMail(
    to: string,
    data: string | Uint8Array,
    options: { notify?: boolean } = {},
  ): Promise<{ mid: string; status: "delivered" | "stored" }> {
    // Sealed to the recipient's identity when this peer seals: the network keeps bytes only.
    const sealed = await this.#host.sealMail?.(to, data);
    const reply = await this.#host.request({
      t: "mail",
      to,
      ...toWire(sealed ?? data),
      ...(options.notify ? { notify: true } : {}),
      ...(sealed ? { sealed: true } : {}),
    });
    return { mid: reply.mid, status: reply.status };
  }

  /**
   * Takes what the network pushed of the ledger: a watched shard's block (once per height) with
   * its checkpoint, a witness's cosignature, or evidence told on `$evidence`. @param m It.
   */
  block(m: { t: "block"; header: BlockHeaderJson; checkpoint?: string } | { t: string }): void {
    const emit = (type: string, detail: unknown) =>
      void this.#host.dispatchEvent(new CustomEvent(type, { detail }));
    if (!("header" in m)) return emit(m.t, m);
    const { header, checkpoint } = m;
    // A block can come twice (live and from the mailbox after a resume): heights only rise.
    if (header.height <= (this.#blockHeights.get(header.shard) ?? 0)) return;
    this.#blockHeights.set(header.shard, header.height);
    emit("block", header);
    if (checkpoint) emit("checkpoint", { shard: header.shard, height: header.height, checkpoint });
  }

  /**
   * Takes a message the network pushed (topic, presence, mail, notice).
   *
   * @param m The message.
   */
  receive(m: TopicMessage | PresenceMessage | MailMessage | MailNotice): void {
    if (m.t === "topic") {
      const topics = this.#host.topics;
      this.#checking = this.#checking.then(async () => {
        // Checked first: a forged message must not move the number the genuine ones pass.
        const data = topics ? await topics.open(m) : fromWire(m);
        if (data === undefined) return;
        // Repeats (a replayed publish, a resumed session) and stale ones stop here.
        if (m.n < 1 || !this.#marks.take(m.topic, m.from, m.n)) return;
        const detail: TopicEvent = {
          topic: m.topic,
          from: m.from,
          n: m.n,
          data,
          sealed: m.sealed === true,
        };
        this.#host.dispatchEvent(new CustomEvent<TopicEvent>("topic", { detail }));
      }).catch(() => {}); // one message's failure must not stop the ones after it
    } else if (m.t === "presence") {
      const detail: PresenceEvent = { ...m, sealed: false };
      this.#host.dispatchEvent(new CustomEvent<PresenceEvent>("presence", { detail }));
    } else {
      // Told in the order they came, each after the one before it is opened (sealed mail is
      // opened with WebCrypto, asynchronously): one step at a time, so that a listener that
      // went meanwhile leaves the next one held, not acknowledged and told to no one.
      this.#telling = this.#telling.then(() => this.#tell(m)).catch(() => {});
    }
  }

  // One mail or notice: acknowledged only once a listener is there to take it; with none, it
  // waits (and, unacknowledged, comes again on the next connect). Sealed mail opens once (its
  // key is then spent): if the listener goes while it opens, it is held opened.
  async #tell(m: MailMessage | MailNotice, wasHeld = false): Promise<void> {
    // Released from the held ones, but told meanwhile (handed over again): nothing to do.
    if (wasHeld && !this.#held.has(m.mid)) return;
    // A listener came after an earlier one of this kind was held, and before its release's
    // turn: the earlier ones are told first, in the order they came, then this one.
    if (!wasHeld && this.#host.listening(m.t)) {
      for (const { m: earlier } of [...this.#held.values()]) {
        if (earlier.mid === m.mid) break; // held itself: what came after it waits its turn
        if (earlier.t === m.t) await this.#tell(earlier, true);
      }
    }
    const opened = this.#held.get(m.mid)?.data;
    const hold = (data = opened) => {
      // Room is kept for one already held (its opened copy must not be lost).
      if (this.#held.has(m.mid) || this.#held.size < MAX_HELD_MAIL) {
        this.#held.set(m.mid, { m, data });
      }
    };
    if (!this.#host.listening(m.t)) return hold();
    // Held opened, then handed over again (a reconnect): the opened copy is the one told.
    this.#held.delete(m.mid);
    if (this.#seenMail.has(m.mid)) return this.#acknowledge(m.mid);
    let data: string | Uint8Array | undefined;
    if (m.t === "mail") {
      const host = this.#host;
      try {
        data = opened ?? (host.openMail ? await host.openMail(m) : fromWire(m));
      } catch {
        data = undefined; // bytes that are not base64url: it will never open
      }
      if (data !== undefined && !host.listening(m.t)) return hold(data);
    }
    this.#acknowledge(m.mid);
    this.#seenMail.add(m.mid);
    if (this.#seenMail.size > MAX_SEEN_MAIL) {
      this.#seenMail.delete(this.#seenMail.values().next().value!);
    }
    if (m.t !== "mail") {
      this.#host.dispatchEvent(new CustomEvent<MailNotice>("mail.notice", { detail: m }));
      return;
    }
    if (data === undefined) return; // refused, by code, as it was opened
    const detail: MailEvent = {
      mid: m.mid,
      from: m.from,
      ts: m.ts,
      data,
      sealed: m.sealed === true,
    };
    this.#host.dispatchEvent(new CustomEvent<MailEvent>("mail", { detail }));
  }

  /**
   * A topic, presence or block message numbered `seq` by the peer's home was taken: it is
   * acknowledged (`topic.ack`) within `TOPIC_ACK_DELAY_MS` or after `TOPIC_ACK_EVERY`
   * messages, so that the home sends again only what a dropped socket lost.
   *
   * @param seq The message's number.
   */
  took(seq: number): void {
    if (seq <= this.#topicSeq) return;
    this.#topicSeq = seq;
    if (++this.#topicTaken >= TOPIC_ACK_EVERY) return this.#acknowledgeTopics();
    this.#topicTimer ??= setTimeout(() => this.#acknowledgeTopics(), TOPIC_ACK_DELAY_MS);
  }

  #acknowledgeTopics(): void {
    clearTimeout(this.#topicTimer);
    this.#topicTimer = undefined;
    this.#topicTaken = 0;
    if (this.#topicSeq <= this.#topicAcked) return;
    if (this.#host.sendControl({ t: "topic.ack", seq: this.#topicSeq })) {
      this.#topicAcked = this.#topicSeq;
    }
  }

  /**
   * A listener for `type` was added: hand it the mail or notices that waited for one.
   *
   * @param type The event type.
   */
  release(type: string): void {
    // Each is taken out of the held ones when its turn comes (with its opened copy, if any).
    for (const { m } of this.#held.values()) {
      if (m.t !== type || !this.#host.listening(type)) continue;
      this.#telling = this.#telling.then(() => this.#tell(m, true)).catch(() => {});
    }
  }

  /** The connection is open (again): subscribe again, send what was not acknowledged. */
  resume(): void {
    // What the last connection took and did not acknowledge yet; then numbers start again
    // (the home may have lost its backlog, and numbers only matter within a connection).
    this.#acknowledgeTopics();
    this.#topicSeq = this.#topicAcked = 0;
    for (const topic of this.#topics) {
      this.#host.request({ t: "sub", topic }).catch(() => {});
    }
    this.#publisher.resume();
  }

  /** The peer closed for good: what waits fails. */
  close(): void {
    clearTimeout(this.#topicTimer);
    this.#topicTimer = undefined;
    this.#publisher.close();
  }

  #acknowledge(mid: string): void {
    this.#acks.push(mid);
    if (this.#acks.length > 1) return;
    // Acknowledgements of one burst leave together.
    queueMicrotask(() => {
      const mids = this.#acks;
      this.#acks = [];
      this.#host.sendControl({ t: "mail.ack", mids });
    });
  }
}
