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
/**
 * Peers remembered as having sealed with this one, for the life of the process, after their
 * sealing state is gone: from them, "I do not seal" and anything in clear are a relay's
 * downgrade, refused whatever the policy. The least recently sealed is forgotten first.
 */
export const SEAL_STICKY_PEERS = 65_536;
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
/**
 * Sealed mail dated further ahead of the recipient's clock than this is refused: its date is
 * what its replay mark is kept by, and a date in the future would make it outlive the rest.
 */
export const SEAL_MAIL_MAX_SKEW_MS: number = 5 * 60_000;

// What a peer sends on its own, without its application asking: a kind 5 ("no such
// session") or kind 6 ("I do not seal") answer, an accept answering a hello, a hello made
// again after a kind 5. The network charges what a peer sends to that peer, so a peer that
// answered every junk frame spent its own budget on them (one flood of 22,016 junk frames
// got its victim refused, then closed, for flooding). Past these bounds it stays silent.

/** Answers (kind 5 and 6, a hello made again after a kind 5) one remote gets a second. */
export const SEAL_ANSWERS_PER_SECOND = 1;
/** ...and at once: a peer that lost its sessions answers each of the up to 3 in flight. */
export const SEAL_ANSWER_BURST = 4;
/**
 * Answers all remotes together get a second: what many attackers, each with its own budget
 * (or one whose budget was forgotten to make room), get at most.
 */
export const SEAL_ANSWERS_TOTAL_PER_SECOND = 64;
/** ...and at once. */
export const SEAL_ANSWER_TOTAL_BURST = 256;
/** A kind 5 naming one session goes to one remote at most once in this long. */
export const SEAL_UNKNOWN_ANSWER_INTERVAL_MS = 1_000;
/**
 * Hellos taken from one remote a second (taken before any X25519, answered if they verify):
 * an honest peer says hello once per session, every `SEAL_REKEY_MS` or after a restart.
 */
export const SEAL_HELLOS_PER_SECOND = 1;
/** ...and at once. */
export const SEAL_HELLO_BURST = 4;
/** Remotes whose answer and hello budgets are kept; the least recently used is forgotten. */
export const SEAL_BUDGET_PEERS = 4_096;
/**
 * Remotes whose static-static X25519 secret is kept (32 bytes each), so a hello costs one
 * X25519 for the secret it checks, not two; the least recently used is forgotten.
 */
export const SEAL_STATIC_SECRETS = 4_096;

// Marks a peer keeps across restarts (the reference client's `marks`).

/**
 * Keys of sealed mail remembered (each until its mail is too old to be taken): the same mail
 * twice is refused as `SEAL_REPLAYED`. Past it, the first taken go first.
 */
export const SEAL_MAIL_MARKS = 65_536;
/**
 * Topic publishers whose last number is remembered (per topic and publisher): a repeat or an
 * older publish from one of them is dropped. Past the bound the least recently marked is
 * forgotten first, and a relay could replay that publisher's older publishes again.
 */
export const TOPIC_MARKS = 65_536;
/**
 * A publish that comes at most this many numbers behind its publisher's highest is still taken
 * (once): a shard's restart can let a later one overtake it on the way.
 */
export const TOPIC_REORDER_WINDOW = 64;
/**
 * How long after a change the marks are saved, in ms. A crash (not a `close`, which saves)
 * loses at most the marks of this last stretch: a replay of what was taken in it is taken again.
 */
export const MARKS_SAVE_DELAY_MS = 250;
