/**
 * The HTTP API's inputs and answers as zod schemas: the edge checks what it is sent with them,
 * and `openapi.ts` describes the API from the same schemas, so the description cannot drift
 * from what is checked. Each named schema is registered under its name, which becomes its
 * `components.schemas` entry.
 *
 * @module
 */
import { z } from "zod";
import { ERROR_CODES, PROTOCOL_VERSION } from "../../src/protocol/mod.ts";
import { isAccountId } from "../../src/ledger/mod.ts";
import { SLOT_COUNT } from "../../src/routing/mod.ts";

/** Every named schema, by its name in the document. */
export const API_SCHEMAS: z.core.$ZodRegistry<{ id: string; description: string }> = z
  .registry<{ id: string; description: string }>();

function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  const described = schema.describe(description) as T;
  API_SCHEMAS.add(described, { id, description });
  return described;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const decimal = z.string().regex(/^[0-9]{1,40}$/);
const int = z.number().int();
const count = z.number().int().nonnegative();

/** An account id: a peer id (`6Mk…`, base58btc of an Ed25519 key). */
export const AccountId = named(
  "AccountId",
  "An account id: the peer id of its key (base58btc, starting 6Mk).",
  z.string().min(40).max(64).refine(isAccountId, "Not an account id"),
);

/** Every refusal's body. */
export const Refusal = named(
  "Refusal",
  "A refusal: a stable code (PROTOCOL.md section 7) and a message for people.",
  z.object({
    ok: z.literal(false),
    code: z.enum(Object.keys(ERROR_CODES) as [string, ...string[]]),
    message: z.string(),
    retryAfter: z.number().nonnegative().optional(),
  }),
);

/** `GET /v1/health`. */
export const HealthAnswer = named(
  "HealthAnswer",
  "The Worker answers, and names its network.",
  z.object({ ok: z.literal(true), network: z.string() }),
);

const IceServer = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** The signed slot map (PROTOCOL.md section 3). */
const SlotMapSchema = named(
  "SlotMap",
  "Which shard holds each slot, at a version, signed by the network's map key (PROTOCOL.md section 3).",
  z.object({
    version: int.positive(),
    slots: z.literal(SLOT_COUNT),
    shards: int.positive(),
    base: int.positive().describe("Slot s is on shard s mod base, unless listed in moved."),
    moved: z.array(z.tuple([int, int])).describe("[slot, shard] pairs, ascending by slot."),
    key: z.string().describe("The map key's id, written like a peer id."),
    sig: z.string().describe(
      "Ed25519 signature, base64url, of the bytes in PROTOCOL.md section 3.",
    ),
  }),
);

/** `GET /v1/network`. */
export const NetworkInfo = named(
  "NetworkInfo",
  "The network's public facts: all a light client needs.",
  z.object({
    network: z.string(),
    shards: int.positive(),
    firstShards: int.positive(),
    protocol: z.literal(PROTOCOL_VERSION),
    shardKeys: z.array(z.string()),
    slotMap: SlotMapSchema.optional(),
    developmentSecret: z.boolean(),
    faucet: z.boolean(),
    iceServers: z.array(IceServer),
    admission: z.object({ mode: z.enum(["open", "closed"]), invitations: z.boolean() }),
  }),
);

// A row of the limits table, or of the constants of sealing.
const Row = z.object({
  name: z.string(),
  value: z.number(),
  unit: z.string(),
  description: z.string(),
});

/** `GET /v1/limits`. */
export const LimitsAnswer = named(
  "LimitsAnswer",
  "Every limit with the value in force (PROTOCOL.md section 8), and the constants of sealing (section 13).",
  z.object({
    protocol: int,
    limits: z.array(Row),
    sealing: z.array(Row),
  }),
);

/** A transfer, signed by its payer. */
export const Transfer = named(
  "Transfer",
  "A transfer signed by its payer (LEDGER.md).",
  z.object({
    network: z.string(),
    from: z.string(),
    to: z.string(),
    amount: decimal,
    nonce: count,
    sig: z.string(),
  }),
);

// A transfer applied, and one refused (the refusal names its hash when it parsed that far).
const Applied = z.object({
  ok: z.literal(true),
  hash: hex64,
  status: z.enum(["pending", "credited"]),
  shard: count,
});
const RefusedTx = Refusal.extend({ hash: hex64.optional() });

/** What became of one transfer. */
export const TxOutcome = named(
  "TxOutcome",
  "Applied (with its hash) or refused (with its code).",
  z.union([Applied, RefusedTx]),
);

/** `POST /v1/faucet`: paid, with what and to whom, or refused. */
export const FaucetAnswer = named(
  "FaucetAnswer",
  "Paid (the amount, the account, and the payment's hash to look up like a transfer's) or refused (with its code).",
  z.union([
    Applied.extend({ amount: z.string().regex(/^[0-9]+$/), account: z.string() }),
    RefusedTx,
  ]),
);

/** `POST /v1/tx`'s body: one transfer or a batch. */
export const TxSubmitBody = named(
  "TxSubmitBody",
  "One transfer, or a batch of at most MAX_TX_BATCH.",
  z.union([Transfer, z.array(Transfer)]),
);

/** `POST /v1/tx`. */
export const TxSubmitAnswer = named(
  "TxSubmitAnswer",
  "One outcome per transfer, in order.",
  z.object({ results: z.array(TxOutcome) }),
);

/** `GET /v1/accounts/:id`. */
export const AccountView = named(
  "AccountView",
  "An account: balance (decimal string), nonce of its last transfer, home shard.",
  z.object({ id: z.string(), balance: decimal, nonce: count, shard: count }),
);

/** A signed block header. */
export const BlockHeader = named(
  "BlockHeader",
  "A block's header, signed by its shard's key (LEDGER.md).",
  z.object({
    network: z.string(),
    shard: count,
    height: int.positive(),
    prev: hex64,
    txRoot: hex64,
    receiptsRoot: hex64,
    entries: count,
    receipts: count,
    timestamp: count,
    sig: z.string(),
  }),
);

/** `GET /v1/shards/:k/head`. */
export const HeadAnswer = named(
  "HeadAnswer",
  "A shard's latest signed header, or null before its first block.",
  z.object({ shard: count, head: BlockHeader.nullable() }),
);

const Mint = z.object({ network: z.string(), to: z.string(), amount: decimal, at: count });
const proofPath = { index: count, header: BlockHeader, proof: z.array(hex64) };

const base64Hash = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, "A hash in standard base64");

/** `GET /v1/shards/:k/checkpoints/:height`. */
export const CheckpointAnswer = named(
  "CheckpointAnswer",
  "A block's checkpoint of its shard's log: a C2SP signed note (docs/LEDGER.md).",
  z.object({
    shard: count,
    height: count,
    size: count,
    state: z.boolean(),
    checkpoint: z.string(),
  }),
);

/** `GET /v1/shards/:k/consistency/:from/:to`. */
export const ConsistencyAnswer = named(
  "ConsistencyAnswer",
  "The proof that the log's tree at `from` is a prefix of its tree at `to` (RFC 9162 2.1.4).",
  z.object({
    shard: count,
    from: count,
    to: count,
    fromRoot: base64Hash,
    toRoot: base64Hash,
    proof: z.array(base64Hash),
  }),
);

/** `GET /v1/shards/:k/inclusion/:index/:size`. */
export const InclusionAnswer = named(
  "InclusionAnswer",
  "The audit path of one log entry in the log's tree of a size (RFC 9162 2.1.3).",
  z.object({ shard: count, index: count, size: count, proof: z.array(base64Hash) }),
);

/** `GET /v1/accounts/:id/proof`. */
export const BalanceAnswer = named(
  "BalanceAnswer",
  "An account's state (or absence) at its home, proven against the state root of a checkpoint.",
  z.object({
    shard: count,
    checkpoint: z.string(),
    proof: z.object({
      account: z.string(),
      balance: decimal.nullable(),
      nonce: count.nullable(),
      proof: z.string(),
    }),
  }),
);

/** `GET /v1/tx/:hash`. */
export const TxStatus = named(
  "TxStatus",
  "Where a transfer (or faucet payment) stands, with its proof once sealed.",
  z.object({
    hash: hex64,
    status: z.enum(["pending", "credited"]),
    block: int.positive().nullable(),
    index: count.nullable(),
    proof: z.union([
      z.object({ ...proofPath, tx: Transfer }),
      z.object({ ...proofPath, mint: Mint }),
    ]).nullable(),
    tx: Transfer.optional(),
    mint: Mint.optional(),
    log: z.object({ index: count, size: count }).optional(),
  }),
);

/** `POST /v1/faucet`'s body. */
export const FaucetBody = named(
  "FaucetBody",
  "The account to pay.",
  z.object({ account: AccountId }),
);

/** `GET /v1/shards/:k/stats`. */
export const StatsAnswer = named(
  "StatsAnswer",
  "One shard's figures: counters since it last started, and what it holds now.",
  z.object({
    shard: count,
    peers: count,
    occupied: z.boolean(),
    framesIn: count,
    payloadBytesIn: count,
    delivered: count,
    forwarded: count,
    refused: count,
    refusals: z.record(z.string(), count),
    directOffers: count,
    directAnswers: count,
    turnBytes: count,
    routes: z.object({ direct: count, turn: count, relay: count }),
    turnPeers: count,
    turnPeerMaxBytes: count,
    transfersApplied: count,
    blocksSealed: count,
    statsCalls: count,
    head: z.object({ height: int.positive(), entries: count, timestamp: count }).nullable(),
    receiptsPending: count,
    mailWaiting: count,
    subscriptions: count,
    topicBacklog: count,
  }),
);

/** A shard in a path: a whole number below the shard count. */
export const ShardParam = z.string().regex(/^[0-9]{1,4}$/, "A shard is a whole number");
/** A block height in a path: decimal digits from 1. */
export const HeightParam = z.string().regex(
  /^[1-9][0-9]{0,15}$/,
  "A height is a whole number from 1, in decimal",
);
/** A log size or entry index in a path: decimal digits, no leading zero. */
export const SizeParam = z.string().regex(
  /^(0|[1-9][0-9]{0,15})$/,
  "A size or index is a whole number, in decimal",
);
/** A transfer's hash in a path. */
export const HashParam = z.string().regex(
  /^[0-9a-f]{64}$/,
  "A transfer hash is 64 hex characters",
);
/** The hello's query parameters (PROTOCOL.md section 4). */
export const HelloQuery = {
  network: z.string().describe("The network id (from GET /v1/network)."),
  peer: z.string().describe("The connecting peer's id."),
  ts: z.string().describe("Milliseconds since the Unix epoch, decimal."),
  nonce: z.string().describe("16 random bytes, base64url without padding, fresh per attempt."),
  sig: z.string().describe("The Ed25519 signature of the hello, base64url without padding."),
};
