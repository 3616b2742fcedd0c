/**
 * A peer's side of the handshakes of `handshake.ts`: the hellos it sent and waits on (the
 * accept names one), the hellos it takes, at most a budget's worth per remote (over it, a
 * hello is dropped silently, before any X25519), and the static secrets both kinds use, kept
 * per remote. So a flood of hellos from one remote costs its victim at most the budget's
 * worth of handshakes, and each junk hello within it one X25519 (two from a remote never
 * seen, whose static secret is computed then and kept).
 *
 * @module
 */
import type { AnswerBudget } from "./answer_budget.ts";
import { HELLO_BYTES, SEAL_HELLO } from "./envelope.ts";
import {
  acceptHello,
  acceptId,
  finishHello,
  type HandshakeFailure,
  type LocalKeys,
  type PendingHello,
  type SessionKeys,
  startHello,
} from "./handshake.ts";
import type { X25519Ops } from "./keys.ts";
import { StaticSecrets } from "./static_secrets.ts";

/**
 * The handshakes of one peer.
 *
 * @example A handshake between two peers
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { AnswerBudget } from "./answer_budget.ts";
 * import { Handshaker } from "./handshaker.ts";
 * import { identitySealKey } from "./keys.ts";
 * const [a, b] = [await Identity.generate(), await Identity.generate()];
 * const ha = new Handshaker({ peerId: a.peerId, secret: identitySealKey(a) }, new AnswerBudget());
 * const hb = new Handshaker({ peerId: b.peerId, secret: identitySealKey(b) }, new AnswerBudget());
 * const hello = ha.start(b.peerId)!;
 * const answer = hb.answer(a.peerId, hello.bytes, 0);
 * if (!answer || "code" in answer) throw new Error("not answered");
 * const keys = ha.finish(b.peerId, answer.bytes);
 * console.assert(!("code" in keys) && keys.send.join() === answer.keys.receive.join());
 * ```
 */
export class Handshaker {
  readonly #local: LocalKeys;
  readonly #budget: AnswerBudget;
  readonly #statics: StaticSecrets;
  // The hellos sent and not yet accepted, by handshake id.
  readonly #started = new Map<string, PendingHello>();

  /**
   * Makes the handshakes of one peer, with none under way.
   *
   * @param local This peer's keys.
   * @param budget The budgets of hellos taken, per remote.
   * @param x25519 The X25519 operations (counted in tests).
   */
  constructor(local: LocalKeys, budget: AnswerBudget, x25519?: X25519Ops) {
    this.#local = local;
    this.#budget = budget;
    this.#statics = new StaticSecrets(local.secret, { x25519 });
  }

  /**
   * Starts a handshake: the hello to send, kept until its accept comes or it is dropped.
   *
   * @param remote The peer.
   * @returns The hello and what is kept, or `undefined` if `remote`'s key is unusable.
   */
  start(remote: string): { bytes: Uint8Array; pending: PendingHello } | undefined {
    const started = startHello(this.#local, remote, this.#statics);
    if (started) this.#started.set(started.pending.id, started.pending);
    return started;
  }

  /**
   * Forgets a hello sent: an accept for it is refused from now on.
   *
   * @param pending What {@linkcode Handshaker.start} kept.
   */
  drop(pending: PendingHello): void {
    this.#started.delete(pending.id);
  }

  /**
   * Takes a hello from `from` (the sender the relay names), within its budget.
   *
   * @param from The initiator.
   * @param bytes Its hello.
   * @param now The clock, in ms.
   * @returns The accept to send and the session's keys; a failure; or `undefined` if over
   *   the budget: dropped, and to be answered with nothing.
   */
  answer(
    from: string,
    bytes: Uint8Array,
    now: number,
  ): { bytes: Uint8Array; keys: SessionKeys } | HandshakeFailure | undefined {
    // A malformed hello is refused for free, without a token; a well-formed one takes a
    // token before any X25519, so that one over the budget costs nothing.
    const wellFormed = bytes.length === HELLO_BYTES && bytes[0] === SEAL_HELLO;
    if (wellFormed && !this.#budget.hello(from, now)) return undefined;
    return acceptHello(this.#local, from, bytes, this.#statics);
  }

  /**
   * Finishes a handshake this peer started, with the responder's accept.
   *
   * @param from The sender the relay names.
   * @param bytes The accept.
   * @returns The session's keys, or a failure.
   */
  finish(from: string, bytes: Uint8Array): SessionKeys | HandshakeFailure {
    const id = acceptId(bytes);
    const pending = id === undefined ? undefined : this.#started.get(id);
    if (!pending) {
      return { code: "SEAL_BAD_HANDSHAKE", message: "Accept for no handshake under way" };
    }
    const keys = finishHello(pending, from, bytes, this.#statics.x25519);
    if (!("code" in keys)) this.#started.delete(pending.id);
    return keys;
  }
}
