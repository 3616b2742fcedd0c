/**
 * Request/reply matching on a peer's connection: each control request gets an `id`, and its
 * answer (or refusal) is matched back to it by that `id`, typed by the request's `t` from the
 * protocol's control map.
 *
 * @module
 */
import {
  type ControlReplies,
  type ControlRequests,
  type ControlType,
  type ErrorMessage,
  ProtocolError,
  type Reply,
} from "../protocol/mod.ts";
import { DEFAULT_REQUEST_TIMEOUT_MS } from "./constants.ts";

/** A request as handed over: the `id` is added when it is sent. */
export type RequestMessage<T extends ControlType> = Omit<ControlRequests[T], "id"> & { t: T };

interface Waiting {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  /** The request as sent, to send again after a `RATE_LIMITED`. */
  text: string;
  /** When its timeout runs out, ms since the epoch. */
  deadline: number;
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
  #next = 1;

  /** @param send Sends a text frame on the open connection; `false` when there is none. */
  constructor(send: (text: string) => boolean) {
    this.#send = send;
  }

  /**
   * Sends a request and resolves with its answer.
   *
   * @param message The request, without `id`.
   * @param timeoutMs How long to wait.
   * @returns The answer.
   * @throws {ProtocolError} If not connected, refused (with the refusal's code), or unanswered
   *   in time.
   */
  request<T extends ControlType>(
    message: RequestMessage<T>,
    timeoutMs: number = DEFAULT_REQUEST_TIMEOUT_MS,
  ): Promise<ControlReplies[T]> {
    const id = this.#next++;
    return new Promise<ControlReplies[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new ProtocolError("INTERNAL", `No answer to request ${id} within ${timeoutMs} ms`));
      }, timeoutMs);
      const text = JSON.stringify({ ...message, id });
      if (!this.#send(text)) {
        clearTimeout(timer);
        reject(new ProtocolError("OVERLOADED", "Cannot send a request: not connected"));
        return;
      }
      this.#waiting.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r as ControlReplies[T]);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
        text,
        deadline: Date.now() + timeoutMs,
      });
    });
  }

  /**
   * Takes an answer from the network.
   *
   * @param reply The answer.
   */
  answer(reply: Reply): void {
    const waiting = this.#waiting.get(reply.id);
    this.#waiting.delete(reply.id);
    waiting?.resolve(reply);
  }

  /**
   * Takes a refusal from the network. A request refused `RATE_LIMITED` is sent again after
   * its `retryAfter`, if that comes before its timeout; then the caller sees only the answer.
   *
   * @param error The error reply.
   * @returns Whether it refused a waiting request (else it is about a frame).
   */
  refuse(error: ErrorMessage): boolean {
    const id = error.id;
    const waiting = id === undefined ? undefined : this.#waiting.get(id);
    if (!waiting || id === undefined) return false;
    // Refused for the sender's rate, before any work: nothing happened, so it is asked again
    // when the network said, if that is within the request's time.
    const wait = error.retryAfter;
    if (
      error.code === "RATE_LIMITED" && wait !== undefined && Date.now() + wait < waiting.deadline
    ) {
      setTimeout(() => {
        if (this.#waiting.get(id) !== waiting || this.#send(waiting.text)) return;
        this.#waiting.delete(id);
        waiting.reject(new ProtocolError("OVERLOADED", "Cannot send a request: not connected"));
      }, wait);
      return true;
    }
    this.#waiting.delete(id);
    waiting.reject(new ProtocolError(error.code, error.message));
    return true;
  }

  /**
   * Fails every waiting request: the connection is gone, and the answer may never come; the
   * caller finds out what happened by asking again.
   *
   * @param why What happened.
   */
  failAll(why: string): void {
    for (const { reject } of this.#waiting.values()) {
      reject(new ProtocolError("SHARD_UNAVAILABLE", why));
    }
    this.#waiting.clear();
  }
}
