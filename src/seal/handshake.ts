/**
 * The pair handshake, in the spirit of Noise KK: both sides know each other's static X25519
 * key from the peer id (see `keys.ts`), and each adds an ephemeral key. Two messages:
 *
 * - hello (initiator → responder): `E_i`, and a tag under a key from `es ‖ ss`, which only
 *   the holder of the initiator's identity could compute: the responder knows who it talks
 *   to before answering.
 * - accept (responder → initiator): `E_r`, and a tag under the session keys, which mix
 *   `ee ‖ se ‖ es ‖ ss`: only the holder of the responder's identity could derive them.
 *
 * Everything is bound to both peer ids and both ephemeral keys (the transcript hashes `h1`,
 * `h2`), so a relay that rewrites a sender, swaps a key or replays a hello gets a tag that
 * does not verify, or a session it holds no key of. The ephemeral keys give forward secrecy:
 * once a session's keys are dropped, its messages cannot be opened again, even with both
 * identities.
 *
 * Tags are AES-256-GCM over nothing (a GMAC) under keys used once; hashes and key derivation
 * are SHA-256 and HKDF: all WebCrypto (`primitives.ts`), so each step is asynchronous.
 *
 * Pure functions over bytes; the state machine that uses them is `sealer.ts`.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import { peerIdBytes } from "../identity/peer_id.ts";
import {
  ACCEPT_BYTES,
  concat,
  HELLO_BYTES,
  ID_BYTES,
  KEY_BYTES,
  SEAL_ACCEPT,
  SEAL_HELLO,
} from "./envelope.ts";
import { sealPublicKey, usableSealKey, X25519, type X25519Ops } from "./keys.ts";
import { StaticSecrets } from "./static_secrets.ts";
import { hkdf, openOnce, sealOnce, sha256 } from "./primitives.ts";

const encoder = new TextEncoder();
/** Domain of every hash and key of sealing, so none is valid anywhere else. */
export const SEAL_CONTEXT: Uint8Array = encoder.encode("superpeer/seal/v3");
const EMPTY = new Uint8Array(0);

/** This side's keys. */
export interface LocalKeys {
  /** Its peer id. */
  peerId: string;
  /** Its X25519 secret key (`identitySealKey(identity)`). */
  secret: Uint8Array;
}

/** A session's keys, once the handshake is done. */
export interface SessionKeys {
  /** The session id (8 bytes). */
  id: Uint8Array;
  /** The other peer. */
  remote: string;
  /** Key of what this side sends. */
  send: Uint8Array;
  /** Key of what this side receives. */
  receive: Uint8Array;
}

/** What the initiator keeps between its hello and the accept. */
export interface PendingHello {
  /** The handshake id: the accept names it. Hex. */
  id: string;
  /** The responder. */
  remote: string;
  /** The initiator's own keys. */
  local: LocalKeys;
  /** The initiator's ephemeral secret key. */
  secret: Uint8Array;
  /** Its public key. */
  ephemeral: Uint8Array;
  /** The transcript hash so far. */
  h1: Uint8Array;
  /** `es ‖ ss`, as the initiator computed them. */
  statics: Uint8Array;
}

/** A handshake refused: why, by code. */
export interface HandshakeFailure {
  /** `SEAL_BAD_HANDSHAKE`: malformed, or a tag that does not verify. */
  code: "SEAL_BAD_HANDSHAKE";
  /** What was wrong. */
  message: string;
}

function tag(key: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  return sealOnce(key, aad, EMPTY);
}

async function tagVerifies(key: Uint8Array, aad: Uint8Array, t: Uint8Array): Promise<boolean> {
  return t.length === 16 && (await openOnce(key, aad, t)) !== undefined;
}

function transcript(
  initiator: string,
  responder: string,
  ephemeral: Uint8Array,
): Promise<Uint8Array> {
  return sha256(
    concat(
      SEAL_CONTEXT,
      new Uint8Array([SEAL_HELLO]),
      peerIdBytes(initiator),
      peerIdBytes(responder),
      ephemeral,
    ),
  );
}

async function sessionKeys(
  h1: Uint8Array,
  responderEphemeral: Uint8Array,
  secrets: Uint8Array,
): Promise<{ h2: Uint8Array; i2r: Uint8Array; r2i: Uint8Array; confirm: Uint8Array }> {
  const h2 = await sha256(concat(h1, responderEphemeral));
  const okm = await hkdf(secrets, h2, "keys", 96);
  return { h2, i2r: okm.slice(0, 32), r2i: okm.slice(32, 64), confirm: okm.slice(64, 96) };
}

const bad = (message: string): HandshakeFailure => ({ code: "SEAL_BAD_HANDSHAKE", message });

/**
 * Starts a handshake with a peer.
 *
 * @example A whole handshake
 * ```ts
 * import { Identity } from "../identity/mod.ts";
 * import { identitySealKey } from "./keys.ts";
 * import { acceptHello, finishHello, startHello } from "./handshake.ts";
 * const a = await Identity.generate();
 * const b = await Identity.generate();
 * const la = { peerId: a.peerId, secret: await identitySealKey(a) };
 * const lb = { peerId: b.peerId, secret: await identitySealKey(b) };
 * const { bytes, pending } = (await startHello(la, b.peerId))!;
 * const answer = await acceptHello(lb, a.peerId, bytes);
 * if ("code" in answer) throw new Error(answer.message);
 * const mine = await finishHello(pending, b.peerId, answer.bytes);
 * if ("code" in mine) throw new Error(mine.message);
 * console.assert(mine.send.join() === answer.keys.receive.join());
 * ```
 *
 * @param local This side's keys.
 * @param remote The peer.
 * @param kept This side's static secrets, kept across handshakes (made for `local`).
 * @returns The hello to send and what to keep, or `undefined` if `remote`'s key is unusable.
 */
export async function startHello(
  local: LocalKeys,
  remote: string,
  kept: StaticSecrets = new StaticSecrets(local.secret),
): Promise<{ bytes: Uint8Array; pending: PendingHello } | undefined> {
  const ss = kept.of(remote);
  const theirStatic = usableSealKey(remote);
  if (!ss || !theirStatic) return undefined;
  const e = kept.x25519.ephemeralKeys();
  const es = kept.x25519.agree(e.secret, theirStatic);
  if (!es) return undefined;
  const h1 = await transcript(local.peerId, remote, e.publicKey);
  const statics = concat(es, ss);
  const k1 = await hkdf(statics, h1, "hello", 32);
  const bytes = concat(new Uint8Array([SEAL_HELLO]), e.publicKey, await tag(k1, h1));
  return {
    bytes,
    pending: {
      id: hex.encode(h1.subarray(0, ID_BYTES)),
      remote,
      local,
      secret: e.secret,
      ephemeral: e.publicKey,
      h1,
      statics,
    },
  };
}

/**
 * Answers a hello from `from` (the sender the relay names: the tag proves it, or fails).
 *
 * @example See {@linkcode startHello}.
 * ```ts
 * import { acceptHello } from "./handshake.ts";
 * console.assert(typeof acceptHello === "function");
 * ```
 *
 * @param local This side's keys.
 * @param from The initiator.
 * @param bytes Its hello.
 * @param kept This side's static secrets, kept across handshakes (made for `local`).
 * @returns The accept to send and the session's keys, or a failure.
 */
export async function acceptHello(
  local: LocalKeys,
  from: string,
  bytes: Uint8Array,
  kept: StaticSecrets = new StaticSecrets(local.secret),
): Promise<{ bytes: Uint8Array; keys: SessionKeys } | HandshakeFailure> {
  // Cheapest first, since anyone may send junk: the layout, then the static secret (kept
  // per remote), then the one X25519 a hello that does not verify costs, the ephemeral's.
  if (bytes.length !== HELLO_BYTES || bytes[0] !== SEAL_HELLO) return bad("Malformed hello");
  const x = kept.x25519;
  const ss = kept.of(from);
  if (!ss) return bad("Hello key is of low order");
  const theirEphemeral = bytes.subarray(1, 1 + KEY_BYTES);
  const es = x.agree(local.secret, theirEphemeral);
  if (!es) return bad("Hello key is of low order");
  const h1 = await transcript(from, local.peerId, theirEphemeral);
  const statics = concat(es, ss);
  const k1 = await hkdf(statics, h1, "hello", 32);
  if (!await tagVerifies(k1, h1, bytes.subarray(1 + KEY_BYTES))) {
    return bad(`Hello does not prove "${from}" sent it`);
  }
  const e = x.ephemeralKeys();
  const ee = x.agree(e.secret, theirEphemeral);
  const se = x.agree(e.secret, sealPublicKey(from));
  if (!ee || !se) return bad("Hello key is of low order");
  const { h2, i2r, r2i, confirm } = await sessionKeys(h1, e.publicKey, concat(ee, se, statics));
  return {
    bytes: concat(
      new Uint8Array([SEAL_ACCEPT]),
      h1.subarray(0, ID_BYTES),
      e.publicKey,
      await tag(confirm, h2),
    ),
    keys: { id: h2.slice(0, ID_BYTES), remote: from, send: r2i, receive: i2r },
  };
}

/**
 * The handshake id an accept names (to find its pending hello), or `undefined` if malformed.
 *
 * @example Usage
 * ```ts
 * import { acceptId } from "./handshake.ts";
 * console.assert(acceptId(new Uint8Array(3)) === undefined);
 * ```
 *
 * @param bytes The accept.
 * @returns The id, hex.
 */
export function acceptId(bytes: Uint8Array): string | undefined {
  if (bytes.length !== ACCEPT_BYTES || bytes[0] !== SEAL_ACCEPT) return undefined;
  return hex.encode(bytes.subarray(1, 1 + ID_BYTES));
}

/**
 * Finishes a handshake with the responder's accept.
 *
 * @example See {@linkcode startHello}.
 * ```ts
 * import { finishHello } from "./handshake.ts";
 * console.assert(typeof finishHello === "function");
 * ```
 *
 * @param pending What {@linkcode startHello} kept.
 * @param from The sender the relay names.
 * @param bytes The accept.
 * @param x25519 The X25519 operations (counted in tests).
 * @returns The session's keys, or a failure.
 */
export async function finishHello(
  pending: PendingHello,
  from: string,
  bytes: Uint8Array,
  x25519: X25519Ops = X25519,
): Promise<SessionKeys | HandshakeFailure> {
  if (acceptId(bytes) !== pending.id) return bad("Accept names another handshake");
  if (from !== pending.remote) return bad(`Accept for "${pending.remote}" came from "${from}"`);
  const theirEphemeral = bytes.subarray(1 + ID_BYTES, 1 + ID_BYTES + KEY_BYTES);
  const ee = x25519.agree(pending.secret, theirEphemeral);
  // The initiator's static with the responder's ephemeral: what the responder computed as
  // its ephemeral with the initiator's static.
  const se = x25519.agree(pending.local.secret, theirEphemeral);
  if (!ee || !se) return bad("Accept key is of low order");
  const { h2, i2r, r2i, confirm } = await sessionKeys(
    pending.h1,
    theirEphemeral,
    concat(ee, se, pending.statics),
  );
  if (!await tagVerifies(confirm, h2, bytes.subarray(1 + ID_BYTES + KEY_BYTES))) {
    return bad(`Accept does not prove "${from}" sent it`);
  }
  return { id: h2.slice(0, ID_BYTES), remote: from, send: i2r, receive: r2i };
}
