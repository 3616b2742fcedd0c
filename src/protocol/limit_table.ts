/**
 * The data of every limit, written once: default, unit and meaning. `limits.ts` derives the
 * names, the served table and the constants from it.
 *
 * @module
 */

import { LOG_LIMITS } from "./limit_table_log.ts";
import type { LimitRow } from "./limit_row.ts";
import type { LimitName } from "./limit_values.ts";
import { ADMISSION_LIMITS } from "./limit_table_admission.ts";
import { MAIL_LIMITS } from "./limit_table_mail.ts";
import { OBSERVE_LIMITS } from "./limit_table_observe.ts";
import { PLACEMENT_LIMITS } from "./limit_table_placement.ts";
import { PRICE_LIMITS } from "./limit_table_prices.ts";
import { SWARM_LIMITS } from "./limit_table_swarm.ts";
import { TURN_LIMITS } from "./limit_table_turn.ts";

export type { LimitRow, LimitUnit } from "./limit_row.ts";

// The limits of frames, connections and the relay; the other rooms' are in files of their own.
const CORE_LIMITS = {
  /** Largest binary frame a peer may send or receive, header included. */
  MAX_FRAME_BYTES: {
    value: 65_536,
    unit: "bytes",
    description: "Largest binary frame, header included. Larger: `FRAME_TOO_LARGE`, frame dropped.",
  },
  /** Most frames in one batch (one WebSocket message holding several binary frames). */
  MAX_BATCH_FRAMES: {
    value: 256,
    unit: "frames",
    description:
      "Most frames in one batch message (section 5). Frames past it: `BATCH_TOO_LARGE`, each refused alone.",
  },
  /** Largest batch message, its entries' lengths included. */
  MAX_BATCH_BYTES: {
    value: 262_144,
    unit: "bytes",
    description:
      "Largest batch message. Frames that end past it: `BATCH_TOO_LARGE`, each refused alone.",
  },
  /** Largest text (JSON control) frame a peer may send. */
  MAX_CONTROL_FRAME_BYTES: {
    value: 131_072,
    unit: "bytes",
    description: "Largest text (JSON control) frame. Larger: `FRAME_TOO_LARGE`, frame dropped.",
  },
  /** Most connections open at once from one client address. */
  MAX_CONNECTIONS_PER_ADDRESS: {
    value: 1_024,
    unit: "connections",
    description:
      "Connections open at once from one client address, over all shards. More: HTTP 429 `TOO_MANY_CONNECTIONS`.",
  },
  /** Sustained hellos per minute from one client address. */
  ADDRESS_HELLOS_PER_MINUTE: {
    value: 600,
    unit: "hellos/min",
    description:
      "Sustained connection attempts (valid hellos) per minute from one client address. More: HTTP 429 `RATE_LIMITED` with `retryAfter`.",
  },
  /** Hellos one client address may send in a burst. */
  ADDRESS_HELLO_BURST: {
    value: 1_200,
    unit: "hellos",
    description: "Burst of connection attempts from one client address above the sustained rate.",
  },
  /** Sustained HTTP work per second from one client address, in units. */
  ADDRESS_HTTP_UNITS_PER_SECOND: {
    value: 2_500,
    unit: "units/s",
    description:
      "Sustained cost per second of the HTTP routes that make a shard work, per client address, kept at the address's home: `POST /v1/tx` costs `COST_HTTP_TX` plus `COST_PER_TRANSFER` per transfer, charged before any is checked; `GET /v1/accounts/:id` and the block routes `COST_HTTP_READ`, `GET /v1/tx/:hash` `COST_HTTP_TX_LOOKUP`; `POST /v1/faucet` `COST_FAUCET`. More: HTTP 429 `RATE_LIMITED` with `retryAfter`.",
  },
  /** HTTP work one client address may ask in a burst above the sustained rate. */
  ADDRESS_HTTP_BURST_UNITS: {
    value: 10_000,
    unit: "units",
    description: "Burst of HTTP work per client address above the sustained rate.",
  },
  /** Hellos and HTTP writes one client address may send per 10 s before the edge sheds them. */
  EDGE_REQUESTS_PER_10_SECONDS: {
    value: 1_000,
    unit: "requests",
    description:
      "Hellos (`/v1/connect`) and HTTP writes (`POST /v1/tx`, `POST /v1/faucet`) per client address per 10 s window, counted at the edge by Cloudflare's Rate Limiting binding (`[[ratelimits]]` in `wrangler.toml`, which must say the same). More: HTTP 429 `RATE_LIMITED` with `retryAfter`, before any super-peer wakes.",
  },
  /** How many leading bits of an IPv6 client address the per-address limits count it by. */
  IPV6_PREFIX_BITS: {
    value: 64,
    unit: "bits",
    description:
      "An IPv6 client address counts, for every per-address limit, as its first this many bits (a /64: one subscriber's addresses are one address). IPv4 addresses count whole.",
  },
  /** How old a hello's timestamp may be when the edge checks it. */
  HELLO_MAX_AGE_MS: {
    value: 60_000,
    unit: "ms",
    description: "How old a hello's timestamp may be. Older: HTTP 401 `HELLO_STALE`.",
  },
  /** How far ahead of the edge's clock a hello's timestamp may be. */
  MAX_CLOCK_SKEW_MS: {
    value: 30_000,
    unit: "ms",
    description:
      "How far in the future a hello's timestamp may be. Further: HTTP 401 `HELLO_STALE`.",
  },
  /** Interval at which a client sends the keepalive `ping`. */
  KEEPALIVE_INTERVAL_MS: {
    value: 15_000,
    unit: "ms",
    description:
      "How often a client sends the text frame `ping` (answered `pong` without waking the super-peer).",
  },
  /** A connection with no inbound traffic for this long is considered dead by the client. */
  KEEPALIVE_TIMEOUT_MS: {
    value: 45_000,
    unit: "ms",
    description: "Silence after which a client drops the connection and reconnects.",
  },
  /** Frames a super-peer queues for one other shard before refusing more with `OVERLOADED`. */
  MAX_SHARD_QUEUE_FRAMES: {
    value: 8_192,
    unit: "frames",
    description:
      "Frames a super-peer holds for one other shard. More: `OVERLOADED`, frame dropped.",
  },
  /** Most frames a super-peer hands to another shard in one call. */
  MAX_RELAY_BATCH_FRAMES: {
    value: 512,
    unit: "frames",
    description: "Most frames a super-peer passes to another shard in one call.",
  },
  /** Frames a client queues while it is not connected, by default. */
  DEFAULT_SEND_QUEUE_FRAMES: {
    value: 1_024,
    unit: "frames",
    description: 'Frames a client queues while disconnected. More: `send()` returns `"dropped"`.',
  },
  /** Sustained frames per second one peer may send before `RATE_LIMITED`. */
  RATE_LIMIT_FRAMES_PER_SECOND: {
    value: 1_750,
    unit: "units/s",
    description:
      "Sustained cost per second per peer (one unit is about 10 µs of a shard's time, so this is about 1.75% of a shard: about a third of the 5% a peer is held to, since a price may stand within 3x of its cost, a request sent alone costs the runtime a wake that requests sent together share, and a machine's speed moves by half from day to day), every frame text or binary: a relayed frame costs `COST_RELAY_FRAME`, a request its price (the `COST_*` rows). More: `RATE_LIMITED` with `retryAfter`, dropped; a refused frame still takes half its cost, down to a quarter burst of debt (a penalty that decays). Kept per peer at its home, across reconnects and restarts.",
  },
  /** Frames one peer may send in a burst above the sustained rate. */
  RATE_LIMIT_BURST_FRAMES: {
    value: 10_000,
    unit: "units",
    description: "Burst of cost units per peer above the sustained rate.",
  },
  /** Sustained bytes per second one peer may send before `RATE_LIMITED`. */
  RATE_LIMIT_BYTES_PER_SECOND: {
    value: 8_388_608,
    unit: "bytes/s",
    description: "Sustained bytes per second per peer. More: `RATE_LIMITED`, frame dropped.",
  },
  /** Bytes one peer may send in a burst above the sustained rate. */
  RATE_LIMIT_BURST_BYTES: {
    value: 16_777_216,
    unit: "bytes",
    description: "Burst of bytes per peer above the sustained rate.",
  },
  /** Sustained cost units per second all peers of one client address may spend at one shard. */
  ADDRESS_UNITS_PER_SECOND: {
    value: 5_250,
    unit: "units/s",
    description:
      "Sustained cost per second of all the peers connected from one client address, at one shard, on top of each peer's own limit: identities are free, an address is not. More: `RATE_LIMITED` with `retryAfter`, as for a peer's own limit, but with no penalty on this shared bucket (the frame paid its peer's own).",
  },
  /** Cost units the peers of one client address may spend at one shard in a burst. */
  ADDRESS_BURST_UNITS: {
    value: 30_000,
    unit: "units",
    description: "Burst of cost per client address at one shard above its sustained rate.",
  },
  /** Cost units per second all the peers of one shard may spend before the heavy ones wait. */
  SHARD_UNITS_PER_SECOND: {
    value: 50_000,
    unit: "units/s",
    description:
      "The shard's own budget, about half its time: what all its peers' admitted requests draw from. Past it (and its burst), a peer that spent more than a tenth of its own burst lately is refused `RATE_LIMITED`, with a `retryAfter` of at least the time the shard takes to regain a tenth of its burst (20 ms at the defaults), so that a crowd retrying at once does not spend the shard on refusals; a peer that spent little still passes, so many flooders together cannot starve a bystander.",
  },
  /** Cost units a shard's peers may spend in a burst above its sustained budget. */
  SHARD_BURST_UNITS: {
    value: 10_000,
    unit: "units",
    description: "Burst of the shard's own budget above `SHARD_UNITS_PER_SECOND`.",
  },
  /** Automatic answers (sealed kinds 5 and 6) per second one peer may send, free. */
  ANSWER_FRAMES_PER_SECOND: {
    value: 64,
    unit: "frames/s",
    description:
      "Automatic answers one peer may have relayed per second: sealed frames of kind 5 (`no such session`) or 6 (`I do not seal`), which a peer sends because another wrote to it. They are not charged to its budget and never count toward a `FLOODING` close; past this rate they are dropped silently.",
  },
  /** Automatic answers one peer may send in a burst. */
  ANSWER_BURST_FRAMES: {
    value: 256,
    unit: "frames",
    description: "Burst of automatic answers per peer above `ANSWER_FRAMES_PER_SECOND`.",
  },
  /** Refusals in a row, for being over its rate limit, after which a peer's socket is closed. */
  MAX_REFUSALS_BEFORE_CLOSE: {
    value: 64,
    unit: "frames",
    description:
      "`RATE_LIMITED` refusals in a row, of frames that came before the wait the last heeded refusal named, after which the super-peer closes the peer's socket (close code 4003 `FLOODING`): a flood is not read and answered frame by frame, and a peer that waits out every `retryAfter` is never closed. The peer's limits are kept across the reconnect.",
  },
  /** How long a peer closed for flooding is refused a new connection. */
  FLOOD_COOLDOWN_MS: {
    value: 10_000,
    unit: "ms",
    description:
      "After a 4003 `FLOODING` close, the peer's home refuses its new connections for this long, at once: HTTP 429 `RATE_LIMITED` with `retryAfter` (also to the plain GET that asks why an upgrade failed). A flooder that reconnects at once costs a refusal, not a socket.",
  },
  /** Largest amount one transfer may move. */
  MAX_TRANSFER_AMOUNT: {
    value: 1_000_000_000_000_000,
    unit: "units",
    description:
      "Largest amount of one transfer. More (or zero, negative, fractional): `TX_BAD_AMOUNT`.",
  },
  /** How often a shard seals its pending ledger entries into a block. */
  BLOCK_INTERVAL_MS: {
    value: 1_000,
    unit: "ms",
    description:
      "How often a shard seals pending entries into a signed block (and, when one is owed, a block of no entries for accounts changed with none: `LEDGER.md`).",
  },
  /** Most entries (transfers and credits) in one block. */
  MAX_BLOCK_ENTRIES: {
    value: 1_024,
    unit: "entries",
    description:
      "Most entries in one block; the rest wait for the next, sealed at once after a full block.",
  },
  /** Most transfers in one submission (one frame or one `POST /v1/tx`). */
  MAX_TX_BATCH: {
    value: 256,
    unit: "transfers",
    description: "Most transfers in one submission. More: `TX_BATCH_TOO_LARGE`, nothing applied.",
  },
  /** How long a shard waits before pushing unacknowledged cross-shard receipts again. */
  RECEIPT_RETRY_MS: {
    value: 1_000,
    unit: "ms",
    description: "Delay before a shard pushes unacknowledged cross-shard receipts again.",
  },
  /** Most receipts pushed to another shard in one call. */
  MAX_RECEIPT_BATCH: {
    value: 256,
    unit: "receipts",
    description: "Most receipts pushed to another shard in one call.",
  },
  /** What one faucet request pays, on a network that enables the faucet. */
  FAUCET_AMOUNT: {
    value: 1_000,
    unit: "units",
    description: "What one faucet request pays (faucet networks only).",
  },
  /** How often one account may use the faucet. */
  FAUCET_INTERVAL_MS: {
    value: 60_000,
    unit: "ms",
    description: "How often one account may use the faucet. Sooner: `RATE_LIMITED`.",
  },
  /** Accounts the faucet pays from one client address per `FAUCET_INTERVAL_MS`. */
  FAUCET_ACCOUNTS_PER_ADDRESS: {
    value: 8,
    unit: "accounts",
    description:
      "Accounts the faucet pays from one client address per `FAUCET_INTERVAL_MS` (each account once). More: HTTP 429 `RATE_LIMITED` with `retryAfter`.",
  },
  /** Payload bytes one peer may have relayed per quota window; past it, go direct. */
  RELAY_QUOTA_BYTES: {
    value: 67_108_864,
    unit: "bytes",
    description:
      "Payload bytes one peer may have relayed per window (signaling not counted). More: `RESOURCE_LIMIT_EXCEEDED`; peers should move to a direct channel.",
  },
  /** The window of {@linkcode RELAY_QUOTA_BYTES}. */
  RELAY_QUOTA_WINDOW_MS: {
    value: 60_000,
    unit: "ms",
    description: "The window of `RELAY_QUOTA_BYTES`; the count starts again when it ends.",
  },
  /** Longest topic name, in UTF-8 bytes. */
  MAX_TOPIC_BYTES: {
    value: 128,
    unit: "bytes",
    description:
      "Longest topic name (UTF-8; not empty, no control characters; names starting with `$` are the network's). Longer: `BAD_REQUEST`.",
  },
  /** How long a topic's home remembers a publisher's last number after its last publish. */
  TOPIC_MEMORY_MS: {
    value: 3_600_000,
    unit: "ms",
    description:
      "How long a topic's home keeps a publisher's last number (for dropping repeats) after its last publish on that topic; then it is forgotten.",
  },
  /** Most (topic, publisher) numbers one shard remembers. */
  MAX_TOPIC_PUBLISHERS_PER_SHARD: {
    value: 65_536,
    unit: "entries",
    description:
      "Most (topic, publisher) last numbers one shard keeps, whatever the topics; past it the least recently used go first.",
  },
  /** Most topic messages a topic's home holds on their way to subscribing shards. */
  MAX_FANOUT_PENDING: {
    value: 65_536,
    unit: "messages",
    description:
      "Messages a topic's home has taken and not yet handed to every subscribing shard (kept until each has it, through restarts). More: `pub` refused with `OVERLOADED`.",
  },
  /** Most topic messages a shard keeps for its subscribers until they acknowledge them. */
  TOPIC_BACKLOG_MESSAGES: {
    value: 16_384,
    unit: "messages",
    description:
      "Topic messages one shard keeps for its subscribers until each acknowledged them (`topic.ack`), to send again to one that reconnects; also kept at most `PRESENCE_TIMEOUT_MS`. More: the oldest go first, and a subscriber away that long misses them.",
  },
  /** Most bytes of topic messages a shard keeps for its subscribers. */
  TOPIC_BACKLOG_BYTES: {
    value: 16_777_216,
    unit: "bytes",
    description:
      "Bytes of the topic messages one shard keeps for its subscribers until they acknowledge them. More: the oldest go first.",
  },
  /** Most topics one peer may be subscribed to at once. */
  MAX_SUBSCRIPTIONS_PER_PEER: {
    value: 64,
    unit: "topics",
    description:
      "Topics one peer may be subscribed to at once. More: `RESOURCE_LIMIT_EXCEEDED`, not subscribed.",
  },
  /** How long a shard gathers the writes a flood could send one per request. */
  WRITE_GROUP_MS: {
    value: 20,
    unit: "ms",
    description:
      "How long a shard gathers the writes that a flood could send one per request (`sub`, `unsub`, `mail` and mailed frames, mail notices, `mail.ack`, `topic.ack`, `provide`, `unprovide`, provider records at a content's home) to commit them in one go: a durable commit holds every answer the shard sends meanwhile, so one commit per request would hold every other peer's answers behind a flood of them. A request that writes is answered once its write is durable, at most this much later than alone (a `provide` whose content lives on the same shard: twice).",
  },
  /** Largest payload of one publish, in UTF-8 bytes of its `data` field. */
  MAX_PUBLISH_BYTES: {
    value: 16_384,
    unit: "bytes",
    description:
      "Largest `data` of one publish (UTF-8, or the base64url text of bytes). Larger: `FRAME_TOO_LARGE`, not published.",
  },
  /** Within this time of its last frame or keepalive, a super-peer closes a silent socket. */
  PRESENCE_TIMEOUT_MS: {
    value: 60_000,
    unit: "ms",
    description:
      "A socket silent (no frame, no `ping`) is closed as dead, code 4002, and the peer announced as left, within this time (a sweep every fifth of it closes what was silent for three fifths). Also how long a gone peer's subscriptions and last-seen time are kept for a resume; past it nothing of the peer is kept but its mailbox.",
  },
  /** Most peers one discovery request returns. */
  MAX_DISCOVERY_PEERS: {
    value: 64,
    unit: "peers",
    description: "Most peers one `peers` request returns; a larger `count` is cut to it.",
  },
  /** Most shards one discovery request asks, whatever the shard count. */
  DISCOVERY_SHARDS_PER_QUERY: {
    value: 8,
    unit: "shards",
    description:
      "Most shards one `peers` request asks, chosen at random among those with peers online (with subscribers, for a topic): all of them on a network with this many or fewer, a bounded sample on a larger one.",
  },
} as const satisfies Record<string, LimitRow>;

/**
 * Every limit, once: its default value, unit and meaning, in documentation order (the rows
 * above, then mail's, the prices, file sharing's, observability's, placement's, routes and TURN,
 * admission's and the shards' logs'). The names,
 * `LIMIT_SPECS` (the served and documented table) and the values (`limit_values.ts`, checked
 * against it) are all derived from it. Built by a call marked pure, so that a bundle that reads
 * only the values (the client) leaves the table and its texts out.
 */
export const LIMIT_TABLE: Readonly<Record<LimitName, LimitRow>> = /* @__PURE__ */ joinTables(
  CORE_LIMITS,
  MAIL_LIMITS,
  PRICE_LIMITS,
  SWARM_LIMITS,
  OBSERVE_LIMITS,
  PLACEMENT_LIMITS,
  TURN_LIMITS,
  ADMISSION_LIMITS,
  LOG_LIMITS,
);

function joinTables(...tables: Record<string, LimitRow>[]): Record<LimitName, LimitRow> {
  return Object.assign({}, ...tables);
}
