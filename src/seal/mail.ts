/**
 * Mail sealed to a peer's identity, for when it is offline and cannot answer a handshake.
 * The sender makes an ephemeral key; the key of the message comes from `es ‖ ss` (its
 * ephemeral and its static, each with the recipient's static), so only the recipient can
 * open it and only the sender could have sealed it. The time sealed is inside: the recipient
 * refuses mail older than the mailbox keeps it, and an ephemeral key it has seen already.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import { peerIdBytes } from "../identity/peer_id.ts";
import {
  concat,
  KEY_BYTES,
  MAIL_OVERHEAD,
  readCounter,
  SEAL_MAIL,
  writeCounter,
} from "./envelope.ts";
import type { LocalKeys } from "./handshake.ts";
import { SEAL_CONTEXT } from "./handshake.ts";
import { agree, ephemeralKeys, sealPublicKey, usableSealKey } from "./keys.ts";
import type { Opened } from "./session.ts";
import { SEAL_MAIL_MARKS, SEAL_MAIL_MAX_AGE_MS, SEAL_MAIL_MAX_SKEW_MS } from "./seal_bounds.ts";
import { hkdf, openOnce, sealOnce, sha256 } from "./primitives.ts";

async function mailKey(
  from: string,
  to: string,
  ephemeral: Uint8Array,
  es: Uint8Array,
  ss: Uint8Array,
): Promise<{ key: Uint8Array; aad: Uint8Array }> {
  const aad = await sha256(
    concat(
      SEAL_CONTEXT,
      new Uint8Array([SEAL_MAIL]),
      peerIdBytes(from),
      peerIdBytes(to),
      ephemeral,
    ),
  );
  return { key: await hkdf(concat(es, ss), aad, "mail", 32), aad };
}

/**
 * Seals a message to a peer's identity.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { identitySealKey } from "./keys.ts";
 * import { MailReplays, openMail, sealMail } from "./mail.ts";
 * const a = await Identity.generate();
 * const b = await Identity.generate();
 * const la = { peerId: a.peerId, secret: await identitySealKey(a) };
 * const lb = { peerId: b.peerId, secret: await identitySealKey(b) };
 * const sealed = (await sealMail(la, b.peerId, 0, new Uint8Array([7]), 1000))!;
 * const opened = await openMail(lb, a.peerId, sealed, 2000, new MailReplays(60_000));
 * console.assert(opened.ok && opened.payload[0] === 7);
 * ```
 *
 * @param local The sender's keys.
 * @param to The recipient.
 * @param flags Inner flags (text, sequenced).
 * @param payload The message.
 * @param now The time sealed.
 * @param e The ephemeral key pair (a test vector's; fresh by default, and must be).
 * @returns The sealed mail, or `undefined` if the recipient's key is unusable.
 */
export async function sealMail(
  local: LocalKeys,
  to: string,
  flags: number,
  payload: Uint8Array,
  now: number,
  e: { secret: Uint8Array; publicKey: Uint8Array } = ephemeralKeys(),
): Promise<Uint8Array | undefined> {
  const theirs = sealPublicKey(to);
  const es = agree(e.secret, theirs);
  const ss = agree(local.secret, theirs);
  if (!es || !ss) return undefined;
  const { key, aad } = await mailKey(local.peerId, to, e.publicKey, es, ss);
  const plain = new Uint8Array(1 + 8 + payload.length);
  plain[0] = flags;
  writeCounter(plain, 1, Math.max(0, Math.floor(now)));
  plain.set(payload, 9);
  return concat(
    new Uint8Array([SEAL_MAIL]),
    e.publicKey,
    await sealOnce(key, aad, plain),
  );
}

/**
 * The ephemeral keys of mail opened lately, so that the same mail twice is refused. Bounded:
 * a key is forgotten once its mail is older than the age mail is taken at (by the clock, so
 * that no input, a mail dated far ahead included, flushes the rest), and past `MAX` keys the
 * first taken go first.
 *
 * @example Usage
 * ```ts
 * import { MailReplays } from "./mail.ts";
 * const seen = new MailReplays(60_000);
 * console.assert(seen.take("ab", 0, 0) && !seen.take("ab", 1, 1));
 * ```
 */
export class MailReplays {
  /** Most keys remembered. */
  static readonly MAX: number = SEAL_MAIL_MARKS;
  readonly #maxAgeMs: number;
  readonly #seen = new Map<string, number>();
  /** Called when a key is taken (to save the marks). */
  changed?: () => void;

  /**
   * Makes an empty memory of mail seen.
   *
   * @param maxAgeMs Mail older than this is refused, so is remembered no longer.
   */
  constructor(maxAgeMs: number) {
    this.#maxAgeMs = maxAgeMs;
  }

  /** The age past which mail is refused, ms. */
  get maxAgeMs(): number {
    return this.#maxAgeMs;
  }

  /**
   * Takes a key once.
   *
   * @param key The mail's ephemeral key, hex.
   * @param sealedAt When it was sealed (not ahead of `now` by more than the allowed skew).
   * @param now The clock.
   * @returns Whether it was new.
   */
  take(key: string, sealedAt: number, now: number): boolean {
    if (this.#seen.has(key)) return false;
    // Mail comes in any order of date, so this stops at the first fresh key: a stale one after
    // it is kept a little longer, which only costs room.
    for (const [k, at] of this.#seen) {
      if (this.#seen.size < MailReplays.MAX && at >= now - this.#maxAgeMs) break;
      this.#seen.delete(k);
    }
    this.#seen.set(key, sealedAt);
    this.changed?.();
    return true;
  }

  /**
   * The keys remembered and when their mail was sealed, first taken first.
   *
   * @returns `[key, sealedAt]` pairs.
   */
  entries(): [string, number][] {
    return [...this.#seen];
  }

  /**
   * Remembers keys taken before a restart; those already too old to be taken again are left.
   *
   * @param entries `[key, sealedAt]` pairs, as {@linkcode MailReplays.entries} gave them.
   * @param now The clock.
   */
  restore(entries: Iterable<[string, number]>, now: number): void {
    for (const [key, at] of entries) {
      if (at >= now - this.#maxAgeMs && this.#seen.size < MailReplays.MAX) this.#seen.set(key, at);
    }
  }
}

/**
 * Opens mail sealed to this side's identity by `from` (the sender the relay names).
 *
 * @example See {@linkcode sealMail}.
 * ```ts
 * import { openMail } from "./mail.ts";
 * console.assert(typeof openMail === "function");
 * ```
 *
 * @param local The recipient's keys.
 * @param from The sender.
 * @param bytes The sealed mail.
 * @param now The time now.
 * @param replays The mail opened lately.
 * @returns The inner flags and payload, or why not.
 */
export async function openMail(
  local: LocalKeys,
  from: string,
  bytes: Uint8Array,
  now: number,
  replays: MailReplays,
): Promise<Opened> {
  const altered = { ok: false, code: "SEAL_BAD_TAG", message: "Sealed mail was altered" } as const;
  if (bytes.length < MAIL_OVERHEAD || bytes[0] !== SEAL_MAIL) return altered;
  const ephemeral = bytes.subarray(1, 1 + KEY_BYTES);
  const es = agree(local.secret, ephemeral);
  const theirStatic = usableSealKey(from);
  const ss = theirStatic && agree(local.secret, theirStatic);
  if (!es || !ss) return altered;
  const { key, aad } = await mailKey(from, local.peerId, ephemeral, es, ss);
  const plain = await openOnce(key, aad, bytes.subarray(1 + KEY_BYTES));
  if (!plain) {
    // Altered, or sealed by another sender than the relay names: the key differs either way.
    return {
      ok: false,
      code: "SEAL_BAD_TAG",
      message: `Sealed mail was altered, or "${from}" did not seal it`,
    };
  }
  const sealedAt = readCounter(plain, 1);
  if (sealedAt - now > SEAL_MAIL_MAX_SKEW_MS) {
    return { ok: false, code: "SEAL_REPLAYED", message: "Sealed mail is dated ahead of now" };
  }
  if (now - sealedAt > replays.maxAgeMs || !replays.take(hex.encode(ephemeral), sealedAt, now)) {
    return { ok: false, code: "SEAL_REPLAYED", message: "Sealed mail was already taken" };
  }
  return { ok: true, flags: plain[0], payload: plain.subarray(9) };
}

/**
 * One peer's mail: what it seals to others' identities, and what it opens of its own, each
 * ephemeral key taken once.
 *
 * @example Usage
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { identitySealKey } from "./keys.ts";
 * import { IdentityMail, MailReplays } from "./mail.ts";
 * const [a, b] = [await Identity.generate(), await Identity.generate()];
 * const mailOf = async (id: Identity) =>
 *   new IdentityMail({ peerId: id.peerId, secret: await identitySealKey(id) }, new MailReplays(60_000));
 * const sealed = (await (await mailOf(a)).seal(b.peerId, 0, new Uint8Array([7]), 1000))!;
 * console.assert((await (await mailOf(b)).open(a.peerId, sealed, 2000)).ok);
 * ```
 */
export class IdentityMail {
  readonly #local: LocalKeys | Promise<LocalKeys>;
  /** The mail opened lately (kept with the peer's marks). */
  readonly replays: MailReplays;

  /**
   * Makes one peer's mail.
   *
   * @param local This peer's keys, or the promise of them.
   * @param replays The mail it opened lately (kept across restarts), or none yet.
   * @param maxAgeMs Without `replays`: the age past which mail is refused.
   */
  constructor(
    local: LocalKeys | Promise<LocalKeys>,
    replays?: MailReplays,
    maxAgeMs: number = SEAL_MAIL_MAX_AGE_MS,
  ) {
    this.#local = local;
    this.replays = replays ?? new MailReplays(maxAgeMs);
  }

  /**
   * Seals mail to a peer's identity (it may be offline).
   *
   * @param to The peer.
   * @param flags Inner flags.
   * @param payload The message.
   * @param now The clock.
   * @returns The sealed mail, or `undefined` if the peer's key is unusable.
   */
  async seal(
    to: string,
    flags: number,
    payload: Uint8Array,
    now: number,
  ): Promise<Uint8Array | undefined> {
    return sealMail(await this.#local, to, flags, payload, now);
  }

  /**
   * Opens mail sealed to this peer's identity.
   *
   * @param from The sender the network names.
   * @param bytes The sealed mail.
   * @param now The clock.
   * @returns The inner flags and payload, or why not.
   */
  async open(from: string, bytes: Uint8Array, now: number): Promise<Opened> {
    return openMail(await this.#local, from, bytes, now, this.replays);
  }
}
