/**
 * A peer's side of the handshakes of `handshake.ts`: the hellos it sent and waits on (the
 * accept names one), the hellos it takes, at most a budget's worth per remote (over it, a
 * hello is dropped silently, before any X25519), and the static secrets both kinds use, kept
 * per remote. So a flood of hellos from one remote costs its victim at most the budget's
 * worth of handshakes, and each junk hello within it one X25519 (two from a remote never
 * seen, whose static secret is computed then and kept).
 *
 * The cryptography is WebCrypto's, so each step answers with a promise; what must not wait
 * (the budget's token, the layout, the handshake an accept names) is decided at once.
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
import { usableSealKey, type X25519Ops } from "./keys.ts";
import { StaticSecrets } from "./static_secrets.ts";

/** This side's keys as a sealer is given them: the secret may still be being derived. */
export interface SealerKeys {
  /** Its peer id. */
  peerId: string;
  /** Its X25519 secret key (`identitySealKey(identity)`), or the promise of it. */
  secret: Uint8Array | Promise<Uint8Array>;
}

/**
 * This side's keys once its secret is there.
 *
 * @example Usage
 * ```ts
 * import { localKeys } from "./handshaker.ts";
 * const keys = await localKeys({ peerId: "p", secret: Promise.resolve(new Uint8Array(32)) });
 * console.assert(keys.secret.length === 32);
 * ```
 *
 * @param local The keys, the secret perhaps still being derived.
 * @returns The keys.
 */
export async function localKeys(local: SealerKeys): Promise<LocalKeys> {
  return { peerId: local.peerId, secret: await local.secret };
}

/** A hello answered: the accept to send and the session's keys, or why not. */
export type Answer = { bytes: Uint8Array; keys: SessionKeys } | HandshakeFailure;

/** A hello started: the bytes to send, and what is kept until its accept. */
export interface Started {
  /** The hello. */
  bytes: Uint8Array;
  /** What its accept is checked with. */
  pending: PendingHello;
}

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
 * const hello = (await ha.start(b.peerId))!;
 * const answer = await hb.answer(a.peerId, hello.bytes, 0);
 * if (!answer || "code" in answer) throw new Error("not answered");
 * const keys = await ha.finish(b.peerId, answer.bytes);
 * console.assert(!("code" in keys) && keys.send.join() === answer.keys.receive.join());
 * ```
 */
export class Handshaker {
  readonly #local: Promise<LocalKeys>;
  readonly #statics: Promise<StaticSecrets>;
  readonly #budget: AnswerBudget;
  // The hellos sent and not yet accepted, by handshake id.
  readonly #started = new Map<string, PendingHello>();
  // Accepts being checked, by handshake id: another for the same one is checked after it (a
  // junk accept first must not cost the genuine one behind it).
  readonly #finishing = new Map<string, Promise<unknown>>();

  /**
   * Makes the handshakes of one peer, with none under way.
   *
   * @param local This peer's keys.
   * @param budget The budgets of hellos taken, per remote.
   * @param x25519 The X25519 operations (counted in tests).
   */
  constructor(local: SealerKeys, budget: AnswerBudget, x25519?: X25519Ops) {
    this.#local = localKeys(local);
    this.#statics = this.#local.then((l) => new StaticSecrets(l.secret, { x25519 }));
    this.#budget = budget;
  }

  /**
   * Starts a handshake: the hello to send, kept until its accept comes or it is dropped.
   *
   * @param remote The peer.
   * @returns The hello and what is kept (`undefined` if a secret comes out of low order), or
   *   `undefined` at once if `remote`'s key is unusable.
   */
  start(remote: string): Promise<Started | undefined> | undefined {
    if (!usableSealKey(remote)) return undefined;
    return (async () => {
      const [local, statics] = await Promise.all([this.#local, this.#statics]);
      const started = await startHello(local, remote, statics);
      if (started) this.#started.set(started.pending.id, started.pending);
      return started;
    })().catch(() => undefined); // no WebCrypto, or no key: no hello, and the sealer says so
  }

  /**
   * Forgets a hello sent (once it is made, if it is not yet): an accept for it is refused.
   *
   * @param hello What {@linkcode Handshaker.start} answered.
   */
  drop(hello: Promise<Started | undefined>): void {
    void hello.then((s) => s && this.#started.delete(s.pending.id), () => {});
  }

  /**
   * Takes a hello from `from` (the sender the relay names), within its budget.
   *
   * @param from The initiator.
   * @param bytes Its hello.
   * @param now The clock, in ms.
   * @returns The accept to send and the session's keys, or a failure; `undefined` at once if
   *   over the budget: dropped, and to be answered with nothing.
   */
  answer(
    from: string,
    bytes: Uint8Array,
    now: number,
  ): Promise<Answer> | undefined {
    // A malformed hello is refused for free, without a token; a well-formed one takes a
    // token before any X25519, so that one over the budget costs nothing.
    const wellFormed = bytes.length === HELLO_BYTES && bytes[0] === SEAL_HELLO;
    if (wellFormed && !this.#budget.hello(from, now)) return undefined;
    return Promise.all([this.#local, this.#statics])
      .then(([local, statics]) => acceptHello(local, from, bytes, statics))
      .catch((e: Error): HandshakeFailure => ({
        code: "SEAL_BAD_HANDSHAKE",
        message: `Hello not taken: ${e}`,
      }));
  }

  /**
   * Finishes a handshake this peer started, with the responder's accept.
   *
   * @param from The sender the relay names.
   * @param bytes The accept.
   * @returns The session's keys, or a failure.
   */
  finish(from: string, bytes: Uint8Array): Promise<SessionKeys | HandshakeFailure> {
    const none: HandshakeFailure = {
      code: "SEAL_BAD_HANDSHAKE",
      message: "Accept for no handshake under way",
    };
    const id = acceptId(bytes);
    if (id === undefined || !this.#started.has(id)) return Promise.resolve(none);
    const check = async (): Promise<SessionKeys | HandshakeFailure> => {
      const pending = this.#started.get(id);
      if (!pending) return none; // finished (or dropped) by the accept before this one
      const keys = await finishHello(pending, from, bytes, (await this.#statics).x25519);
      if (!("code" in keys)) this.#started.delete(id);
      return keys;
    };
    const done = (this.#finishing.get(id) ?? Promise.resolve()).then(check).catch((e: Error) => ({
      code: "SEAL_BAD_HANDSHAKE" as const,
      message: `Accept not taken: ${e}`,
    }));
    this.#finishing.set(id, done);
    void done.then(() => this.#finishing.get(id) === done && this.#finishing.delete(id));
    return done;
  }
}
