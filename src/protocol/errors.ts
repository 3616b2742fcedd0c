/**
 * Stable error codes. A refusal is a reply carrying one of these codes in the one
 * refusal shape (`refusal.ts`) `{"ok":false,"code","message"}`: over the socket inside
 * `{"t":"error",…}`, as an HTTP JSON body, or returned by a function; never a dropped
 * connection.
 *
 * @module
 */

/**
 * Every error code with what it means. The keys are the codes.
 *
 * @example Usage
 * ```ts
 * import { ERROR_CODES } from "./errors.ts";
 * console.assert("PEER_NOT_FOUND" in ERROR_CODES);
 * ```
 */
export const ERROR_CODES = {
  BAD_FRAME: "The frame could not be parsed: truncated header, bad peer id, bad JSON.",
  FRAME_TOO_LARGE:
    "The frame is larger than `MAX_FRAME_BYTES` (binary) or `MAX_CONTROL_FRAME_BYTES` (text).",
  BATCH_TOO_LARGE:
    "A frame in a batch lies past `MAX_BATCH_FRAMES` or `MAX_BATCH_BYTES`; that frame was dropped, the others relayed.",
  UNKNOWN_FRAME_TYPE:
    "The frame's type byte, or a control message's `t`, is not defined by this version.",
  PEER_NOT_FOUND: "The destination peer is not connected to the network.",
  RATE_LIMITED: "The peer sent more than its rate limit; the frame was dropped.",
  RESOURCE_LIMIT_EXCEEDED:
    "The peer used up its relay quota (`RELAY_QUOTA_BYTES` per `RELAY_QUOTA_WINDOW_MS`); the frame was dropped. Go direct, or wait.",
  TURN_QUOTA_EXCEEDED:
    "The peer used up its TURN quota (`TURN_QUOTA_BYTES` per `TURN_QUOTA_WINDOW_MS`, as its `routes` reports count it); `retryAfter` is the window's end. Its channels through TURN close, and its welcomes carry no TURN credential until then: its pairs go back to the relay, or direct where they can.",
  OVERLOADED: "A queue inside the network is full; the frame was dropped. Retry later.",
  SHARD_UNAVAILABLE:
    "The destination's home super-peer could not be reached; the frame was not delivered.",
  INTERNAL: "An unexpected failure inside the network.",
  DIRECT_AUTH_FAILED:
    "A direct channel's peer did not prove its key over the fingerprints this side saw; the channel was closed.",
  DIRECT_FAILED:
    "A direct channel could not be set up in time, or closed; traffic stays on the relay.",
  HELLO_MALFORMED: "The hello is missing a field or a field is malformed (HTTP 400).",
  HELLO_BAD_SIGNATURE: "The hello's signature does not verify against the peer id (HTTP 401).",
  HELLO_STALE: "The hello's timestamp is outside the accepted window (HTTP 401).",
  HELLO_WRONG_NETWORK: "The hello names another network (HTTP 401).",
  HELLO_WRONG_ORIGIN:
    "The hello was signed for an origin this network does not answer on: a server between the client and the network, or a URL the network was not configured for (HTTP 401).",
  HELLO_REPLAYED: "The hello's nonce was already used (HTTP 401).",
  TOO_MANY_CONNECTIONS:
    "The client's address has `MAX_CONNECTIONS_PER_ADDRESS` connections open already (HTTP 429).",
  ADMISSION_REFUSED:
    "The network is closed and this peer is neither on its allow-list nor invited, or the operator's admission hook refused it (HTTP 403).",
  INVITATION_INVALID:
    "The invitation sent with the hello admits nobody here: malformed, expired, for another peer or network, or signed by a key the network does not list (HTTP 403).",
  ADMISSION_UNAVAILABLE:
    "The operator's admission hook failed or took longer than `ADMISSION_HOOK_TIMEOUT_MS`; nothing was decided. Retry later (HTTP 503).",
  UPGRADE_REQUIRED: "The hello is valid but the request is not a WebSocket upgrade (HTTP 426).",
  TX_MALFORMED: "A transfer is missing a field or a field is malformed.",
  TX_BAD_SIGNATURE: "A transfer's signature does not verify against its `from` account.",
  TX_UNVERIFIED:
    "The network's verifier, which checks a transfer's signature beside its shard, gave no verdict (it could not be reached); nothing is applied.",
  TX_WRONG_NETWORK: "A transfer was signed for another network.",
  TX_WRONG_SHARD:
    "A transfer was sent to a shard that is not the home of its `from` account; `home` names the shard that is (the edge and the shards send it there themselves, once).",
  TX_TO_SELF: "A transfer's payee is its payer; nothing is applied and no nonce is used.",
  TX_BAD_AMOUNT: "A transfer's amount is zero, negative, fractional or over `MAX_TRANSFER_AMOUNT`.",
  TX_NONCE_REPLAYED:
    "A transfer's nonce was already used by its account (a replay, or a lost race).",
  TX_NONCE_GAP: "A transfer's nonce skips ahead of its account's next nonce.",
  TX_INSUFFICIENT_FUNDS: "A transfer's amount is more than its account's balance.",
  TX_BATCH_TOO_LARGE: "A submission holds more than `MAX_TX_BATCH` transfers.",
  PROOF_INVALID:
    "A transfer's proof does not check against the network's shard keys (found by the client, offline).",
  TX_NOT_FOUND: "No transfer with that hash is known to that shard (HTTP 404).",
  BLOCK_NOT_FOUND: "No block at that height (HTTP 404).",
  CHECKPOINT_NOT_FOUND:
    "No checkpoint at that height, or none yet: no block sealed since the shard kept its log; a balance proof asked of a shard with no state root yet (genesis accounts before any transfer, or no account at all) has one sealed in a block of no entries `BLOCK_INTERVAL_MS` later (HTTP 404).",
  COSIGNATURE_INVALID:
    "A `cosign` request's line is not a valid cosignature of that checkpoint by the peer's own key.",
  EVIDENCE_INVALID:
    "An `evidence` request's evidence does not show two checkpoints of one of this network's shards that cannot both be true.",
  LOG_RANGE:
    "A log proof or tile asked for sizes, an index or a width the shard's log does not hold, or sizes out of order (HTTP 404).",
  FAUCET_DISABLED: "This network has no faucet (HTTP 404).",
  MAILBOX_FULL: "The recipient's mailbox holds `MAILBOX_MAX_MESSAGES` already; not stored.",
  RESERVED_TOPIC:
    "Topics starting with `$` are the network's own; peers may subscribe, not publish.",
  BAD_REQUEST:
    "The request is malformed: bad JSON, a bad account id, hash or height (HTTP 400), or a shard the network does not have in a socket request.",
  NOT_FOUND: "No such HTTP route, or a shard the network does not have in an HTTP path (HTTP 404).",
  METHOD_NOT_ALLOWED: "The route exists but not for this method (HTTP 405).",
  CONTENT_ID_MALFORMED:
    "A content id is not `<64 hex root>.<size>` with a size from 0 to `MAX_CONTENT_BYTES`.",
  PIECE_INVALID:
    "A piece does not check against its content id's root (wrong bytes, length, index or proof): dropped, and counted against who sent it.",
  MOVED:
    "The key's slot is no longer held by the shard asked (the network grew): the refusal carries the map's `version` and the signed `slotMap`; ask again at the key's home under that map (HTTP 421). An edge and the super-peers do so themselves.",
  BAD_SLOT_MAP:
    "Local to a client or a super-peer, never on the wire: a slot map is malformed or not signed by the network's map key (PROTOCOL.md section 3); it is not used.",
  BAD_GROWTH:
    "Answered to the operator's growth (`POST /v1/admin/grow`, HTTP 400), never to a peer: the shard count asked for is not a power of two larger than the network's, another growth is under way, or the network places keys by modulo and cannot grow.",
  GROWTH_CALLED_OFF:
    "Answered to the operator's growth (`POST /v1/admin/grow`, HTTP 503), never to a peer: a step's copy could not be done (a shard refused its rows, or a call failed every try). The step was called off: the destination dropped what it took, the slots went back to their shard and work keyed in them goes on there; the message says which step and why. Asked again, the growth goes on from that step.",
  ADMIN_UNAUTHORIZED:
    "HTTP 401 on an operator's route (`/v1/admin/*`): the request did not carry the network's `ADMIN_TOKEN` as a bearer token. A network without one has no such routes (404).",
  UNREACHABLE:
    "Local to a client, never on the wire: the network's URL could not be reached (an HTTP call failed, or no welcome came within the first connect's deadline); the message names the URL.",
} as const;

/** An error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Close codes a super-peer uses. 1000 and 1001 keep their standard meaning.
 *
 * @example Usage
 * ```ts
 * import { CLOSE_CODES } from "./errors.ts";
 * console.assert(CLOSE_CODES.SESSION_REPLACED === 4001);
 * ```
 */
export const CLOSE_CODES = {
  /** Normal closure, by either side. */
  NORMAL: 1000,
  /** The super-peer is going away (deploy, restart); reconnect. */
  GOING_AWAY: 1001,
  /** A newer session of the same peer connected; do not reconnect automatically. */
  SESSION_REPLACED: 4001,
  /** Nothing came from the peer, not even a keepalive, for `PRESENCE_TIMEOUT_MS`. */
  PRESENCE_TIMEOUT: 4002,
  /**
   * The peer kept sending past its rate limit (`MAX_REFUSALS_BEFORE_CLOSE` refusals in a row);
   * reconnect with backoff: its limits are kept.
   */
  FLOODING: 4003,
  /**
   * The peer's home moved to another shard (the network grew). Every request it sent was
   * answered before this close, or never read: a client reconnects at once, through the edge,
   * and sends again what is unanswered (the reference client does, unseen by the application).
   */
  HOME_MOVED: 4004,
  /**
   * Local to a client, never on the wire: it gave up on a connection (no welcome within the
   * connect timeout, or silence past the keepalive timeout) and reconnects.
   */
  GAVE_UP: 4000,
  /** Local to a client, never on the wire: the network refused its hello; it stops. */
  HELLO_REFUSED: 4401,
  /** Reported by a runtime, never sent: the close frame carried no status. */
  NO_STATUS: 1005,
  /** Reported by a runtime, never sent: the connection dropped with no close frame. */
  ABNORMAL: 1006,
  /** Reported by a runtime, never sent: the TLS handshake failed. */
  TLS_FAILED: 1015,
} as const;

/** A close code of {@linkcode CLOSE_CODES}. */
export type CloseCode = typeof CLOSE_CODES[keyof typeof CLOSE_CODES];

/**
 * An error the network reported, with its stable code.
 *
 * @example Usage
 * ```ts
 * import { ProtocolError } from "./errors.ts";
 * const e = new ProtocolError("PEER_NOT_FOUND", "Peer \"x\" is not connected");
 * console.assert(e.code === "PEER_NOT_FOUND");
 * ```
 */
export class ProtocolError extends Error {
  /** The stable code. */
  readonly code: ErrorCode;
  /** With `RATE_LIMITED`: how many ms to wait before asking again, if the network said. */
  readonly retryAfter?: number;

  /**
   * Makes an error with its code.
   *
   * @param code The stable code.
   * @param message What happened.
   * @param options Standard error options, and the network's `retryAfter`.
   */
  constructor(code: ErrorCode, message: string, options?: ErrorOptions & { retryAfter?: number }) {
    super(message, options);
    this.name = "ProtocolError";
    this.code = code;
    if (options?.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}
