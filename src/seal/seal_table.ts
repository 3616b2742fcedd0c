/**
 * Every constant of sealing (`docs/PROTOCOL.md` section 13) in one table: what a peer that
 * seals must agree on (overheads, the passphrase's cost) and what the reference client bounds
 * (queues, budgets, marks). The same table is in the protocol's section 13 and is served at
 * `GET /v1/limits` as `sealing`, so that a client written elsewhere reads the values it must
 * match. They are the client's, not the network's: no network overrides them.
 *
 * @module
 */
import { DATA_OVERHEAD, MAIL_OVERHEAD, SEAL_OVERHEAD } from "./envelope.ts";
import * as bounds from "./seal_bounds.ts";
import { BATCH_ENTRY_OVERHEAD } from "./sealed_batch.ts";
import { SEAL_REPLAY_WINDOW } from "./session.ts";
import {
  TOPIC_KEY_BYTES,
  TOPIC_SCRYPT_LOG_N,
  TOPIC_SCRYPT_P,
  TOPIC_SCRYPT_R,
  TOPIC_SEAL_OVERHEAD,
} from "./topic.ts";

/** One constant of sealing: its name, value, unit and meaning. */
export interface SealConstant {
  /** Its name in the code and the docs. */
  readonly name: string;
  /** Its value. */
  readonly value: number;
  /** The unit of the value. */
  readonly unit: string;
  /** What it is. */
  readonly description: string;
}

const row = (name: string, value: number, unit: string, description: string): SealConstant => ({
  name,
  value,
  unit,
  description,
});

/**
 * The constants of sealing, in the order section 13 explains them.
 *
 * @example Usage
 * ```ts
 * import { SEAL_CONSTANTS } from "./seal_table.ts";
 * const overhead = SEAL_CONSTANTS.find((c) => c.name === "SEAL_OVERHEAD");
 * console.assert(overhead?.value === 58);
 * ```
 */
export const SEAL_CONSTANTS: readonly SealConstant[] = Object.freeze([
  row(
    "DATA_OVERHEAD",
    DATA_OVERHEAD,
    "bytes",
    "Bytes a session adds to a message: kind, session id, counter, inner flags, tag.",
  ),
  row(
    "MAIL_OVERHEAD",
    MAIL_OVERHEAD,
    "bytes",
    "Bytes sealing to an identity adds to a mail: kind, ephemeral key, inner flags, time sealed, tag.",
  ),
  row(
    "SEAL_OVERHEAD",
    SEAL_OVERHEAD,
    "bytes",
    "The most sealing adds to a payload, either way: a sealed payload carries at most `MAX_FRAME_BYTES` less the frame's header and this.",
  ),
  row(
    "BATCH_ENTRY_OVERHEAD",
    BATCH_ENTRY_OVERHEAD,
    "bytes",
    "Bytes each message adds inside a sealed batch: inner flags and a 4-byte length.",
  ),
  row(
    "SEAL_REPLAY_WINDOW",
    SEAL_REPLAY_WINDOW,
    "messages",
    "A data message whose counter is this far below the highest taken is refused as `SEAL_REPLAYED`.",
  ),
  row(
    "SEAL_REKEY_MS",
    bounds.SEAL_REKEY_MS,
    "ms",
    "A session seals for this long, then a new one is made.",
  ),
  row(
    "SEAL_REKEY_MESSAGES",
    bounds.SEAL_REKEY_MESSAGES,
    "messages",
    "...or for this many messages, whichever comes first.",
  ),
  row(
    "SEAL_SESSIONS_PER_PEER",
    bounds.SEAL_SESSIONS_PER_PEER,
    "sessions",
    "Sessions kept per peer: the newest seals, the older still open what is in flight.",
  ),
  row(
    "SEAL_QUEUE_MESSAGES",
    bounds.SEAL_QUEUE_MESSAGES,
    "messages",
    "Messages kept per peer while its handshake is under way.",
  ),
  row(
    "SEAL_HANDSHAKE_TIMEOUT_MS",
    bounds.SEAL_HANDSHAKE_TIMEOUT_MS,
    "ms",
    "A hello unanswered this long ends its handshake (`SEAL_HANDSHAKE_TIMEOUT`).",
  ),
  row(
    "SEAL_PEERS",
    bounds.SEAL_PEERS,
    "peers",
    "Peers with sealing state kept; the least recently used is forgotten first.",
  ),
  row(
    "SEAL_STICKY_PEERS",
    bounds.SEAL_STICKY_PEERS,
    "peers",
    "Peers remembered as having sealed with this one (kept across restarts with the marks): from them, kind 6 and anything in clear are refused.",
  ),
  row(
    "SEAL_MAIL_MAX_AGE_MS",
    bounds.SEAL_MAIL_MAX_AGE_MS,
    "ms",
    "Sealed mail sealed longer ago than this is refused (`SEAL_REPLAYED`): the mailbox's time to live.",
  ),
  row(
    "SEAL_MAIL_MAX_SKEW_MS",
    bounds.SEAL_MAIL_MAX_SKEW_MS,
    "ms",
    "Sealed mail dated further ahead of the recipient's clock is refused (`SEAL_REPLAYED`).",
  ),
  row(
    "SEAL_MAIL_MARKS",
    bounds.SEAL_MAIL_MARKS,
    "keys",
    "Keys of sealed mail remembered, each until its mail is too old to be taken.",
  ),
  row(
    "TOPIC_MARKS",
    bounds.TOPIC_MARKS,
    "publishers",
    "Topic publishers whose last publish number is remembered; the least recently moved is forgotten first.",
  ),
  row(
    "TOPIC_REORDER_WINDOW",
    bounds.TOPIC_REORDER_WINDOW,
    "publishes",
    "A publish at most this many numbers behind its publisher's highest is still taken, once.",
  ),
  row(
    "MARKS_SAVE_DELAY_MS",
    bounds.MARKS_SAVE_DELAY_MS,
    "ms",
    "Marks are saved this long after a change (and on close): what a crash can lose.",
  ),
  row(
    "SEAL_ANSWERS_PER_SECOND",
    bounds.SEAL_ANSWERS_PER_SECOND,
    "answers/s",
    "Kinds 5 and 6, and hellos made again on a kind 5, to one remote.",
  ),
  row("SEAL_ANSWER_BURST", bounds.SEAL_ANSWER_BURST, "answers", "...and at once."),
  row(
    "SEAL_UNKNOWN_ANSWER_INTERVAL_MS",
    bounds.SEAL_UNKNOWN_ANSWER_INTERVAL_MS,
    "ms",
    "A kind 5 naming one session goes to one remote at most once in this long.",
  ),
  row(
    "SEAL_ANSWERS_TOTAL_PER_SECOND",
    bounds.SEAL_ANSWERS_TOTAL_PER_SECOND,
    "answers/s",
    "The same answers to all remotes together.",
  ),
  row("SEAL_ANSWER_TOTAL_BURST", bounds.SEAL_ANSWER_TOTAL_BURST, "answers", "...and at once."),
  row(
    "SEAL_HELLOS_PER_SECOND",
    bounds.SEAL_HELLOS_PER_SECOND,
    "hellos/s",
    "Hellos taken from one remote (checked, and answered if they verify).",
  ),
  row("SEAL_HELLO_BURST", bounds.SEAL_HELLO_BURST, "hellos", "...and at once."),
  row(
    "SEAL_BUDGET_PEERS",
    bounds.SEAL_BUDGET_PEERS,
    "peers",
    "Remotes whose answer and hello budgets are kept; the least recently used is forgotten.",
  ),
  row(
    "SEAL_STATIC_SECRETS",
    bounds.SEAL_STATIC_SECRETS,
    "peers",
    "Remotes whose static-static X25519 secret is kept; the least recently used is forgotten.",
  ),
  row(
    "TOPIC_SEAL_OVERHEAD",
    TOPIC_SEAL_OVERHEAD,
    "bytes",
    "Bytes sealing adds to a publish on a shared-key topic before base64url: version, nonce, inner kind, tag.",
  ),
  row(
    "TOPIC_KEY_BYTES",
    TOPIC_KEY_BYTES,
    "bytes",
    "A topic secret given as bytes is exactly this long (random); any other length is refused.",
  ),
  row(
    "TOPIC_SCRYPT_LOG_N",
    TOPIC_SCRYPT_LOG_N,
    "log2",
    "scrypt's N for a topic passphrase is 2 to this power.",
  ),
  row("TOPIC_SCRYPT_R", TOPIC_SCRYPT_R, "blocks", "scrypt's r for a topic passphrase."),
  row("TOPIC_SCRYPT_P", TOPIC_SCRYPT_P, "lanes", "scrypt's p for a topic passphrase."),
]);
