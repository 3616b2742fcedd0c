/**
 * Request/reply matching on a peer's connection: each control request gets an `id`, and its
 * answer (or refusal) is matched back to it by that `id`, typed by the request's `t` from the
 * protocol's control map. Requests leave in the order they are made, paced to what the network
 * takes: each pays its price from a bucket kept like the peer's own at its home (the welcome's
 * `RATE_LIMIT_FRAMES_PER_SECOND` and burst, a little slower), at most `MAX_REQUESTS_IN_FLIGHT`
 * unanswered; and a `RATE_LIMITED` refusal (the peer's other frames, its address, a busy shard
 * share the budget) holds every request until its `retryAfter`, then lets one go, and one more
 * for each answer, as TCP's congestion window does.
 *
 * @module
 */
import type {
  ControlReplies,
  ControlRequest,
  ControlRequests,
  ControlType,
  Reply,
} from "../protocol/control_map.ts";
import type { ErrorMessage } from "../protocol/messages.ts";
import type { Limits } from "../protocol/limits.ts";
import { ProtocolError } from "../protocol/errors.ts";
import { requestPrice } from "../protocol/prices.ts";
import { DEFAULT_REQUEST_TIMEOUT_MS, MAX_REQUESTS_IN_FLIGHT } from "./constants.ts";

/** The share of the network's rate and burst a peer's requests are paced to. */
const PACE = 0.9;

/** A request as handed over: the `id` is added when it is sent. */
export type RequestMessage<T extends ControlType> = Omit<ControlRequests[T], "id"> & { t: T };

interface Waiting {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  /** The request, ready to send. */
  text: string;
  /** The request, to price it. */
  message: ControlRequest;
  /** Whether a `RATE_LIMITED` refusal sends it again (else the caller gets it). */
  resend: boolean;
  /** When its timeout runs out, ms since the epoch. */
  deadline: number;
  /** Whether it is on the wire, unanswered. */
  sent: boolean;
  /** How many `RATE_LIMITED` refusals had come when it was sent. */
  epoch: number;
}

/**
 * The requests waiting for their answers on one peer's connection.
 *
 * @example Usage
 * ```ts
 * import { Requests } from "./requests.ts";
 * const sent: string[] = [];
 * const requests = new Requests((text) => (sent.push(text), true));
 * const answer = requests.request({ t: "sub", topic: "news" });
 * requests.answer({ t: "sub.result", id: JSON.parse(sent[0]).id, topic: "news" });
 * console.assert((await answer).topic === "news");
 * ```
 */
export class Requests {
  readonly #send: (text: string) => boolean;
  readonly #waiting = new Map<number, Waiting>();
  /** Requests not sent yet, by id, in the order they leave. */
  #queue: number[] = [];
  #inFlight = 0;
  /** Of those, sent since the last `RATE_LIMITED` refusal: what the window holds. */
  #inWindow = 0;
  /** How many may be unanswered now: one after a refusal, one more per answer. */
  #window = MAX_REQUESTS_IN_FLIGHT;
  /** Nothing leaves before this, ms since the epoch: the network's last `retryAfter`. */
  #pausedUntil = 0;
  /** `RATE_LIMITED` refusals so far: answers to what was sent before the last one are old news. */
  #epoch = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #next = 1;
  /** Between a `HOME_MOVED` close and the next welcome: nothing leaves. */
  #held = false;
  readonly #limits: (() => Limits) | undefined;
  /** Units left in the pacing bucket, and when it was last filled; starts full. */
  #units = Infinity;
  #filledAt = 0;

  /**
   * @param send Sends a text frame on the open connection; `false` when there is none.
   * @param limits The network's limits (from the welcome), to pace requests by their price;
   *   without them requests are paced by refusals alone.
   */
  constructor(send: (text: string) => boolean, limits?: () => Limits) {
    this.#send = send;
    this.#limits = limits;
  }

  /**
   * Sends a request (after those made before it) and resolves with its answer.
   *
   * @param message The request, without `id`.
   * @param timeoutMs How long to wait, counted from now.
   * @param resend Whether a `RATE_LIMITED` refusal sends it again (else the caller gets the
   *   refusal, with its `retryAfter`). A caller whose requests must keep their order says no.
   * @returns The answer.
   * @throws {ProtocolError} If not connected, refused (with the refusal's code), or unanswered
   *   in time.
   */
  request<T extends ControlType>(
    message: RequestMessage<T>,
    timeoutMs: number = DEFAULT_REQUEST_TIMEOUT_MS,
    resend = true,
  ): Promise<ControlReplies[T]> {
    const id = this.#next++;
    return new Promise<ControlReplies[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#drop(id);
        this.#pump();
        reject(new ProtocolError("INTERNAL", `No answer to request ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      const request = { ...message, id } as unknown as ControlRequest;
      this.#waiting.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as ControlReplies[T]);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        text: JSON.stringify(request),
        message: request,
        resend,
        deadline: Date.now() + timeoutMs,
        sent: false,
        epoch: 0,
      });
      this.#queue.push(id);
      this.#pump();
    });
  }

  /** Requests not answered yet, sent or waiting their turn. */
  get pending(): number {
    return this.#waiting.size;
  }

  /**
   * Takes an answer from the network.
   *
   * @param reply The answer.
   */
  answer(reply: Reply): void {
    const waiting = this.#drop(reply.id);
    if (!waiting) return;
    // Only what was sent since the last refusal says the network takes more now.
    if (waiting.epoch === this.#epoch) {
      this.#window = Math.min(MAX_REQUESTS_IN_FLIGHT, this.#window + 1);
    }
    waiting.resolve(reply);
    this.#pump();
  }

  /**
   * Takes a refusal from the network. A request refused `RATE_LIMITED` is sent again after
   * its `retryAfter`, if that comes before its timeout and its caller did not say otherwise;
   * then the caller sees only the answer.
   *
   * @param error The error reply.
   * @returns Whether it refused a waiting request (else it is about a frame).
   */
  refuse(error: ErrorMessage): boolean {
    const id = error.id;
    const waiting = id === undefined ? undefined : this.#waiting.get(id);
    if (!waiting || id === undefined) return false;
    this.#landed(waiting);
    // Refused for the sender's rate, before any work: nothing happened. Everything waits
    // until the network said, then goes one at a time until answers come back.
    const { retryAfter: wait } = error;
    if (error.code === "RATE_LIMITED" && wait !== undefined) {
      // A little more than asked, at random, so that the peers of one address, refused
      // together, do not all come back in the same millisecond.
      const jittered = wait * (1 + Math.random() / 4);
      this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + jittered);
      this.#window = 1;
      this.#epoch++;
      this.#inWindow = 0;
      if (waiting.resend && Date.now() + wait < waiting.deadline) {
        this.#queue.unshift(id);
        this.#pump();
        return true;
      }
    }
    this.#waiting.delete(id);
    waiting.reject(
      new ProtocolError(error.code, error.message, wait === undefined ? {} : { retryAfter: wait }),
    );
    this.#pump();
    return true;
  }

  /**
   * The peer's home moved (`HOME_MOVED`): every request was answered or never read, so those
   * unanswered go again, in order, once the next connection is welcomed (`resume`); requests
   * made meanwhile wait with them.
   */
  requeue(): void {
    for (const waiting of this.#waiting.values()) this.#landed(waiting);
    this.#queue = [...this.#waiting.keys()].sort((a, b) => a - b);
    this.#inFlight = this.#inWindow = 0;
    this.#window = MAX_REQUESTS_IN_FLIGHT;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = true;
  }

  /** A connection was welcomed: what waited goes. */
  resume(): void {
    this.#held = false;
    this.#pump();
  }

  /**
   * Fails every waiting request: the connection is gone, and the answer may never come; the
   * caller finds out what happened by asking again.
   *
   * @param why What happened.
   */
  failAll(why: string): void {
    this.#held = false;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    this.#queue = [];
    this.#inFlight = this.#inWindow = 0;
    this.#window = MAX_REQUESTS_IN_FLIGHT;
    this.#units = Infinity;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const { reject } of waiting) reject(new ProtocolError("SHARD_UNAVAILABLE", why));
  }

  /** A request is off the wire (answered, refused, out of time): its places are free. */
  #landed(waiting: Waiting): void {
    if (!waiting.sent) return;
    waiting.sent = false;
    this.#inFlight--;
    if (waiting.epoch === this.#epoch) this.#inWindow--;
  }

  /** Forgets a request (answered, or out of time), freeing its place on the wire. */
  #drop(id: number): Waiting | undefined {
    const waiting = this.#waiting.get(id);
    if (!waiting) return undefined;
    this.#waiting.delete(id);
    this.#landed(waiting);
    return waiting;
  }

  /** Sends what the window and the pause allow, in order. */
  #pump(): void {
    while (
      !this.#held && this.#queue.length > 0 && this.#inWindow < this.#window &&
      this.#inFlight < MAX_REQUESTS_IN_FLIGHT
    ) {
      const wait = Math.max(this.#pausedUntil - Date.now(), this.#paceWait());
      if (wait > 0) {
        this.#timer ??= setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, wait);
        return;
      }
      const id = this.#queue.shift()!;
      const waiting = this.#waiting.get(id);
      if (!waiting) continue; // out of time while it waited
      this.#units -= this.#price(waiting.message);
      if (!this.#send(waiting.text)) {
        // No connection: this one and those behind it cannot go.
        for (const rest of [id, ...this.#queue]) {
          const w = this.#waiting.get(rest);
          this.#waiting.delete(rest);
          w?.reject(new ProtocolError("OVERLOADED", "Cannot send a request: not connected"));
        }
        this.#queue = [];
        return;
      }
      waiting.sent = true;
      waiting.epoch = this.#epoch;
      this.#inFlight++;
      this.#inWindow++;
    }
  }

  /** How long until the next request's price is in the pacing bucket, in ms (0: now). */
  #paceWait(): number {
    const limits = this.#limits?.();
    const next = this.#waiting.get(this.#queue[0]);
    if (!limits || !next) return 0;
    // A little under the network's rate, so that the jitter of the way there does not make a
    // request arrive before its price is back at the home.
    const rate = limits.RATE_LIMIT_FRAMES_PER_SECOND * PACE / 1_000;
    const burst = limits.RATE_LIMIT_BURST_FRAMES * PACE;
    const now = Date.now();
    this.#units = Math.min(burst, this.#units + (now - this.#filledAt) * rate);
    this.#filledAt = now;
    const short = this.#price(next.message) - this.#units;
    return short > 0 ? Math.ceil(short / rate) : 0;
  }

  #price(m: ControlRequest): number {
    const limits = this.#limits?.();
    return limits ? requestPrice(m, limits) : 0;
  }
}
