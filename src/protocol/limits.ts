/**
 * Every limit of protocol v1 in one table. The same table is in `docs/PROTOCOL.md`, is
 * served at `GET /v1/limits`, and is sent in every welcome. A network may override a value
 * in its config (`LIMIT_OVERRIDES`); what it serves is always the value in force.
 *
 * @module
 */

/** The protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;

/** One row of the limits table. */
export interface LimitSpec {
  /** The constant's name, as served and documented. */
  readonly name: LimitName;
  /** The default value. */
  readonly value: number;
  /** The unit of the value. */
  readonly unit:
    | "bytes"
    | "ms"
    | "frames"
    | "frames/s"
    | "bytes/s"
    | "peers"
    | "chars"
    | "units"
    | "entries"
    | "transfers"
    | "receipts"
    | "topics"
    | "messages"
    | "shards";
  /** What the limit bounds, and what happens past it. */
  readonly description: string;
}

/** Largest binary frame a peer may send or receive, header included. */
export const MAX_FRAME_BYTES = 65_536;
/** Largest text (JSON control) frame a peer may send. */
export const MAX_CONTROL_FRAME_BYTES = 131_072;
/** How old a hello's timestamp may be when the edge checks it. */
export const HELLO_MAX_AGE_MS = 60_000;
/** How far ahead of the edge's clock a hello's timestamp may be. */
export const MAX_CLOCK_SKEW_MS = 30_000;
/** Interval at which a client sends the keepalive `ping`. */
export const KEEPALIVE_INTERVAL_MS = 15_000;
/** A connection with no inbound traffic for this long is considered dead by the client. */
export const KEEPALIVE_TIMEOUT_MS = 45_000;
/** Frames a super-peer queues for one other shard before refusing more with `OVERLOADED`. */
export const MAX_SHARD_QUEUE_FRAMES = 8_192;
/** Most frames a super-peer hands to another shard in one call. */
export const MAX_RELAY_BATCH_FRAMES = 512;
/** Frames a client queues while it is not connected, by default. */
export const DEFAULT_SEND_QUEUE_FRAMES = 1_024;
/** Sustained frames per second one peer may send before `RATE_LIMITED`. */
export const RATE_LIMIT_FRAMES_PER_SECOND = 2_000;
/** Frames one peer may send in a burst above the sustained rate. */
export const RATE_LIMIT_BURST_FRAMES = 4_000;
/** Sustained bytes per second one peer may send before `RATE_LIMITED`. */
export const RATE_LIMIT_BYTES_PER_SECOND = 8_388_608;
/** Bytes one peer may send in a burst above the sustained rate. */
export const RATE_LIMIT_BURST_BYTES = 16_777_216;

/** Largest amount one transfer may move. */
export const MAX_TRANSFER_AMOUNT = 1_000_000_000_000_000;
/** How often a shard seals its pending ledger entries into a block. */
export const BLOCK_INTERVAL_MS = 1_000;
/** Most entries (transfers and credits) in one block. */
export const MAX_BLOCK_ENTRIES = 1_024;
/** Most transfers in one submission (one frame or one `POST /v1/tx`). */
export const MAX_TX_BATCH = 256;
/** How long a shard waits before pushing unacknowledged cross-shard receipts again. */
export const RECEIPT_RETRY_MS = 1_000;
/** Most receipts pushed to another shard in one call. */
export const MAX_RECEIPT_BATCH = 256;
/** What one faucet request pays, on a network that enables the faucet. */
export const FAUCET_AMOUNT = 1_000;
/** How often one account may use the faucet. */
export const FAUCET_INTERVAL_MS = 60_000;

/** Payload bytes one peer may have relayed per quota window; past it, go direct. */
export const RELAY_QUOTA_BYTES = 67_108_864;
/** The window of {@linkcode RELAY_QUOTA_BYTES}. */
export const RELAY_QUOTA_WINDOW_MS = 60_000;

/** Longest topic name, in UTF-8 bytes. */
export const MAX_TOPIC_BYTES = 128;
/** Most topics one peer may be subscribed to at once. */
export const MAX_SUBSCRIPTIONS_PER_PEER = 64;
/** Largest payload of one publish, in UTF-8 bytes of its `data` field. */
export const MAX_PUBLISH_BYTES = 16_384;
/** Within this time of its last frame or keepalive, a super-peer closes a silent socket. */
export const PRESENCE_TIMEOUT_MS = 60_000;
/** Most peers one discovery request returns. */
export const MAX_DISCOVERY_PEERS = 64;
/** Most shards one discovery request asks, whatever the shard count. */
export const DISCOVERY_SHARDS_PER_QUERY = 3;
/** How long a message waits in a mailbox for its recipient. */
export const MAILBOX_TTL_MS = 604_800_000;
/** Most messages waiting in one recipient's mailbox. */
export const MAILBOX_MAX_MESSAGES = 256;
/** Largest mailbox message, in UTF-8 bytes of its `data` field. */
export const MAX_MAIL_BYTES = 32_768;

/** The names of all limits. */
export type LimitName =
  | "MAX_FRAME_BYTES"
  | "MAX_CONTROL_FRAME_BYTES"
  | "HELLO_MAX_AGE_MS"
  | "MAX_CLOCK_SKEW_MS"
  | "KEEPALIVE_INTERVAL_MS"
  | "KEEPALIVE_TIMEOUT_MS"
  | "MAX_SHARD_QUEUE_FRAMES"
  | "MAX_RELAY_BATCH_FRAMES"
  | "DEFAULT_SEND_QUEUE_FRAMES"
  | "RATE_LIMIT_FRAMES_PER_SECOND"
  | "RATE_LIMIT_BURST_FRAMES"
  | "RATE_LIMIT_BYTES_PER_SECOND"
  | "RATE_LIMIT_BURST_BYTES"
  | "MAX_TRANSFER_AMOUNT"
  | "BLOCK_INTERVAL_MS"
  | "MAX_BLOCK_ENTRIES"
  | "MAX_TX_BATCH"
  | "RECEIPT_RETRY_MS"
  | "MAX_RECEIPT_BATCH"
  | "FAUCET_AMOUNT"
  | "FAUCET_INTERVAL_MS"
  | "RELAY_QUOTA_BYTES"
  | "RELAY_QUOTA_WINDOW_MS"
  | "MAX_TOPIC_BYTES"
  | "MAX_SUBSCRIPTIONS_PER_PEER"
  | "MAX_PUBLISH_BYTES"
  | "PRESENCE_TIMEOUT_MS"
  | "MAX_DISCOVERY_PEERS"
  | "DISCOVERY_SHARDS_PER_QUERY"
  | "MAILBOX_TTL_MS"
  | "MAILBOX_MAX_MESSAGES"
  | "MAX_MAIL_BYTES";

/** The values in force, by name. */
export type Limits = Readonly<Record<LimitName, number>>;

/**
 * The limits table with descriptions, in documentation order.
 *
 * @example Usage
 * ```ts
 * import { LIMIT_SPECS } from "./limits.ts";
 * console.assert(LIMIT_SPECS.some((l) => l.name === "MAX_FRAME_BYTES"));
 * ```
 */
export const LIMIT_SPECS: readonly LimitSpec[] = [
  {
    name: "MAX_FRAME_BYTES",
    value: MAX_FRAME_BYTES,
    unit: "bytes",
    description: "Largest binary frame, header included. Larger: `FRAME_TOO_LARGE`, frame dropped.",
  },
  {
    name: "MAX_CONTROL_FRAME_BYTES",
    value: MAX_CONTROL_FRAME_BYTES,
    unit: "bytes",
    description: "Largest text (JSON control) frame. Larger: `FRAME_TOO_LARGE`, frame dropped.",
  },
  {
    name: "HELLO_MAX_AGE_MS",
    value: HELLO_MAX_AGE_MS,
    unit: "ms",
    description: "How old a hello's timestamp may be. Older: HTTP 401 `HELLO_STALE`.",
  },
  {
    name: "MAX_CLOCK_SKEW_MS",
    value: MAX_CLOCK_SKEW_MS,
    unit: "ms",
    description:
      "How far in the future a hello's timestamp may be. Further: HTTP 401 `HELLO_STALE`.",
  },
  {
    name: "KEEPALIVE_INTERVAL_MS",
    value: KEEPALIVE_INTERVAL_MS,
    unit: "ms",
    description:
      "How often a client sends the text frame `ping` (answered `pong` without waking the super-peer).",
  },
  {
    name: "KEEPALIVE_TIMEOUT_MS",
    value: KEEPALIVE_TIMEOUT_MS,
    unit: "ms",
    description: "Silence after which a client drops the connection and reconnects.",
  },
  {
    name: "MAX_SHARD_QUEUE_FRAMES",
    value: MAX_SHARD_QUEUE_FRAMES,
    unit: "frames",
    description:
      "Frames a super-peer holds for one other shard. More: `OVERLOADED`, frame dropped.",
  },
  {
    name: "MAX_RELAY_BATCH_FRAMES",
    value: MAX_RELAY_BATCH_FRAMES,
    unit: "frames",
    description: "Most frames a super-peer passes to another shard in one call.",
  },
  {
    name: "DEFAULT_SEND_QUEUE_FRAMES",
    value: DEFAULT_SEND_QUEUE_FRAMES,
    unit: "frames",
    description: 'Frames a client queues while disconnected. More: `send()` returns `"dropped"`.',
  },
  {
    name: "RATE_LIMIT_FRAMES_PER_SECOND",
    value: RATE_LIMIT_FRAMES_PER_SECOND,
    unit: "frames/s",
    description: "Sustained frames per second per peer. More: `RATE_LIMITED`, frame dropped.",
  },
  {
    name: "RATE_LIMIT_BURST_FRAMES",
    value: RATE_LIMIT_BURST_FRAMES,
    unit: "frames",
    description: "Burst of frames per peer above the sustained rate.",
  },
  {
    name: "RATE_LIMIT_BYTES_PER_SECOND",
    value: RATE_LIMIT_BYTES_PER_SECOND,
    unit: "bytes/s",
    description: "Sustained bytes per second per peer. More: `RATE_LIMITED`, frame dropped.",
  },
  {
    name: "RATE_LIMIT_BURST_BYTES",
    value: RATE_LIMIT_BURST_BYTES,
    unit: "bytes",
    description: "Burst of bytes per peer above the sustained rate.",
  },
  {
    name: "MAX_TRANSFER_AMOUNT",
    value: MAX_TRANSFER_AMOUNT,
    unit: "units",
    description:
      "Largest amount of one transfer. More (or zero, negative, fractional): `TX_BAD_AMOUNT`.",
  },
  {
    name: "BLOCK_INTERVAL_MS",
    value: BLOCK_INTERVAL_MS,
    unit: "ms",
    description: "How often a shard seals pending entries into a signed block.",
  },
  {
    name: "MAX_BLOCK_ENTRIES",
    value: MAX_BLOCK_ENTRIES,
    unit: "entries",
    description: "Most entries in one block; the rest wait for the next.",
  },
  {
    name: "MAX_TX_BATCH",
    value: MAX_TX_BATCH,
    unit: "transfers",
    description: "Most transfers in one submission. More: `TX_BATCH_TOO_LARGE`, nothing applied.",
  },
  {
    name: "RECEIPT_RETRY_MS",
    value: RECEIPT_RETRY_MS,
    unit: "ms",
    description: "Delay before a shard pushes unacknowledged cross-shard receipts again.",
  },
  {
    name: "MAX_RECEIPT_BATCH",
    value: MAX_RECEIPT_BATCH,
    unit: "receipts",
    description: "Most receipts pushed to another shard in one call.",
  },
  {
    name: "FAUCET_AMOUNT",
    value: FAUCET_AMOUNT,
    unit: "units",
    description: "What one faucet request pays (faucet networks only).",
  },
  {
    name: "FAUCET_INTERVAL_MS",
    value: FAUCET_INTERVAL_MS,
    unit: "ms",
    description: "How often one account may use the faucet. Sooner: `RATE_LIMITED`.",
  },
  {
    name: "RELAY_QUOTA_BYTES",
    value: RELAY_QUOTA_BYTES,
    unit: "bytes",
    description:
      "Payload bytes one peer may have relayed per window (signaling not counted). More: `RESOURCE_LIMIT_EXCEEDED`; peers should move to a direct channel.",
  },
  {
    name: "RELAY_QUOTA_WINDOW_MS",
    value: RELAY_QUOTA_WINDOW_MS,
    unit: "ms",
    description: "The window of `RELAY_QUOTA_BYTES`; the count starts again when it ends.",
  },
  {
    name: "MAX_TOPIC_BYTES",
    value: MAX_TOPIC_BYTES,
    unit: "bytes",
    description:
      "Longest topic name (UTF-8; not empty, no control characters; names starting with `$` are the network's). Longer: `BAD_REQUEST`.",
  },
  {
    name: "MAX_SUBSCRIPTIONS_PER_PEER",
    value: MAX_SUBSCRIPTIONS_PER_PEER,
    unit: "topics",
    description:
      "Topics one peer may be subscribed to at once. More: `RESOURCE_LIMIT_EXCEEDED`, not subscribed.",
  },
  {
    name: "MAX_PUBLISH_BYTES",
    value: MAX_PUBLISH_BYTES,
    unit: "bytes",
    description:
      "Largest `data` of one publish (UTF-8, or the base64url text of bytes). Larger: `FRAME_TOO_LARGE`, not published.",
  },
  {
    name: "PRESENCE_TIMEOUT_MS",
    value: PRESENCE_TIMEOUT_MS,
    unit: "ms",
    description:
      "A socket silent (no frame, no `ping`) is closed as dead, code 4002, and the peer announced as left, within this time (a sweep every fifth of it closes what was silent for three fifths). Also how long a gone peer's subscriptions and last-seen time are kept for a resume; past it nothing of the peer is kept but its mailbox.",
  },
  {
    name: "MAX_DISCOVERY_PEERS",
    value: MAX_DISCOVERY_PEERS,
    unit: "peers",
    description: "Most peers one `peers` request returns; a larger `count` is cut to it.",
  },
  {
    name: "DISCOVERY_SHARDS_PER_QUERY",
    value: DISCOVERY_SHARDS_PER_QUERY,
    unit: "shards",
    description:
      "Most shards one `peers` request samples, chosen at random, so that no request touches every shard.",
  },
  {
    name: "MAILBOX_TTL_MS",
    value: MAILBOX_TTL_MS,
    unit: "ms",
    description:
      "How long a message waits for an offline recipient. Then it is deleted and its sender gets a `mail.notice` with status `expired`.",
  },
  {
    name: "MAILBOX_MAX_MESSAGES",
    value: MAILBOX_MAX_MESSAGES,
    unit: "messages",
    description: "Messages waiting for one recipient. More: `MAILBOX_FULL`, not stored.",
  },
  {
    name: "MAX_MAIL_BYTES",
    value: MAX_MAIL_BYTES,
    unit: "bytes",
    description: "Largest `data` of one mailbox message. Larger: `FRAME_TOO_LARGE`, not stored.",
  },
];

/**
 * The default value of every limit, by name.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "./limits.ts";
 * console.assert(DEFAULT_LIMITS.MAX_FRAME_BYTES === 65536);
 * ```
 */
export const DEFAULT_LIMITS: Limits = Object.freeze(
  Object.fromEntries(LIMIT_SPECS.map((l) => [l.name, l.value])) as Record<LimitName, number>,
);

/**
 * Applies a network's overrides to the defaults.
 *
 * @param overrides Values by limit name; each a positive whole number.
 * @returns The limits in force.
 * @throws {RangeError} For an unknown name or a value that is not a positive whole number.
 *
 * @example Usage
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * const limits = resolveLimits({ RATE_LIMIT_FRAMES_PER_SECOND: 100 });
 * console.assert(limits.RATE_LIMIT_FRAMES_PER_SECOND === 100);
 * ```
 */
export function resolveLimits(overrides: Readonly<Record<string, unknown>> = {}): Limits {
  const limits: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in DEFAULT_LIMITS)) {
      throw new RangeError(`Cannot override limit "${name}": no such limit`);
    }
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(
        `Cannot override limit "${name}": value is ${
          JSON.stringify(value)
        }, expected a positive whole number`,
      );
    }
    limits[name] = value;
  }
  return Object.freeze(limits) as Limits;
}
