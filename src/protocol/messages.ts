/**
 * Control messages: JSON text frames, checked by shape where they cross a boundary (the
 * network's messages to a peer by the hand-written checks of `json_check.ts`, so that a client
 * carries no schema library; `test/protocol/server_checks_test.ts` holds them to a schema).
 * Payloads never travel as JSON; they use the binary frames of `frames.ts`.
 *
 * @module
 */
import {
  arrayOf,
  bool,
  type Check,
  int,
  isRecord,
  nat,
  nonNegative,
  nullable,
  num,
  object,
  oneOf,
  opt,
  positive,
  recordOf,
  str,
} from "./json_check.ts";
import type { Reply } from "./control_map.ts";
import type { BlockHeaderJson } from "./ledger_wire.ts";
import type { IceServer } from "./http.ts";
import type { Limits } from "./limits.ts";
import type { Refusal } from "./refusal.ts";
import type { MailMessage, MailNotice, PresenceMessage, TopicMessage } from "./service_messages.ts";

/** The keepalive text frame a client sends; answered without waking the super-peer. */
export const KEEPALIVE_PING = "ping";
/** The answer to {@linkcode KEEPALIVE_PING}. */
export const KEEPALIVE_PONG = "pong";

// The welcome a super-peer sends first on every connection.
const welcome = object({
  t: oneOf("welcome"),
  protocol: int,
  network: str,
  peer: str,
  session: str,
  shard: nat,
  shards: positive,
  limits: recordOf(num),
  batch: opt(bool),
});

// An error reply.
const errorMessage = object({
  t: oneOf("error"),
  ok: opt(oneOf(false)),
  code: str,
  message: str,
  seq: opt(nat),
  peer: opt(str),
  id: opt(nat),
  retryAfter: opt(nonNegative),
  count: opt(positive),
});

const id = nat;
// The number a subscriber's home gives each topic message, acknowledged with `topic.ack`.
const topicSeq = opt(nat);
const header = object({
  network: str,
  shard: nat,
  height: positive,
  prev: str,
  txRoot: str,
  receiptsRoot: str,
  entries: nat,
  receipts: nat,
  timestamp: int,
  sig: str,
});

// Every text message a super-peer sends, by its `t`: answers to a peer's requests (matched by
// the id it chose), the messages of its services, and the welcome and refusals.
const SERVER_MESSAGES: Readonly<Record<string, Check>> = {
  welcome,
  error: errorMessage,
  "tx.result": object({ id, results: arrayOf(object({ ok: bool })) }),
  "account.result": object({
    id,
    account: object({ id: str, balance: str, nonce: num, shard: num }),
  }),
  "blocks.result": object({ id, shard: nat, head: nullable(header) }),
  block: object({ header, checkpoint: opt(str), seq: topicSeq }),
  "cosign.result": object({ id, shard: nat, height: nat, kept: bool }),
  // The answer's shape is the ask's: the client reads what it asked for.
  "log.result": object({ id, answer: object({ shard: nat }) }),
  "evidence.result": object({
    id,
    shard: nat,
    sizes: arrayOf(nat),
    fresh: bool,
  }),
  cosigned: object({ shard: nat, height: nat, witness: str, cosignature: str, seq: topicSeq }),
  // The evidence itself is checked by the ledger client, with the shard's key.
  evidence: object({ shard: nat, from: str, seq: topicSeq }),
  "sub.result": object({ id, topic: str }),
  "unsub.result": object({ id, topic: str }),
  "pub.result": object({ id, topic: str, n: num, duplicate: bool }),
  "peers.result": object({ id, peers: arrayOf(object({ peer: str, shard: nat })) }),
  "provide.result": object({ id, root: str, expires: num }),
  "unprovide.result": object({ id, root: str }),
  "providers.result": object({
    id,
    root: str,
    providers: arrayOf(object({ peer: str, shard: nat, pieces: nat })),
  }),
  "lookup.result": object({
    id,
    peer: str,
    shard: nat,
    online: bool,
    lastSeen: nullable(num),
  }),
  "mail.result": object({ id, mid: str, status: oneOf("delivered", "stored") }),
  "routes.result": object({ id, turnLeft: num, windowEnds: num }),
  topic: object({
    topic: str,
    from: str,
    n: num,
    data: str,
    bin: opt(bool),
    sealed: opt(bool),
    sig: opt(str),
    seq: topicSeq,
  }),
  presence: object({
    peer: str,
    event: oneOf("join", "leave"),
    shard: nat,
    ts: num,
    seq: topicSeq,
  }),
  mail: object({
    mid: str,
    from: str,
    ts: num,
    data: str,
    bin: opt(bool),
    sealed: opt(bool),
  }),
  "mail.notice": object({
    mid: str,
    ref: str,
    to: str,
    status: oneOf("delivered", "expired"),
    ts: num,
  }),
};

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
  /** Shards in use under the home's map. */
  shards: number;
  /**
   * The version of the slot map the home holds (`GET /v1/network` serves the map); absent on a
   * network without one (a shard count that is not a power of two).
   */
  mapVersion?: number;
  /** The limits in force. */
  limits: Limits;
  /**
   * The servers for this peer's direct channels: first its own TURN server, with a credential
   * made for it alone that lives `TURN_CREDENTIAL_TTL_MS` (where the network has TURN servers),
   * then the network's public `ICE_SERVERS` (as in `GET /v1/network`). Absent when both are
   * empty.
   */
  iceServers?: IceServer[];
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
  | CosignedMessage
  | EvidenceMessage
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
  /** The block's checkpoint of the shard's log, a signed note (`LEDGER.md`). */
  checkpoint?: string;
  /** The subscriber's home's number for it; acknowledge with `topic.ack`. */
  seq?: number;
}

/** A witness's cosignature of a block's checkpoint, told to the shard's block watchers. */
export interface CosignedMessage {
  /** Always `"cosigned"`. */
  t: "cosigned";
  /** The shard. */
  shard: number;
  /** The block whose checkpoint it cosigns. */
  height: number;
  /** The witness (a peer id: its key is the cosignature key). */
  witness: string;
  /** The signature line, to add to the checkpoint's note. */
  cosignature: string;
  /** The subscriber's home's number for it; acknowledge with `topic.ack`. */
  seq?: number;
}

/** Evidence that a shard's key signed two histories, checked by the network (`$evidence`). */
export interface EvidenceMessage {
  /** Always `"evidence"`. */
  t: "evidence";
  /** The shard whose key signed both. */
  shard: number;
  /** The evidence (`checkForkEvidence` checks it with the shard's key alone). */
  evidence: unknown;
  /** The peer that reported it. */
  from: string;
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
  if (!isRecord(value) || typeof value.t !== "string" || !Object.hasOwn(SERVER_MESSAGES, value.t)) {
    return undefined;
  }
  return SERVER_MESSAGES[value.t](value) ? value as unknown as ServerMessage : undefined;
}
