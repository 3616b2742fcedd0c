/**
 * What the relay reads of a frame without opening it: whether it is an automatic answer (which
 * its sender is never charged for) and whether a signal carries an offer or an answer (counted);
 * and the relay's refusals of a frame, made alike wherever it is refused.
 *
 * @module
 */
import {
  FLAG_SEALED,
  FLAG_TEXT,
  framePayloadBytes,
  type Limits,
  type Refusal,
  type RelayStats,
} from "../../src/protocol/mod.ts";
import { ID_BYTES, SEAL_UNKNOWN_SESSION, SEAL_UNSUPPORTED } from "../../src/seal/mod.ts";

/**
 * Whether a frame is an automatic answer: a sealed frame, alone (not mailed, not sequenced,
 * not signaling), whose payload is the kind byte 5 (`no such session`, with the 8-byte session
 * id) or 6 (`I do not seal`) and nothing more. A peer sends these because another wrote to
 * it, so they are never charged to it.
 *
 * @param bytes The frame.
 * @returns Whether it is one.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FRAME_SEND } from "../../src/protocol/mod.ts";
 * import { isAutomaticAnswer } from "./relay_reads.ts";
 * const answer = encodeFrame(FRAME_SEND, "z6Mk", 1, new Uint8Array([6]), { sealed: true });
 * console.assert(isAutomaticAnswer(answer));
 * const data = encodeFrame(FRAME_SEND, "z6Mk", 2, new Uint8Array([6, 0]), { sealed: true });
 * console.assert(!isAutomaticAnswer(data));
 * ```
 */
export function isAutomaticAnswer(bytes: Uint8Array): boolean {
  if ((bytes[1] & ~FLAG_TEXT) !== FLAG_SEALED) return false;
  const size = framePayloadBytes(bytes);
  const kind = bytes[bytes.length - size];
  // The relay reads only their kind byte and size: what they say is sealed business.
  return (kind === SEAL_UNKNOWN_SESSION && size === 1 + ID_BYTES) ||
    (kind === SEAL_UNSUPPORTED && size === 1);
}

const OFFER = new TextEncoder().encode('{"t":"offer"');
const ANSWER = new TextEncoder().encode('{"t":"answer"');

/**
 * Counts a signal frame that carries an SDP offer or answer (a direct upgrade under way).
 *
 * @param stats The counters.
 * @param bytes The signal frame.
 *
 * @example Usage
 * ```ts
 * import { encodeFrame, FRAME_SEND } from "../../src/protocol/mod.ts";
 * import { emptyStats } from "./relay.ts";
 * import { countSignal } from "./relay_reads.ts";
 * const stats = emptyStats();
 * countSignal(stats, encodeFrame(FRAME_SEND, "z6Mk", 1, '{"t":"offer","sdp":""}', { signal: true }));
 * console.assert(stats.directOffers === 1);
 * ```
 */
export function countSignal(stats: RelayStats, bytes: Uint8Array): void {
  const at = bytes.length - framePayloadBytes(bytes);
  const starts = (p: Uint8Array) => p.every((b, i) => bytes[at + i] === b);
  if (starts(OFFER)) stats.directOffers++;
  else if (starts(ANSWER)) stats.directAnswers++;
}

/**
 * The refusal of a frame past a batch's bounds.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
 * import { batchTooLarge } from "./relay_reads.ts";
 * console.assert(batchTooLarge(DEFAULT_LIMITS).code === "BATCH_TOO_LARGE");
 * ```
 *
 * @param limits The network's limits.
 * @returns The refusal.
 */
export function batchTooLarge(limits: Limits): Refusal {
  return {
    ok: false,
    code: "BATCH_TOO_LARGE",
    message:
      `Frame lies past a batch's bounds (${limits.MAX_BATCH_FRAMES} frames, ${limits.MAX_BATCH_BYTES} bytes)`,
  };
}

/**
 * The refusal of a frame for a peer of this shard that is not connected.
 *
 * @example Usage
 * ```ts
 * import { notConnected } from "./relay_reads.ts";
 * console.assert(notConnected("z6Mk").code === "PEER_NOT_FOUND");
 * ```
 *
 * @param peer The peer.
 * @returns The refusal.
 */
export function notConnected(peer: string): Refusal {
  return { ok: false, code: "PEER_NOT_FOUND", message: `Peer "${peer}" is not connected` };
}
