/**
 * Every control request a peer may send, with the reply it gets: one typed map for the
 * ledger and the network services alike. The super-peer checks each request here and
 * dispatches it by its `t`; the client types each answer by the request it sent. Adding a
 * request means adding it here (and a handler), nowhere else. See `docs/PROTOCOL.md`
 * sections 5 and 11.
 *
 * @module
 */
import { z } from "zod";
import { isPeerId } from "../identity/peer_id.ts";
import type { AccountView, BlockHeaderJson, TxOutcome } from "./ledger_wire.ts";
import type { Refusal } from "./refusal.ts";
import type { PeerInfo, PeerPresence, ProviderInfo } from "./service_messages.ts";

/** Characters of a publish's signature: 64 bytes of Ed25519, base64url without padding. */
export const PUBLISH_SIGNATURE_CHARS = 86;

const id = z.number().int().nonnegative();
const peerId = z.string().min(1).max(64);
// Topic names are checked by the super-peer (`isTopic`), which answers `BAD_REQUEST`.
const topic = z.string().max(1_024);

// One schema per request type; the keys are the `t` a peer sends.
const REQUEST_SCHEMAS = {
  tx: z.object({ t: z.literal("tx"), id, txs: z.array(z.unknown()) }),
  // The account id is checked once the request parsed (`BAD_REQUEST`, see `valueRefusal`).
  account: z.object({ t: z.literal("account"), id, account: z.string() }),
  blocks: z.object({ t: z.literal("blocks"), id, shard: z.number().int().nonnegative() }),
  sub: z.object({ t: z.literal("sub"), id, topic }),
  unsub: z.object({ t: z.literal("unsub"), id, topic }),
  pub: z.object({
    t: z.literal("pub"),
    id,
    topic,
    n: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    data: z.string(),
    bin: z.boolean().optional(),
    // Carried as they are: the subscribers check them, the network cannot.
    sealed: z.boolean().optional(),
    sig: z.string().length(PUBLISH_SIGNATURE_CHARS).regex(/^[A-Za-z0-9_-]+$/).optional(),
  }),
  "topic.ack": z.object({
    t: z.literal("topic.ack"),
    seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
  peers: z.object({
    t: z.literal("peers"),
    id,
    count: z.number().int().positive(),
    topic: topic.optional(),
  }),
  lookup: z.object({ t: z.literal("lookup"), id, peer: peerId }),
  mail: z.object({
    t: z.literal("mail"),
    id,
    to: peerId,
    data: z.string(),
    bin: z.boolean().optional(),
    notify: z.boolean().optional(),
    sealed: z.boolean().optional(),
  }),
  "mail.ack": z.object({ t: z.literal("mail.ack"), mids: z.array(z.string().max(64)).max(1_024) }),
  // Content ids and bitfields are checked by the super-peer, which answers with their codes.
  provide: z.object({
    t: z.literal("provide"),
    id,
    root: z.string().max(100),
    have: z.string().max(45_000).optional(),
  }),
  unprovide: z.object({ t: z.literal("unprovide"), id, root: z.string().max(100) }),
  providers: z.object({
    t: z.literal("providers"),
    id,
    root: z.string().max(100),
    count: z.number().int().positive().optional(),
  }),
} as const;

/** Every control request, by its `t`. */
export interface ControlRequests {
  /** Submit transfers, at most `MAX_TX_BATCH`. */
  tx: { t: "tx"; id: number; txs: unknown[] };
  /** An account's balance and nonce. */
  account: { t: "account"; id: number; account: string };
  /** Watch a shard's blocks (subscribe to `$blocks/<shard>`). */
  blocks: { t: "blocks"; id: number; shard: number };
  /** Subscribe to a topic. */
  sub: { t: "sub"; id: number; topic: string };
  /** End a subscription. */
  unsub: { t: "unsub"; id: number; topic: string };
  /** Publish on a topic; `n` rises with each publish of one publisher. */
  pub: {
    t: "pub";
    id: number;
    topic: string;
    n: number;
    data: string;
    bin?: boolean;
    /** Sealed with the topic's shared key (section 13). */
    sealed?: boolean;
    /** The publisher's Ed25519 signature, base64url (section 13). */
    sig?: string;
  };
  /** Every topic message up to this `seq` was taken (cumulative); no answer. */
  "topic.ack": { t: "topic.ack"; seq: number };
  /** Online peers at random. */
  peers: { t: "peers"; id: number; count: number; topic?: string };
  /** A peer's presence. */
  lookup: { t: "lookup"; id: number; peer: string };
  /** Leave a message in a peer's mailbox. */
  mail: {
    t: "mail";
    id: number;
    to: string;
    data: string;
    bin?: boolean;
    notify?: boolean;
    sealed?: boolean;
  };
  /** Delete mailbox messages and notices; no answer. */
  "mail.ack": { t: "mail.ack"; mids: string[] };
  /** Say this peer serves pieces of content (`have`: a bitfield; absent: all of them). */
  provide: { t: "provide"; id: number; root: string; have?: string };
  /** Stop serving content. */
  unprovide: { t: "unprovide"; id: number; root: string };
  /** Peers that serve content, at random. */
  providers: { t: "providers"; id: number; root: string; count?: number };
}

/** The answer to each control request, by the request's `t` (`never`: none is sent). */
export interface ControlReplies {
  /** One outcome per transfer, in order. */
  tx: { t: "tx.result"; id: number; results: TxOutcome[] };
  /** The account. */
  account: { t: "account.result"; id: number; account: AccountView };
  /** The shard's head at the time of the watch. */
  blocks: { t: "blocks.result"; id: number; shard: number; head: BlockHeaderJson | null };
  /** Subscribed, once the topic's home knows this shard has a subscriber. */
  sub: { t: "sub.result"; id: number; topic: string };
  /** Unsubscribed. */
  unsub: { t: "unsub.result"; id: number; topic: string };
  /** The topic's home took it (or had it already: `duplicate`). */
  pub: { t: "pub.result"; id: number; topic: string; n: number; duplicate: boolean };
  /** No answer. */
  "topic.ack": never;
  /** The sample. */
  peers: { t: "peers.result"; id: number; peers: PeerInfo[] };
  /** The presence. */
  lookup: { t: "lookup.result"; id: number } & PeerPresence;
  /** Stored (or handed over at once: `delivered`). */
  mail: { t: "mail.result"; id: number; mid: string; status: "delivered" | "stored" };
  /** No answer. */
  "mail.ack": never;
  /** Recorded at the content's home, until `expires`. */
  provide: { t: "provide.result"; id: number; root: string; expires: number };
  /** Removed. */
  unprovide: { t: "unprovide.result"; id: number; root: string };
  /** The sample: each provider, its home shard and how many pieces it has. */
  providers: { t: "providers.result"; id: number; root: string; providers: ProviderInfo[] };
}

/** The `t` of a control request. */
export type ControlType = keyof ControlRequests;

/** Any control request. */
export type ControlRequest = ControlRequests[ControlType];

/** Any answer to a control request. */
export type Reply = ControlReplies[ControlType];

/** A request as a client hands it over: the `id` is added when it is sent. */
export type RequestBody<T extends ControlType> = T extends ControlType
  ? Omit<ControlRequests[T], "id">
  : never;

/** A refusal of a request, with the request's `id` when it could be read. */
export type RequestRefusal = Refusal & { id?: number };

/**
 * The `t` of every control request.
 *
 * @example Usage
 * ```ts
 * import { CONTROL_TYPES } from "./control_map.ts";
 * console.assert(CONTROL_TYPES.has("tx") && CONTROL_TYPES.has("sub"));
 * ```
 */
export const CONTROL_TYPES: ReadonlySet<string> = new Set(Object.keys(REQUEST_SCHEMAS));

// What a schema cannot say: a request of the right form whose value is wrong (a string that
// is no account id) is `BAD_REQUEST`, as over HTTP; `BAD_FRAME` is for what does not parse
// (PROTOCOL section 7).
function valueRefusal(request: ControlRequest): string | undefined {
  if (request.t === "account" && !isPeerId(request.account)) return "Not an account id";
  return undefined;
}

/**
 * Checks a control request (already parsed from JSON) against its schema. Never throws.
 *
 * @example Usage
 * ```ts
 * import { parseControlRequest } from "./control_map.ts";
 * console.assert(parseControlRequest({ t: "sub", id: 1, topic: "news" }).ok);
 * const r = parseControlRequest({ t: "nope", id: 4 });
 * console.assert(!r.ok && r.code === "UNKNOWN_FRAME_TYPE" && r.id === 4);
 * ```
 *
 * @param value The parsed JSON.
 * @returns The request, or a refusal carrying the request's `id` when it has a usable one:
 *   `UNKNOWN_FRAME_TYPE` for an unknown `t`, `BAD_FRAME` for a request not of its form,
 *   `BAD_REQUEST` for one of its form with a wrong value (an account id that is none).
 */
export function parseControlRequest(
  value: unknown,
): { ok: true; request: ControlRequest } | RequestRefusal {
  const v = value as { t?: unknown; id?: unknown } | null;
  const t = typeof v === "object" && v !== null ? v.t : undefined;
  const rawId = typeof v === "object" && v !== null ? v.id : undefined;
  const requestId = typeof rawId === "number" && Number.isSafeInteger(rawId) && rawId >= 0
    ? rawId
    : undefined;
  if (typeof t !== "string" || !Object.hasOwn(REQUEST_SCHEMAS, t)) {
    return typeof t === "string"
      ? {
        ok: false,
        code: "UNKNOWN_FRAME_TYPE",
        message: `Control message "${t.slice(0, 32)}" is not defined`,
        id: requestId,
      }
      : {
        ok: false,
        code: "BAD_FRAME",
        message: "Control message is malformed: it has no string field t",
        id: requestId,
      };
  }
  const result = REQUEST_SCHEMAS[t as ControlType].safeParse(value);
  if (result.success) {
    const request = result.data as ControlRequest;
    const wrong = valueRefusal(request);
    if (wrong) return { ok: false, code: "BAD_REQUEST", message: wrong, id: requestId };
    return { ok: true, request };
  }
  return {
    ok: false,
    code: "BAD_FRAME",
    message: `Control message is malformed: ${result.error.issues[0]?.message ?? "malformed"}`,
    id: requestId,
  };
}
