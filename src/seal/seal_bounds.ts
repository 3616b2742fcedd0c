/**
 * The bounds of a peer's sealing (`docs/PROTOCOL.md`, section 13): what it keeps per peer and
 * for how many peers, and when a session is renewed.
 *
 * @example Usage
 * ```ts
 * import { SEAL_QUEUE_MESSAGES } from "./seal_bounds.ts";
 * console.assert(SEAL_QUEUE_MESSAGES === 256);
 * ```
 *
 * @module
 */

/** Messages kept per peer while its handshake is under way. */
export const SEAL_QUEUE_MESSAGES = 256;
/** Sessions kept per peer: the newest seals, the older still open what is in flight. */
export const SEAL_SESSIONS_PER_PEER = 3;
/** Peers with sealing state kept; the least recently used is forgotten first. */
export const SEAL_PEERS = 4_096;
/** A handshake not answered in this long ends: the peer is taken not to seal. */
export const SEAL_HANDSHAKE_TIMEOUT_MS = 10_000;
/** A session seals for this long, then a new one is made. */
export const SEAL_REKEY_MS = 600_000;
/** ...or for this many messages, whichever comes first. */
export const SEAL_REKEY_MESSAGES = 1_000_000;
/** A day, in ms. */
const DAY = 24 * 3_600_000;
/**
 * Sealed mail older than this is refused, unless the peer says otherwise: as long as the
 * mailbox keeps mail by default (`MAILBOX_TTL_MS`, seven days).
 */
export const SEAL_MAIL_MAX_AGE_MS: number = 7 * DAY;
