/**
 * The network services' control messages: pub/sub, presence, discovery and the mailbox.
 * JSON text frames, validated by schema on both sides (see `docs/PROTOCOL.md` section 11).
 *
 * @module
 */
import { z } from "zod";

/** The topic on which every shard announces its peers' joins and leaves. */
export const PRESENCE_TOPIC = "$presence";

/** The start of each shard's block topic: `$blocks/<shard>`. */
export const BLOCKS_TOPIC_PREFIX = "$blocks/";

/**
 * The topic on which a shard announces each block it seals, as `{"t":"block","header":…}`.
 *
 * @example Usage
 * ```ts
 * import { blocksTopic } from "./services.ts";
 * console.assert(blocksTopic(3) === "$blocks/3");
 * ```
 *
 * @param shard The shard.
 * @returns Its block topic.
 */
export function blocksTopic(shard: number): string {
  return `${BLOCKS_TOPIC_PREFIX}${shard}`;
}

const utf8 = new TextEncoder();

/**
 * Whether a string is over `max` bytes as UTF-8, without encoding it when its length alone
 * decides (a UTF-16 length is a lower bound of the UTF-8 size, three times it an upper bound).
 *
 * @example Usage
 * ```ts
 * import { overUtf8Bytes } from "./services.ts";
 * console.assert(!overUtf8Bytes("héllo", 6));
 * console.assert(overUtf8Bytes("héllo", 5));
 * ```
 *
 * @param text The string.
 * @param max The most bytes allowed.
 * @returns Whether it is larger.
 */
export function overUtf8Bytes(text: string, max: number): boolean {
  return text.length > max || (text.length * 3 > max && utf8.encode(text).length > max);
}

/**
 * Whether a string is a valid topic name: not empty, at most `maxBytes` UTF-8 bytes, no
 * control characters. Names starting with `$` are the network's own.
 *
 * @example Usage
 * ```ts
 * import { isTopic } from "./services.ts";
 * console.assert(isTopic("news", 128));
 * console.assert(!isTopic("", 128));
 * ```
 *
 * @param topic The name.
 * @param maxBytes `MAX_TOPIC_BYTES`.
 * @returns Whether it is valid.
 */
export function isTopic(topic: unknown, maxBytes: number): topic is string {
  return typeof topic === "string" && topic.length > 0 && topic.length <= maxBytes &&
    // deno-lint-ignore no-control-regex
    !/[\u0000-\u001f\u007f]/.test(topic) && utf8.encode(topic).length <= maxBytes;
}

/**
 * Whether a topic is the network's own (peers may subscribe to it, not publish).
 *
 * @example Usage
 * ```ts
 * import { isReservedTopic } from "./services.ts";
 * console.assert(isReservedTopic("$presence"));
 * ```
 *
 * @param topic The topic.
 * @returns Whether it starts with `$`.
 */
export function isReservedTopic(topic: string): boolean {
  return topic.startsWith("$");
}

const id = z.number().int().nonnegative();
const peerId = z.string().min(1).max(64);
// Topic names are checked by the super-peer (`isTopic`), which answers `BAD_REQUEST`.
const topic = z.string().max(1_024);

const ServiceRequestSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("sub"), id, topic }),
  z.object({ t: z.literal("unsub"), id, topic }),
  z.object({
    t: z.literal("pub"),
    id,
    topic,
    n: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    data: z.string(),
    bin: z.boolean().optional(),
  }),
  z.object({
    t: z.literal("peers"),
    id,
    count: z.number().int().positive(),
    topic: topic.optional(),
  }),
  z.object({ t: z.literal("lookup"), id, peer: peerId }),
  z.object({
    t: z.literal("mail"),
    id,
    to: peerId,
    data: z.string(),
    bin: z.boolean().optional(),
    notify: z.boolean().optional(),
  }),
  z.object({ t: z.literal("mail.ack"), mids: z.array(z.string().max(64)).max(1_024) }),
]);

/** A service request a peer sends. */
export type ServiceRequest =
  | { t: "sub"; id: number; topic: string }
  | { t: "unsub"; id: number; topic: string }
  | { t: "pub"; id: number; topic: string; n: number; data: string; bin?: boolean }
  | { t: "peers"; id: number; count: number; topic?: string }
  | { t: "lookup"; id: number; peer: string }
  | { t: "mail"; id: number; to: string; data: string; bin?: boolean; notify?: boolean }
  | { t: "mail.ack"; mids: string[] };

/** The `t` of every service request. */
export const SERVICE_REQUEST_TYPES: ReadonlySet<string> = new Set(
  ["sub", "unsub", "pub", "peers", "lookup", "mail", "mail.ack"],
);

/**
 * Checks a service request against its schema.
 *
 * @example Usage
 * ```ts
 * import { parseServiceRequest } from "./services.ts";
 * console.assert(parseServiceRequest({ t: "sub", id: 1, topic: "news" }).ok);
 * console.assert(!parseServiceRequest({ t: "sub" }).ok);
 * ```
 *
 * @param value The parsed JSON.
 * @returns The request, or why it is malformed.
 */
export function parseServiceRequest(
  value: unknown,
): { ok: true; request: ServiceRequest } | { ok: false; message: string } {
  const result = ServiceRequestSchema.safeParse(value);
  return result.success
    ? { ok: true, request: result.data }
    : { ok: false, message: result.error.issues[0]?.message ?? "malformed" };
}

/** One peer of a discovery answer. */
export interface PeerInfo {
  peer: string;
  shard: number;
}

/** A message published on a topic, as subscribers receive it. */
export interface TopicMessage {
  t: "topic";
  topic: string;
  /** The publisher. */
  from: string;
  /** The publisher's number for it; rises with each publish of one publisher. */
  n: number;
  /** Text, or base64url of bytes when `bin`. */
  data: string;
  bin?: boolean;
}

/** A peer came or went (on {@linkcode PRESENCE_TOPIC}). */
export interface PresenceMessage {
  t: "presence";
  peer: string;
  event: "join" | "leave";
  shard: number;
  ts: number;
}

/** A message from a mailbox; acknowledge its `mid` with `mail.ack`. */
export interface MailMessage {
  t: "mail";
  mid: string;
  from: string;
  ts: number;
  data: string;
  bin?: boolean;
}

/** What became of a mailbox message this peer sent; acknowledge its `mid` with `mail.ack`. */
export interface MailNotice {
  t: "mail.notice";
  mid: string;
  /** The `mid` of the message it is about. */
  ref: string;
  to: string;
  status: "delivered" | "expired";
  ts: number;
}

/** Answers to service requests. */
export type ServiceReply =
  | { t: "sub.result"; id: number; topic: string }
  | { t: "unsub.result"; id: number; topic: string }
  | { t: "pub.result"; id: number; topic: string; n: number; duplicate: boolean }
  | { t: "peers.result"; id: number; peers: PeerInfo[] }
  | {
    t: "lookup.result";
    id: number;
    peer: string;
    shard: number;
    online: boolean;
    lastSeen: number | null;
  }
  | { t: "mail.result"; id: number; mid: string; status: "delivered" | "stored" };

const PeerInfoSchema = z.object({ peer: z.string(), shard: z.number().int().nonnegative() });

/** Service messages a super-peer sends, for the client's parser. */
export const SERVICE_MESSAGE_SCHEMAS: readonly z.ZodObject[] = [
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
  }),
  z.object({
    t: z.literal("presence"),
    peer: z.string(),
    event: z.enum(["join", "leave"]),
    shard: z.number().int().nonnegative(),
    ts: z.number(),
  }),
  z.object({
    t: z.literal("mail"),
    mid: z.string(),
    from: z.string(),
    ts: z.number(),
    data: z.string(),
    bin: z.boolean().optional(),
  }),
  z.object({
    t: z.literal("mail.notice"),
    mid: z.string(),
    ref: z.string(),
    to: z.string(),
    status: z.enum(["delivered", "expired"]),
    ts: z.number(),
  }),
];
