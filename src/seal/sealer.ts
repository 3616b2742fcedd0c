/**
 * The sealing state machine of one peer: a session per remote peer, made by the handshake of
 * `handshake.ts` when the first message is sent, renewed as it ages, made again when the
 * other side has lost it (a restart); messages wait in a bounded queue while a handshake is
 * under way. Pure but for the host it is given and the AEAD: it sends, delivers and reports
 * through the host, and reads the clock only as passed in. Its cryptography is asynchronous
 * (WebCrypto), so what a peer seals reaches the host a little later, always in the order
 * given; what comes is taken in the order it came, per peer (a message after an accept waits
 * for the session the accept makes), and what it opens is delivered in that order.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import {
  concat,
  ID_BYTES,
  SEAL_ACCEPT,
  SEAL_DATA,
  SEAL_HELLO,
  SEAL_MAIL,
  SEAL_UNKNOWN_SESSION,
  SEAL_UNSUPPORTED,
} from "./envelope.ts";
import type { HandshakeFailure, SessionKeys } from "./handshake.ts";
import { type Answer, Handshaker, localKeys, type SealerKeys, type Started } from "./handshaker.ts";
import { AnswerBudget } from "./answer_budget.ts";
import { IdentityMail } from "./mail.ts";
import { SealedBefore } from "./sealed_before.ts";
import { deliverOpened, SealBatcher } from "./sealed_batch.ts";
import { dataSessionId, SealSession } from "./session.ts";
import { PeerTable, type SealPeerState } from "./peer_table.ts";
import { InOrder } from "./in_order.ts";
import {
  SEAL_HANDSHAKE_TIMEOUT_MS,
  SEAL_PEERS,
  SEAL_QUEUE_MESSAGES,
  SEAL_REKEY_MESSAGES,
  SEAL_REKEY_MS,
  SEAL_SESSIONS_PER_PEER,
} from "./seal_bounds.ts";
import type { SealCode, SealerHost, SealerOptions, SealPolicy, SealResult } from "./sealer_host.ts";
export * from "./seal_bounds.ts";
export type * from "./sealer_host.ts";

/**
 * One peer's sealing.
 *
 * @example Two peers, wired to each other
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { identitySealKey } from "./keys.ts";
 * import { Sealer, type SealerHost } from "./sealer.ts";
 * const [a, b] = [await Identity.generate(), await Identity.generate()];
 * const got: string[] = [];
 * const host = (me: string, other: () => Sealer): SealerHost => ({
 *   sendSealed: (_to, bytes) => (other().receive(me, bytes, 0), "sent"),
 *   sendClear: () => {},
 *   deliver: (_from, _flags, payload) => got.push(new TextDecoder().decode(payload)),
 *   refused: (_peer, code) => got.push(code),
 * });
 * const sa: Sealer = new Sealer({ peerId: a.peerId, secret: identitySealKey(a) }, host(a.peerId, () => sb));
 * const sb: Sealer = new Sealer({ peerId: b.peerId, secret: identitySealKey(b) }, host(b.peerId, () => sa));
 * sa.seal(b.peerId, 0, new TextEncoder().encode("hello"), 0);
 * // The handshake goes back and forth (each step a WebCrypto call) before the message opens.
 * while (sa.busy || sb.busy) await Promise.all([sa.idle(), sb.idle()]);
 * console.assert(got.join() === "hello");
 * ```
 */
export class Sealer {
  readonly #host: SealerHost;
  readonly #policy: SealPolicy;
  readonly #peers = new PeerTable(SEAL_PEERS, (_remote, state) => {
    for (const s of state.sessions) this.#sessions.delete(s.id);
    if (state.pending) this.#handshaker.drop(state.pending.hello);
  });
  readonly #sessions = new Map<string, SealSession>();
  /** Peers that have sealed with this one: they stay sealed, whatever a relay says. */
  readonly #sealedBefore: SealedBefore;
  // What it sends unasked (kind 5, a hello again, accepts) is budgeted per remote.
  readonly #budget = new AnswerBudget();
  readonly #handshaker: Handshaker;
  /** Mail sealed to peers' identities, and opened from this one's. */
  readonly mail: IdentityMail;
  readonly #batcher: SealBatcher | undefined;
  // Per peer: sealing under way, handed to the host in order; what came, taken in order
  // (handshakes finish before what follows them is looked up); opening, delivered in order.
  readonly #sending = new InOrder();
  readonly #incoming = new InOrder();
  readonly #opening = new InOrder();

  /**
   * Makes the sealing state machine of one peer, with no session yet.
   *
   * @param local This peer's keys.
   * @param host What it acts through.
   * @param options Its policy, mail's age, batches, X25519 operations.
   */
  constructor(local: SealerKeys, host: SealerHost, options: SealerOptions = {}) {
    this.#handshaker = new Handshaker(local, this.#budget, options.x25519);
    this.#host = host;
    this.#policy = options.policy ?? "required";
    this.#sealedBefore = options.marks?.sealedBefore ?? new SealedBefore();
    this.mail = new IdentityMail(localKeys(local), options.marks?.mail, options.mailMaxAgeMs);
    this.#batcher = options.batchBytes &&
      new SealBatcher(options.batchBytes, (to, sealed, n) => this.#send(to, sealed, n));
  }

  /**
   * Seals a message to a peer, making a session first if there is none.
   *
   * @param to The peer.
   * @param flags Inner flags (text, sequenced).
   * @param payload The message.
   * @param now The clock.
   * @returns What became of it: `"batched"` once a session seals it (it is handed to the
   *   host shortly, in order).
   */
  seal(to: string, flags: number, payload: Uint8Array, now: number): SealResult {
    const peer = this.#peers.use(to);
    if (peer.unsupported) return this.#unsealed(to, flags, payload);
    const session = peer.sessions[0];
    if (session) {
      if (session.sent >= SEAL_REKEY_MESSAGES || now - session.createdAt >= SEAL_REKEY_MS) {
        this.#hello(to, peer, now);
      }
      if (this.#batcher) return this.#batcher.add(to, session, { flags, payload });
      this.#send(to, session.seal(flags, payload));
      return "batched";
    }
    if (peer.queue.length >= SEAL_QUEUE_MESSAGES) {
      const why = `${SEAL_QUEUE_MESSAGES} messages await the handshake`;
      this.#host.refused(to, "SEAL_HANDSHAKE_TIMEOUT", why);
      return "dropped";
    }
    peer.queue.push({ flags, payload: payload.slice() });
    // A hello from it being answered makes the session this would wait for.
    if (!peer.answering) this.#hello(to, peer, now);
    return "queued";
  }

  /** Starts sealing now what waits for the end of the turn. */
  flush(): void {
    this.#batcher?.flush();
  }

  /** Whether sealing or opening is under way (what was given is not all handed on). */
  get busy(): boolean {
    return this.#sending.busy || this.#incoming.busy || this.#opening.busy;
  }

  /**
   * Settles once what was given so far is sealed and handed to the host, and what came is
   * opened and delivered or refused (what waits for the end of the turn goes now).
   *
   * @returns A promise.
   */
  async idle(): Promise<void> {
    this.flush();
    while (this.busy) {
      await Promise.all([this.#sending.idle(), this.#incoming.idle(), this.#opening.idle()]);
    }
  }

  /**
   * Takes a sealed payload that came from `from` (the sender the relay names). What it holds
   * is delivered after what came from `from` before it.
   *
   * @param from The sender.
   * @param bytes The payload (kept until it is opened).
   * @param now The clock.
   * @param seq The number the path gave it; the messages of a batch are delivered with it,
   *   it + 1, and so on.
   */
  receive(from: string, bytes: Uint8Array, now: number, seq = 0): void {
    switch (bytes[0]) {
      case SEAL_HELLO: {
        const answer = this.#handshaker.answer(from, bytes, now);
        if (!answer) return; // over the remote's budget of hellos: dropped silently
        // Only a known peer can have messages waiting: a hello makes no entry of its own, so
        // a flood of names cannot push real peers out of the table.
        const asked = this.#peers.get(from);
        if (asked) asked.answering = (asked.answering ?? 0) + 1;
        return this.#incoming.add(from, answer, (a) => this.#onHello(from, asked, a, now));
      }
      case SEAL_ACCEPT: {
        const keys = this.#handshaker.finish(from, bytes);
        return this.#incoming.add(from, keys, (k) => this.#onAccept(from, k, now));
      }
      default:
        return this.#incoming.add(from, undefined, () => this.#take(from, bytes, now, seq));
    }
  }

  // What is neither a hello nor an accept, once what came before it from `from` is taken.
  #take(from: string, bytes: Uint8Array, now: number, seq: number): void {
    switch (bytes[0]) {
      case SEAL_DATA:
        return this.#onData(from, bytes, now, seq);
      case SEAL_MAIL:
        return this.#opening.add(
          from,
          this.mail.open(from, bytes, now),
          (o) => deliverOpened(this.#host, from, o, seq),
        );
      case SEAL_UNKNOWN_SESSION:
        return this.#onUnknown(from, bytes, now);
      case SEAL_UNSUPPORTED:
        return this.#onUnsupported(from, bytes);
      default:
        return this.#host.refused(from, "SEAL_BAD_TAG", "Sealed payload of no known kind");
    }
  }

  /**
   * Ends handshakes that went unanswered too long.
   *
   * @param now The clock.
   * @returns When the next handshake still under way runs out (a time of the same clock), or
   *   `undefined` if none is.
   */
  tick(now: number): number | undefined {
    let next: number | undefined;
    for (const [remote, peer] of this.#peers) {
      if (!peer.pending) continue;
      const ends = peer.pending.at + SEAL_HANDSHAKE_TIMEOUT_MS;
      if (now < ends) {
        next = Math.min(next ?? ends, ends);
        continue;
      }
      this.#handshaker.drop(peer.pending.hello);
      peer.pending = undefined;
      if (peer.sessions.length > 0) continue; // a renewal: the old session still seals
      // From a peer that sealed, silence is a relay's: nothing goes in clear.
      if (this.#policy === "preferred" && !this.#sealedBefore.has(remote)) {
        this.#onUnsupported(remote);
      } else this.#fail(remote, peer, "SEAL_HANDSHAKE_TIMEOUT", "No answer to the handshake");
    }
    return next;
  }

  /**
   * The network said the peer is not connected (its hello was refused): the handshake under
   * way with it gets no answer, so it ends now rather than at the timeout. What waited for it
   * is reported lost, and the next message starts a new handshake.
   *
   * @param remote The peer.
   */
  unreachable(remote: string): void {
    const peer = this.#peers.get(remote);
    if (!peer?.pending || peer.sessions.length > 0) return; // a renewal: the old one seals
    this.#handshaker.drop(peer.pending.hello);
    peer.pending = undefined;
    this.#fail(remote, peer, "SEAL_UNREACHABLE", "The peer is not connected");
  }

  /** Whether a message in clear from a peer is taken: `"preferred"`, a peer never seen sealing. */
  takesClear(from: string): boolean {
    return this.#policy === "preferred" && !this.#sealedBefore.has(from);
  }

  /** Whether a session with a peer is ready (for tests and status). */
  hasSession(peer: string): boolean {
    return (this.#peers.get(peer)?.sessions.length ?? 0) > 0;
  }

  /** Messages waiting for a handshake to end, to all peers. */
  get waiting(): number {
    return this.#peers.queued;
  }

  #hello(to: string, peer: SealPeerState, now: number): void {
    if (peer.pending) return;
    const hello = this.#handshaker.start(to);
    if (!hello) return this.#fail(to, peer, "SEAL_BAD_HANDSHAKE", "The peer's key is unusable");
    peer.pending = { hello, at: now };
    this.#sending.add(to, hello, (started: Started | undefined) => {
      // Dropped while it was made (unreachable, timed out, a "no seal", the peer forgotten):
      // not sent, or the other side would make a session this one does not hold.
      if (peer.pending?.hello !== hello || this.#peers.get(to) !== peer) return;
      if (started) return void this.#host.sendSealed(to, started.bytes, 1);
      // A secret of low order: no hello can be made with this key.
      peer.pending = undefined;
      this.#fail(to, peer, "SEAL_BAD_HANDSHAKE", "The peer's key is unusable");
    });
  }

  #onHello(from: string, asked: SealPeerState | undefined, answer: Answer, now: number): void {
    if (asked) asked.answering = Math.max(0, (asked.answering ?? 1) - 1);
    if ("code" in answer) {
      this.#host.refused(from, answer.code, answer.message);
      // What waited for this answer's session needs a handshake of its own.
      const peer = this.#peers.get(from);
      if (peer?.queue.length && !peer.sessions.length && !peer.answering) {
        this.#hello(from, peer, now);
      }
      return;
    }
    const peer = this.#peers.use(from);
    peer.unsupported = false;
    // Known before the accept leaves (a relay in the same turn may bring data at once), and
    // what waited leaves after it: the initiator has the session by then.
    const session = this.#register(from, peer, new SealSession(answer.keys, now));
    this.#send(from, answer.bytes);
    this.#flush(from, peer, session);
  }

  #onAccept(from: string, keys: SessionKeys | HandshakeFailure, now: number): void {
    if ("code" in keys) return this.#host.refused(from, keys.code, keys.message);
    const peer = this.#peers.use(from);
    peer.pending = undefined;
    this.#flush(from, peer, this.#register(from, peer, new SealSession(keys, now)));
  }

  // A new session seals from now on.
  #register(remote: string, peer: SealPeerState, session: SealSession): SealSession {
    this.#sealedBefore.add(remote);
    this.#sessions.set(session.id, session);
    peer.sessions.unshift(session);
    for (const old of peer.sessions.splice(SEAL_SESSIONS_PER_PEER)) this.#sessions.delete(old.id);
    return session;
  }

  // What waited for a session goes first.
  #flush(remote: string, peer: SealPeerState, session: SealSession): void {
    for (const m of peer.queue.splice(0)) {
      if (this.#batcher) this.#batcher.add(remote, session, m);
      else this.#send(remote, session.seal(m.flags, m.payload));
    }
  }

  // Handed to the host after all that was handed on to the same peer before it.
  #send(to: string, bytes: Uint8Array | Promise<Uint8Array>, messages = 1): void {
    this.#sending.add(to, bytes, (b) => void this.#host.sendSealed(to, b, messages));
  }

  #onData(from: string, bytes: Uint8Array, now: number, seq: number): void {
    const id = dataSessionId(bytes);
    if (id === undefined) {
      return this.#host.refused(from, "SEAL_BAD_TAG", "Malformed sealed message");
    }
    const session = this.#sessions.get(id);
    if (!session) {
      // Lost to a restart, or forgotten: the sender should make a new one (told once per
      // id a while, within a budget: junk must not spend this peer's). A relay that forges
      // this notice only makes the two sides handshake again.
      if (this.#budget.unknownSession(from, id, now)) {
        this.#send(from, concat(new Uint8Array([SEAL_UNKNOWN_SESSION]), hex.decode(id)));
      }
      return this.#host.refused(from, "SEAL_UNKNOWN_SESSION", `No session ${id} with "${from}"`);
    }
    this.#opening.add(
      from,
      session.open(from, bytes),
      (o) => deliverOpened(this.#host, from, o, seq),
    );
  }

  #onUnknown(from: string, bytes: Uint8Array, now: number): void {
    if (bytes.length !== 1 + ID_BYTES) {
      return this.#host.refused(from, "SEAL_BAD_TAG", "Malformed notice of an unknown session");
    }
    const id = hex.encode(bytes.subarray(1));
    const session = this.#sessions.get(id);
    if (!session || session.remote !== from) return;
    const peer = this.#peers.use(from);
    this.#sessions.delete(id);
    peer.sessions = peer.sessions.filter((s) => s !== session);
    // Unasked, so budgeted: over it, the next message sealed to it starts the handshake.
    if (peer.sessions.length === 0 && this.#budget.answer(from, now)) this.#hello(from, peer, now);
  }

  #onUnsupported(from: string, bytes: Uint8Array = new Uint8Array(1)): void {
    const peer = this.#peers.get(from); // none: it answers nothing, and makes no entry
    if (!peer) return;
    if (bytes.length !== 1 || peer.sessions.length > 0 || this.#sealedBefore.has(from)) {
      // Malformed, or from a peer that sealed before (even if its sessions were dropped since,
      // by a forged "no such session"): a relay's forgery, or an alteration.
      return this.#host.refused(from, "SEAL_BAD_TAG", `A "no seal" notice that cannot be true`);
    }
    peer.unsupported = true;
    if (peer.pending) this.#handshaker.drop(peer.pending.hello);
    peer.pending = undefined;
    for (const m of peer.queue.splice(0)) this.#unsealed(from, m.flags, m.payload);
  }

  #unsealed(to: string, flags: number, payload: Uint8Array): "sent" | "dropped" {
    if (this.#policy === "preferred") {
      this.#host.sendClear(to, flags, payload);
      return "sent";
    }
    this.#host.refused(to, "SEAL_UNSUPPORTED", `"${to}" does not seal, and sealing is required`);
    return "dropped";
  }

  #fail(remote: string, peer: SealPeerState, code: SealCode, message: string): void {
    const lost = peer.queue.splice(0).length;
    const what = `${lost} message${lost === 1 ? "" : "s"} not sent`;
    this.#host.refused(remote, code, lost > 0 ? `${message}: ${what}` : message);
  }
}
