/**
 * The network services' messages that a super-peer pushes (topic messages, presence, mail,
 * notices), and the rules for topic names. Requests and their answers are in `control_map.ts`.
 * See `docs/PROTOCOL.md` section 11.
 *
 * @module
 */

/** The topic on which every shard announces its peers' joins and leaves. */
export const PRESENCE_TOPIC = "$presence";

/** The topic on which the network tells checked evidence of a shard's fork (`LEDGER.md`). */
export const EVIDENCE_TOPIC = "$evidence";

/** The start of each shard's block topic: `$blocks/<shard>`. */
export const BLOCKS_TOPIC_PREFIX = "$blocks/";

/**
 * The topic on which a shard announces each block it seals, as `{"t":"block","header":…}`.
 *
 * @example Usage
 * ```ts
 * import { blocksTopic } from "./service_messages.ts";
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
 * import { overUtf8Bytes } from "./service_messages.ts";
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
 * import { isTopic } from "./service_messages.ts";
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
 * import { isReservedTopic } from "./service_messages.ts";
 * console.assert(isReservedTopic("$presence"));
 * ```
 *
 * @param topic The topic.
 * @returns Whether it starts with `$`.
 */
export function isReservedTopic(topic: string): boolean {
  return topic.startsWith("$");
}

/** One peer of a discovery answer. */
export interface PeerInfo {
  /** The peer id. */
  peer: string;
  /** Its home shard. */
  shard: number;
}

/** A peer that serves pieces of some content. */
export interface ProviderInfo {
  /** The peer. */
  peer: string;
  /** Its home shard. */
  shard: number;
  /** How many pieces it has (all of them, for a seeder). */
  pieces: number;
}

/** A peer's presence, as a `lookup` answers it. */
export interface PeerPresence {
  /** The peer id. */
  peer: string;
  /** Its home shard. */
  shard: number;
  /** Whether it is connected now. */
  online: boolean;
  /** When it left, if it did less than `PRESENCE_TIMEOUT_MS` ago; else `null`. */
  lastSeen: number | null;
}

/** A message published on a topic, as subscribers receive it. */
export interface TopicMessage {
  /** Always `"topic"`. */
  t: "topic";
  /** The topic. */
  topic: string;
  /** The publisher. */
  from: string;
  /** The publisher's number for it; rises with each publish of one publisher. */
  n: number;
  /** Text, or base64url of bytes when `bin`. */
  data: string;
  /** Present and `true` when it was published as bytes. */
  bin?: boolean;
  /** Present and `true` when its data is sealed with the topic's shared key. */
  sealed?: boolean;
  /** The publisher's signature over topic, publisher, number and data (section 13). */
  sig?: string;
  /** The subscriber's home's number for it; acknowledge with `topic.ack`. */
  seq?: number;
}

/** A peer came or went (on {@linkcode PRESENCE_TOPIC}). */
export interface PresenceMessage {
  /** Always `"presence"`. */
  t: "presence";
  /** The peer that came or went. */
  peer: string;
  /** Which. */
  event: "join" | "leave";
  /** Its home shard. */
  shard: number;
  /** When, ms since the epoch. */
  ts: number;
  /** The subscriber's home's number for it; acknowledge with `topic.ack`. */
  seq?: number;
}

/** A message from a mailbox; acknowledge its `mid` with `mail.ack`. */
export interface MailMessage {
  /** Always `"mail"`. */
  t: "mail";
  /** The message's id. */
  mid: string;
  /** Its sender. */
  from: string;
  /** When the network took it, ms since the epoch. */
  ts: number;
  /** Text, or base64url of bytes when `bin`. */
  data: string;
  /** Present and `true` when it was left as bytes. */
  bin?: boolean;
  /**
   * Present and `true` when the bytes are sealed to the recipient's identity (a frame with
   * the `SEALED` flag was left in the mailbox): open them as `docs/PROTOCOL.md` section 13 says.
   */
  sealed?: boolean;
}

/** What became of a mailbox message this peer sent; acknowledge its `mid` with `mail.ack`. */
export interface MailNotice {
  /** Always `"mail.notice"`. */
  t: "mail.notice";
  /** The notice's own id. */
  mid: string;
  /** The `mid` of the message it is about. */
  ref: string;
  /** That message's recipient. */
  to: string;
  /** Read and acknowledged, or deleted unread after `MAILBOX_TTL_MS`. */
  status: "delivered" | "expired";
  /** When, ms since the epoch. */
  ts: number;
}
