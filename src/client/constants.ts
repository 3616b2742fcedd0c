/**
 * The client's defaults and bounds in one place: how a peer reconnects, how long it waits,
 * how much it keeps. A default is what a peer uses when its options say nothing; a bound is
 * the most it holds. The network's own limits are another table (`src/protocol/limits.ts`),
 * which a peer learns from its welcome.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_REQUEST_TIMEOUT_MS, MAX_RESEND_MS } from "./constants.ts";
 * console.assert(DEFAULT_REQUEST_TIMEOUT_MS === 30_000 && MAX_RESEND_MS === 10_000);
 * ```
 *
 * @module
 */

/** A second, in ms. */
const SECOND = 1_000;
/** A mebibyte, in bytes. */
const MIB = 1_024 * 1_024;

// Connecting.

/** Default delay before the first retry, in ms. */
export const DEFAULT_RECONNECT_MIN_DELAY_MS: number = SECOND / 4;
/** Default largest reconnect delay, in ms. */
export const DEFAULT_RECONNECT_MAX_DELAY_MS: number = 10 * SECOND;
/** Default growth of the reconnect delay per attempt. */
export const DEFAULT_RECONNECT_FACTOR = 2;
/** Default time allowed for one connection attempt to reach its welcome, in ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS: number = 10 * SECOND;
/** Default time the first connection may take before `connect()` gives up, in ms. */
export const DEFAULT_FIRST_CONNECT_TIMEOUT_MS: number = 30 * SECOND;

// Requests.

/** Default time a request waits for its answer, in ms. */
export const DEFAULT_REQUEST_TIMEOUT_MS: number = 30 * SECOND;
/** Default time `peer.ledger.waitForBlock` waits for a transfer to be sealed, in ms. */
export const DEFAULT_BLOCK_WAIT_MS: number = 30 * SECOND;
/**
 * Most requests sent and not yet answered. After a `RATE_LIMITED` refusal the client sends
 * nothing until its `retryAfter`, then one request, and one more for each answer, up to this:
 * kept under the network's `MAX_REFUSALS_BEFORE_CLOSE` (64), so that a burst of requests made
 * at once is paced, not closed for flooding.
 */
export const MAX_REQUESTS_IN_FLIGHT = 32;
/** Default number of peers `findPeers` asks for. */
export const DEFAULT_FIND_PEERS = 16;

// Messages.

/** Default number of received messages buffered for `Peer.messages`. */
export const DEFAULT_RECEIVE_BUFFER = 4_096;
/** First wait before sending unacknowledged messages again, in ms (doubles, up to the max). */
export const DEFAULT_RESEND_MS: number = SECOND;
/** Longest wait between two resends, in ms. */
export const MAX_RESEND_MS: number = 10 * SECOND;
/** Messages a sender keeps unacknowledged, and a receiver buffers ahead, by default. */
export const DEFAULT_PAIR_WINDOW = 1_024;
/** Mail ids remembered, so that mail that comes twice reaches the application once. */
export const MAX_SEEN_MAIL = 4_096;
/** Mail held, unacknowledged, until a listener is added; more comes again on a connect. */
export const MAX_HELD_MAIL = 1_024;
/** Most topics a peer holds a shared key for. */
export const TOPIC_KEYS_MAX = 1_024;

// Direct channels.

/** Default messages sent to one peer before an upgrade is tried. */
export const DEFAULT_DIRECT_THRESHOLD = 16;
/** Default wait after a failed or lost direct channel before trying again, in ms. */
export const DEFAULT_DIRECT_RETRY_MS: number = 2 * SECOND;
/** Default time allowed to set up and authenticate a direct channel, in ms. */
export const DEFAULT_DIRECT_TIMEOUT_MS: number = 15 * SECOND;
/**
 * A side that heard nothing on an open direct channel for this long asks `{"t":"ping"}` (the
 * other answers `{"t":"pong"}` at once), in ms.
 */
export const DIRECT_KEEPALIVE_MS: number = SECOND;
/**
 * A ping unanswered, with nothing else heard, for this long: the channel's path is lost (a NAT
 * dropped its mapping, a network went away) and it is closed, so that its traffic goes back to
 * the relay long before WebRTC's own 30 s consent check would give up, in ms.
 */
export const DIRECT_SILENCE_MS: number = 5 * SECOND;
/** Most messages a direct channel keeps while this side checks the other's proof. */
export const MAX_EARLY_DIRECT_MESSAGES = 4_096;
/**
 * Most bytes handed to the browser's channel and not yet sent; more wait in the transport
 * until the channel's buffer falls to half of this. Far below the 16 MiB at which Chromium
 * refuses, and, at tens of MB/s, a tenth of a second and more of data in flight.
 */
export const DIRECT_BUFFER_BYTES: number = 8 * MIB;

// File sharing: the swarm's own, kept in its room (the swarm imports nothing of the client),
// and listed here with the rest.
export { DEFAULT_FIND_PROVIDERS_MS } from "../swarm/defaults.ts";
