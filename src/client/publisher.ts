/**
 * A peer's publishes on their way to their topics' homes: numbered in the order they are
 * made, signed and sealed one after another, sent again on the next connection until the
 * home acknowledges them, and numbered again when the network refuses one for its rate.
 *
 * @module
 */
import type { ControlReplies, ControlType, ProtocolError } from "../protocol/mod.ts";
import type { RequestMessage } from "./requests.ts";
import { toWire } from "./_util.ts";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "./constants.ts";
import type { PublishWire, TopicGuard } from "./topic_guard.ts";

/** What a publisher needs of the peer. */
export interface PublisherHost {
  /** Sends a control request; with `resend` false a `RATE_LIMITED` refusal comes back. */
  request<T extends ControlType>(
    message: RequestMessage<T>,
    timeoutMs?: number,
    resend?: boolean,
  ): Promise<ControlReplies[T]>;
  /** Whether the connection is open. */
  readonly connected: boolean;
  /** Signs and seals publishes. @default neither */
  topics?: Pick<TopicGuard, "prepare">;
}

/** A publish on its way: what was asked, and who waits for it. */
interface Outgoing {
  topic: string;
  data: string | Uint8Array;
  /** Told the number the home took it under. */
  resolve: (n: number) => void;
  reject: (e: Error) => void;
  /** After this (ms since the epoch) a `RATE_LIMITED` refusal is final. */
  deadline: number;
}

/**
 * One peer's publishes until their homes take them.
 *
 * @example Usage
 * ```ts
 * import { Publisher } from "./publisher.ts";
 * const publisher = new Publisher({
 *   connected: true,
 *   request: () => Promise.resolve({ t: "pub.result", id: 1 }) as never,
 * });
 * const n = await publisher.publish("news", "hello");
 * console.assert(n > 0 && publisher.unacknowledged === 0);
 * ```
 */
export class Publisher {
  readonly #host: PublisherHost;
  /** Publishes sent and not yet acknowledged by the topic's home, by number. */
  readonly #unacked = new Map<number, { publish: Outgoing; wire: PublishWire }>();
  /** Publishes not yet settled: being prepared, sent, or waiting to be sent again. */
  readonly #outgoing = new Set<Outgoing>();
  /** Publishes are signed one after another, so that they leave in their numbers' order. */
  #preparing: Promise<unknown> = Promise.resolve();
  // Numbers start at the clock, so that a publisher that restarts keeps rising.
  #n = Date.now() * 1_000;

  /** @param host The peer. */
  constructor(host: PublisherHost) {
    this.#host = host;
  }

  /** Publishes not yet taken by their homes. */
  get unacknowledged(): number {
    return this.#outgoing.size;
  }

  /**
   * Publishes on a topic. Resolves once the topic's home took it; while disconnected it waits
   * and goes on the next connection.
   *
   * @param topic The topic.
   * @param data Text, or bytes.
   * @returns The number the home took it under.
   */
  publish(topic: string, data: string | Uint8Array): Promise<number> {
    // Not Promise.withResolvers: Node 20 has none.
    let resolve!: (n: number) => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<number>((res, rej) => [resolve, reject] = [res, rej]);
    const deadline = Date.now() + DEFAULT_REQUEST_TIMEOUT_MS;
    this.#number({ topic, data, resolve, reject, deadline });
    return promise;
  }

  /** The connection is open (again): what was sent and not acknowledged goes again. */
  resume(): void {
    for (const n of [...this.#unacked.keys()].sort((a, b) => a - b)) this.#send(n);
  }

  /** The peer closed for good: what waits fails. */
  close(): void {
    for (const p of [...this.#outgoing]) this.#settle(p, new Error("Peer closed"));
    this.#unacked.clear();
  }

  /**
   * Gives a publish its number and prepares it, after those before it, then sends it. A
   * publish refused `RATE_LIMITED` comes back here for a new number: the home keeps each
   * publisher's highest number and drops any at or below it as a repeat, and publishes sent
   * after the refused one may have been taken meanwhile.
   */
  #number(publish: Outgoing): void {
    this.#outgoing.add(publish);
    const topics = this.#host.topics;
    this.#preparing = this.#preparing.then(async () => {
      if (!this.#outgoing.has(publish)) return; // closed meanwhile
      const n = ++this.#n;
      const wire =
        await (topics ? topics.prepare(publish.topic, n, publish.data) : toWire(publish.data));
      if (!this.#outgoing.has(publish)) return;
      this.#unacked.set(n, { publish, wire });
      if (this.#host.connected) this.#send(n);
    }).catch((error: Error) => this.#settle(publish, error));
  }

  #send(n: number): void {
    const m = this.#unacked.get(n);
    if (!m) return;
    const { publish, wire } = m;
    this.#host.request({ t: "pub", n, topic: publish.topic, ...wire }, undefined, false).then(
      () => {
        this.#unacked.delete(n);
        this.#settle(publish, n);
      },
      (error: ProtocolError) => {
        // A lost connection keeps it for the next one, under its number.
        if (error.code === "SHARD_UNAVAILABLE" && !this.#host.connected) return;
        this.#unacked.delete(n);
        // Refused for the sender's rate, before any work: asked again when the network said,
        // under a new number, if that is within the publish's time. Else the refusal is final.
        const wait = error.retryAfter;
        if (
          error.code === "RATE_LIMITED" && wait !== undefined &&
          Date.now() + wait < publish.deadline
        ) {
          setTimeout(() => this.#outgoing.has(publish) && this.#number(publish), wait);
          return;
        }
        this.#settle(publish, error);
      },
    );
  }

  /** A publish is done with: taken under number `n`, or failed. */
  #settle(publish: Outgoing, outcome: number | Error): void {
    if (!this.#outgoing.delete(publish)) return;
    if (typeof outcome === "number") publish.resolve(outcome);
    else publish.reject(outcome);
  }
}
