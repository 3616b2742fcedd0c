/**
 * The limits of the mailbox, a part of `limit_table.ts` kept apart for size.
 *
 * @module
 */
import type { LimitRow } from "./limit_row.ts";

/**
 * The mailbox's rows of the limit table.
 *
 * @example Usage
 * ```ts
 * import { MAIL_LIMITS } from "./limit_table_mail.ts";
 * console.assert(MAIL_LIMITS.MAIL_UNSEEN_TTL_MS.value === 3_600_000);
 * ```
 */
export const MAIL_LIMITS = {
  /** How long a message waits in a mailbox for its recipient. */
  MAILBOX_TTL_MS: {
    value: 604_800_000,
    unit: "ms",
    description:
      "How long a message waits for an offline recipient. Then it is deleted and its sender gets a `mail.notice` with status `expired`.",
  },
  /** Most messages waiting in one recipient's mailbox. */
  MAILBOX_MAX_MESSAGES: {
    value: 256,
    unit: "messages",
    description: "Messages waiting for one recipient. More: `MAILBOX_FULL`, not stored.",
  },
  /** Most messages from one sender waiting for one recipient. */
  MAILBOX_MAX_FROM_SENDER: {
    value: 32,
    unit: "messages",
    description:
      "Messages from one sender waiting for one recipient, so that no sender fills another peer's mailbox. More: `MAILBOX_FULL` for that sender only.",
  },
  /** Most messages from one sender waiting on one shard, whatever their recipients. */
  MAIL_MAX_PER_SENDER: {
    value: 1_024,
    unit: "messages",
    description:
      "Messages from one sender waiting at one shard, for all its recipients there. More: `MAILBOX_FULL` for that sender only.",
  },
  /** Most messages waiting on one shard from one client address, whatever its peer ids. */
  MAIL_MAX_PER_ADDRESS: {
    value: 2_048,
    unit: "messages",
    description:
      "Messages waiting at one shard left by peers connected from one client address, whatever their ids (ids are free). More: `MAILBOX_FULL` for that address only. Frames relayed from another shard are counted per sender only.",
  },
  /** Most messages waiting on one shard in all. */
  MAIL_MAX_PER_SHARD: {
    value: 65_536,
    unit: "messages",
    description:
      "Messages waiting at one shard in all (its storage bound). More: `MAILBOX_FULL`; nothing already stored is dropped for it.",
  },
  /** Messages every peer seen at its home can receive however full the shard is. */
  MAIL_RESERVED_PER_RECIPIENT: {
    value: 4,
    unit: "messages",
    description:
      "A peer seen online at its home (within `MAILBOX_TTL_MS`) can always have this many messages waiting: `MAIL_MAX_PER_SHARD` and `MAIL_MAX_UNSEEN_PER_SHARD` do not refuse them (the bounds of one sender and one address still do). At most `MAIL_MAX_SEEN_PEERS` times this, on top of `MAIL_MAX_PER_SHARD`.",
  },
  /** Peers a shard remembers as seen online, for the room kept for them. */
  MAIL_MAX_SEEN_PEERS: {
    value: 16_384,
    unit: "peers",
    description:
      "Peers one shard remembers as seen online (for `MAIL_RESERVED_PER_RECIPIENT` and the longer life of their mail), each for `MAILBOX_TTL_MS` after it last connected. More: the one seen longest ago is forgotten; its mail stays.",
  },
  /** How long a message waits for an id never seen online at its home. */
  MAIL_UNSEEN_TTL_MS: {
    value: 3_600_000,
    unit: "ms",
    description:
      "How long a message waits for a recipient never seen online at its home (at most `MAILBOX_TTL_MS`; ids are free: mail to made-up ids must not hold a shard for `MAILBOX_TTL_MS`). Then it is deleted and its sender told `expired`. If the recipient connects first, its mail gets the full `MAILBOX_TTL_MS`.",
  },
  /** Most messages waiting on one shard for ids never seen online there. */
  MAIL_MAX_UNSEEN_PER_SHARD: {
    value: 8_192,
    unit: "messages",
    description:
      "Messages waiting at one shard for recipients never seen online there, in all (part of `MAIL_MAX_PER_SHARD`). More: `MAILBOX_FULL` for mail to such ids.",
  },
  /** Most delivery and expiry notices kept for one sender. */
  MAIL_MAX_NOTICES_PER_SENDER: {
    value: 256,
    unit: "messages",
    description:
      "`mail.notice`s waiting at its home for one sender until it acknowledges them. More: the oldest is deleted (a notice is news, not mail). The notices of one shard are bounded apart from its mail, by `MAIL_MAX_PER_SHARD`, the oldest going first.",
  },
  /** Largest mailbox message, in UTF-8 bytes of its `data` field. */
  MAX_MAIL_BYTES: {
    value: 32_768,
    unit: "bytes",
    description: "Largest `data` of one mailbox message. Larger: `FRAME_TOO_LARGE`, not stored.",
  },
} as const satisfies Record<string, LimitRow>;
