/**
 * The price table: what each request costs its sender, in admission units, a part of
 * `limit_table.ts` kept apart so that the prices read as one table. One unit is about 10 µs of
 * a shard's time: each price is the time its request was measured to take (the `admission`
 * benchmark, `docs/BENCHMARKS.md`), the dearer of two ways of sending it (flat out, and one at
 * a time at the rate a peer's budget allows, where each request pays the runtime's whole cost
 * of an event), divided by that; a peer's sustained budget (`RATE_LIMIT_FRAMES_PER_SECOND`) is
 * then a share of a shard (`docs/SECURITY.md`). Which request pays which price is `prices.ts`.
 *
 * @module
 */
import type { LimitRow } from "./limit_row.ts";

/**
 * The price rows of the limit table.
 *
 * @example Usage
 * ```ts
 * import { PRICE_LIMITS } from "./limit_table_prices.ts";
 * console.assert(PRICE_LIMITS.COST_RELAY_FRAME.value > PRICE_LIMITS.COST_BATCH_ENTRY.value);
 * ```
 */
export const PRICE_LIMITS = {
  /** What a relayed binary frame costs its sender. */
  COST_RELAY_FRAME: {
    value: 17,
    unit: "units",
    description:
      "Cost of one binary message that is a relayed frame (signaling included). Sent alone at a peer's whole rate, a frame takes about 0.15 ms of the runtime (the dispatch of an event costs most of it); frames a client sends together go as one batch message (`COST_BATCH`).",
  },
  /** What a batch message costs, before its frames. */
  COST_BATCH: {
    value: 20,
    unit: "units",
    description:
      "Cost of a batch message itself, on top of its frames: it is read, split, and what it carries for each destination is gathered into batches of their own (sent alone, about 1.4 times a lone frame's time).",
  },
  /** What each frame inside a batch message costs. */
  COST_BATCH_ENTRY: {
    value: 1,
    unit: "units",
    description:
      "Cost of each frame inside a batch message, on top of the message's `COST_BATCH` (a mailed frame pays `COST_MAIL` instead).",
  },
  /** What a control request (or any text frame) costs its sender. */
  COST_REQUEST: {
    value: 33,
    unit: "units",
    description:
      "Cost of a text frame, charged before it is parsed: any text that is not a request, and every request without a price of its own (`lookup`, `topic.ack`, and the base of `mail.ack`). Given back at once for an acknowledgement of what the peer was handed, which its senders paid for.",
  },
  /** What a `routes` report costs. */
  COST_ROUTES: {
    value: 33,
    unit: "units",
    description:
      "Cost of a `routes` report: the peer's last counts are kept in memory and its TURN bytes added to its quota window. Sent by the client every `ROUTES_REPORT_MS` at most, when it has something to report.",
  },
  /** What reading an account costs. */
  COST_ACCOUNT: {
    value: 28,
    unit: "units",
    description:
      "Cost of an `account` request: the account's balance, nonce and pending credits are read from the shard's ledger.",
  },
  /** What a `tx` request costs, before its transfers. */
  COST_TX: {
    value: 200,
    unit: "units",
    description: "Cost of a `tx` frame, on top of its transfers: it waits for the ledger's write.",
  },
  /** What each transfer of a `tx` request costs, charged before any signature is checked. */
  COST_PER_TRANSFER: {
    value: 21,
    unit: "units",
    description:
      "Cost of each transfer in a submission, on top of `COST_TX` (or `COST_HTTP_TX`), charged before any signature is checked.",
  },
  /** What `POST /v1/tx` costs, before its transfers: the route's work at the edge comes on top. */
  COST_HTTP_TX: {
    value: 520,
    unit: "units",
    description:
      "Cost of a `POST /v1/tx` submission, on top of its transfers, from the client address's HTTP budget: the edge's reading, signature check and forwarding of the request, and the ledger's write (sent alone, about 5 ms for one transfer).",
  },
  /** What a publish costs: it goes to the topic's home, which fans it out. */
  COST_PUBLISH: {
    value: 160,
    unit: "units",
    description:
      "Cost of a `pub` request: the topic's home numbers it and hands it to the subscribing shards, each of which delivers it; sent one at a time, as a peer inside its limits sends them, each of those steps is an event of its own (about 1.2 ms in all, where 65 µs a publish is what they cost back to back).",
  },
  /** What a witness's cosignature costs: checked at the checkpoint's shard, kept, told. */
  COST_COSIGN: {
    value: 200,
    unit: "units",
    description:
      "Cost of a `cosign` request: at the checkpoint's shard, one Ed25519 check of the cosignature, a write, and a message to the shard's block watchers.",
  },
  /** What reporting evidence costs: up to four signature checks and a consistency check. */
  COST_EVIDENCE: {
    value: 100,
    unit: "units",
    description:
      "Cost of an `evidence` request: at the peer's home, the two checkpoints' signatures and a consistency proof checked, and, if it holds and is new, a publish on `$evidence`.",
  },
  /** What a read of a shard's log over the socket costs. */
  COST_LOG_READ: {
    value: 100,
    unit: "units",
    description:
      "Cost of a `log` request: a checkpoint, a consistency or inclusion proof, or a balance proof, read at the shard (a bucket of the state tree for a balance proof).",
  },
  /** What a subscription change costs: it is written down and told to the topic's home. */
  COST_SUBSCRIBE: {
    value: 120,
    unit: "units",
    description:
      "Cost of a `sub` or `unsub` request: the subscription is written down and the topic's home told.",
  },
  /** What watching a shard's blocks costs. */
  COST_BLOCKS: {
    value: 45,
    unit: "units",
    description:
      "Cost of a `blocks` request: the shard's head, and a subscription to its blocks (written once).",
  },
  /** What a discovery request costs: it asks several shards. */
  COST_PEERS_REQUEST: {
    value: 120,
    unit: "units",
    description: "Cost of a `peers` request, which asks up to `DISCOVERY_SHARDS_PER_QUERY` shards.",
  },
  /** What a mailbox message costs: it is stored. */
  COST_MAIL: {
    value: 160,
    unit: "units",
    description:
      "Cost of a `mail` request, or of a relayed frame that goes to a mailbox: it is stored at the recipient's home, and answered once its write is durable. Sent one at a time, as a peer inside its limits sends them, a mail to a new recipient on any shard each time takes about 0.9 ms of the network's time (the sender's home, the recipient's home, a commit each); back to back, 0.1-0.2 ms, since the writes of `WRITE_GROUP_MS` are committed together. It also pays for the message's end: its acknowledgement by the recipient (free to it) and the notice to its sender, about 0.06 ms more.",
  },
  /** What each 4 ids of a `mail.ack` cost: each id deletes a stored message, if it names one. */
  COST_MAIL_ACK_IDS: {
    value: 1,
    unit: "units",
    description:
      "Cost of each 4 ids (begun) in a `mail.ack`, on top of `COST_REQUEST`, charged before any is deleted: an id that names nothing stored costs about 1.7 µs. Free for as many ids as the peer's home handed it mail and notices since it connected (their senders paid): only ids past that count pay.",
  },
  /** What announcing or withdrawing a provider costs: the content's home writes it. */
  COST_PROVIDE: {
    value: 90,
    unit: "units",
    description:
      "Cost of a `provide` or `unprovide` request: the peer's home and the content's home write (or delete) the record.",
  },
  /** What each KiB of a `provide`'s `have` costs: it is parsed, decoded and counted. */
  COST_HAVE_KIB: {
    value: 4,
    unit: "units",
    description:
      "Cost of each KiB (begun) of a `provide`'s `have` (the pieces held, a bitfield in base64url), on top of `COST_PROVIDE`: the shard reads, decodes and counts it.",
  },
  /** What asking for providers costs. */
  COST_SWARM_REQUEST: {
    value: 80,
    unit: "units",
    description: "Cost of a `providers` request, which asks the content's home.",
  },
  /** What an HTTP read that wakes a shard costs, from the address's HTTP budget. */
  COST_HTTP_READ: {
    value: 300,
    unit: "units",
    description:
      "Cost of `GET /v1/accounts/:id` and the block routes, from the client address's HTTP budget (`ADDRESS_HTTP_UNITS_PER_SECOND`): each calls a shard.",
  },
  /** What looking a transfer up over HTTP costs, from the address's HTTP budget. */
  COST_HTTP_TX_LOOKUP: {
    value: 700,
    unit: "units",
    description:
      "Cost of `GET /v1/tx/:hash`, from the client address's HTTP budget: it may ask the hash's home which shard applied it, then that shard, which builds its proof.",
  },
  /** What a faucet request costs, from the address's HTTP budget. */
  COST_FAUCET: {
    value: 500,
    unit: "units",
    description:
      "Cost of `POST /v1/faucet`, from the client address's HTTP budget, before `FAUCET_ACCOUNTS_PER_ADDRESS` is counted.",
  },
} as const satisfies Record<string, LimitRow>;
