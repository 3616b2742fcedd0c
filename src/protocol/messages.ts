/**
 * Control messages: JSON text frames, validated by schema where they cross a boundary.
 * Payloads never travel as JSON; they use the binary frames of `frames.ts`.
 *
 * @module
 */
import { z } from "zod";
import type { Reply } from "./control_map.ts";
import type { BlockHeaderJson } from "./ledger_wire.ts";
import type { Limits } from "./limits.ts";
import type { Refusal } from "./refusal.ts";
import type { MailMessage, MailNotice, PresenceMessage, TopicMessage } from "./service_messages.ts";

/** The keepalive text frame a client sends; answered without waking the super-peer. */
export const KEEPALIVE_PING = "ping";
/** The answer to {@linkcode KEEPALIVE_PING}. */
export const KEEPALIVE_PONG = "pong";

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

/** The first message on every connection. */
export interface Welcome {
  /** Always `"welcome"`. */
  t: "welcome";
  /** The protocol version the super-peer speaks. */
  protocol: number;
  /** The network id. */
  network: string;
  /** The connected peer's id. */
  peer: string;
  /** An id of this connection. */
  session: string;
  /** The peer's home shard. */
  shard: number;
  /** The network's shard count. */
  shards: number;
  /** The limits in force. */
  limits: Limits;
  /** Whether the network sends this peer batch frames (it asked with `batch=1`). */
  batch?: boolean;
}

/**
 * An error reply: a frame or request was refused. It is a {@linkcode Refusal} with `t`, and
 * names what it refuses when that is known.
 */
export interface ErrorMessage extends Refusal {
  /** Always `"error"`. */
  t: "error";
  /** The sequence number of the refused frame, when known. */
  seq?: number;
  /** The destination of the refused frame, when known. */
  peer?: string;
  /** The id of the refused request, when it was one. */
  id?: number;
  /**
   * How many frames it refuses: the one of `seq` and those after it in its batch, refused
   * with it past a rate limit (absent: one).
   */
  count?: number;
}

/** What a refusal is about: a frame (its `seq` and destination) or a request (its `id`). */
export interface RefusalAbout {
  /** The sequence number of the refused frame. */
  seq?: number;
  /** The destination of the refused frame. */
  peer?: string;
  /** The id of the refused request. */
  id?: number;
  /** Frames refused with it: itself and the rest of its batch. */
  count?: number;
}

/** Any text message from a super-peer. */
export type ServerMessage =
  | Welcome
  | ErrorMessage
  | Reply
  | BlockMessage
  | TopicMessage
  | PresenceMessage
  | MailMessage
  | MailNotice;

/** A new block header of a shard the peer watches (see `docs/LEDGER.md` for the fields). */
export interface BlockMessage {
  /** Always `"block"`. */
  t: "block";
  /** The signed header. */
  header: BlockHeaderJson;
  /** The subscriber's home's number for it; acknowledge with `topic.ack`. */
  seq?: number;
}

/**
 * Builds the JSON text of an error reply.
 *
 * @param refused The refusal.
 * @param about The refused frame's `seq` and destination, or the refused request's `id`.
 * @returns The text frame.
 *
 * @example Usage
 * ```ts
 * import { errorReply } from "./messages.ts";
 * import { refusal } from "./refusal.ts";
 * const m = JSON.parse(errorReply(refusal("BAD_FRAME", "no"), { id: 3 }));
 * console.assert(m.t === "error" && m.ok === false && m.id === 3);
 * ```
 */
export function errorReply(refused: Refusal, about: RefusalAbout = {}): string {
  const { code, message, retryAfter } = refused;
  return JSON.stringify({ t: "error", ok: false, code, message, retryAfter, ...about });
}

/**
 * Parses a text frame from a super-peer. Returns `undefined` for anything not in the schema,
 * so that a newer network's extra messages do not break an older client.
 *
 * @param text The text frame.
 * @returns The message, or `undefined`.
 *
 * @example Usage
 * ```ts
 * import { parseServerMessage } from "./messages.ts";
 * console.assert(parseServerMessage("{}") === undefined);
 * ```
 */
export function parseServerMessage(text: string): ServerMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = ServerMessageSchema.safeParse(value);
  return result.success ? result.data as ServerMessage : undefined;
}
