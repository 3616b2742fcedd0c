/**
 * The network's text messages to a peer as a zod schema: the reference that the client's
 * hand-written checks (`src/protocol/messages.ts`) are held to by
 * `test/protocol/server_checks_test.ts` and the fuzz suite. Kept beside the tests, not in the
 * package: a client carries no schema library.
 *
 * @module
 */
import { z } from "zod";

// The welcome a super-peer sends first on every connection.
const WelcomeSchema = z.object({
  t: z.literal("welcome"),
  protocol: z.number().int(),
  network: z.string(),
  peer: z.string(),
  session: z.string(),
  shard: z.number().int().nonnegative(),
  shards: z.number().int().positive(),
  limits: z.record(z.string(), z.number()),
  batch: z.boolean().optional(),
});

// An error reply.
const ErrorMessageSchema = z.object({
  t: z.literal("error"),
  ok: z.literal(false).optional(),
  code: z.string(),
  message: z.string(),
  seq: z.number().int().nonnegative().optional(),
  peer: z.string().optional(),
  id: z.number().int().nonnegative().optional(),
  retryAfter: z.number().nonnegative().optional(),
  count: z.number().int().positive().optional(),
});

// Any text message a super-peer sends.
// Answers to a peer's requests, matched by the id it chose.
const TxResultSchema = z.object({
  t: z.literal("tx.result"),
  id: z.number().int().nonnegative(),
  results: z.array(z.looseObject({ ok: z.boolean() })),
});
const AccountResultSchema = z.object({
  t: z.literal("account.result"),
  id: z.number().int().nonnegative(),
  account: z.object({ id: z.string(), balance: z.string(), nonce: z.number(), shard: z.number() }),
});

const HeaderSchema = z.object({
  network: z.string(),
  shard: z.number().int().nonnegative(),
  height: z.number().int().positive(),
  prev: z.string(),
  txRoot: z.string(),
  receiptsRoot: z.string(),
  entries: z.number().int().nonnegative(),
  receipts: z.number().int().nonnegative(),
  timestamp: z.number().int(),
  sig: z.string(),
});
const BlocksResultSchema = z.object({
  t: z.literal("blocks.result"),
  id: z.number().int().nonnegative(),
  shard: z.number().int().nonnegative(),
  head: HeaderSchema.nullable(),
});
// The number a subscriber's home gives each topic message, acknowledged with `topic.ack`.
const topicSeq = z.number().int().nonnegative().optional();
const BlockSchema = z.object({ t: z.literal("block"), header: HeaderSchema, seq: topicSeq });

const id = z.number().int().nonnegative();
const PeerInfoSchema = z.object({ peer: z.string(), shard: z.number().int().nonnegative() });

// Service messages a super-peer sends.
const SERVICE_MESSAGE_SCHEMAS = [
  z.object({ t: z.literal("sub.result"), id, topic: z.string() }),
  z.object({ t: z.literal("unsub.result"), id, topic: z.string() }),
  z.object({
    t: z.literal("pub.result"),
    id,
    topic: z.string(),
    n: z.number(),
    duplicate: z.boolean(),
  }),
  z.object({ t: z.literal("peers.result"), id, peers: z.array(PeerInfoSchema) }),
  z.object({ t: z.literal("provide.result"), id, root: z.string(), expires: z.number() }),
  z.object({ t: z.literal("unprovide.result"), id, root: z.string() }),
  z.object({
    t: z.literal("providers.result"),
    id,
    root: z.string(),
    providers: z.array(
      z.object({
        peer: z.string(),
        shard: z.number().int().nonnegative(),
        pieces: z.number().int().nonnegative(),
      }),
    ),
  }),
  z.object({
    t: z.literal("lookup.result"),
    id,
    peer: z.string(),
    shard: z.number().int().nonnegative(),
    online: z.boolean(),
    lastSeen: z.number().nullable(),
  }),
  z.object({
    t: z.literal("mail.result"),
    id,
    mid: z.string(),
    status: z.enum(["delivered", "stored"]),
  }),
  z.object({
    t: z.literal("topic"),
    topic: z.string(),
    from: z.string(),
    n: z.number(),
    data: z.string(),
    bin: z.boolean().optional(),
    sealed: z.boolean().optional(),
    sig: z.string().optional(),
    seq: topicSeq,
  }),
  z.object({
    t: z.literal("presence"),
    peer: z.string(),
    event: z.enum(["join", "leave"]),
    shard: z.number().int().nonnegative(),
    ts: z.number(),
    seq: topicSeq,
  }),
  z.object({
    t: z.literal("mail"),
    mid: z.string(),
    from: z.string(),
    ts: z.number(),
    data: z.string(),
    bin: z.boolean().optional(),
    sealed: z.boolean().optional(),
  }),
  z.object({
    t: z.literal("mail.notice"),
    mid: z.string(),
    ref: z.string(),
    to: z.string(),
    status: z.enum(["delivered", "expired"]),
    ts: z.number(),
  }),
] as const;

const ServerMessageSchema = z.discriminatedUnion("t", [
  WelcomeSchema,
  ErrorMessageSchema,
  TxResultSchema,
  AccountResultSchema,
  BlocksResultSchema,
  BlockSchema,
  ...SERVICE_MESSAGE_SCHEMAS,
]);

/**
 * Every message a super-peer sends, by `t`.
 *
 * @example Usage
 * ```ts
 * import { ServerMessageSchema } from "./server_message_schema.ts";
 * console.assert(!ServerMessageSchema.safeParse({ t: "nothing" }).success);
 * ```
 */
export { ServerMessageSchema };
