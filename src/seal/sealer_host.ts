/**
 * What a sealer (`sealer.ts`) is given and gives back: the host it acts through, the policy
 * it follows and its other options, and the codes and results it reports.
 *
 * @example A host that carries sealed payloads to another sealer
 * ```ts
 * import type { SealerHost } from "./sealer_host.ts";
 * export const host = (carry: (to: string, bytes: Uint8Array) => void): SealerHost => ({
 *   sendSealed: (to, bytes) => (carry(to, bytes), "sent"),
 *   sendClear: () => {},
 *   deliver: (from, _flags, payload) => console.log(from, payload.length),
 *   refused: (peer, code) => console.warn(peer, code),
 * });
 * ```
 *
 * @module
 */
import type { X25519Ops } from "./keys.ts";
import type { MailReplays } from "./mail.ts";
import type { SealedBefore } from "./sealed_before.ts";

/**
 * What became of a message given to {@linkcode Sealer.seal}: handed to the path in clear
 * (`"sent"`), kept for the handshake (`"queued"`), under a session and being sealed, with the
 * others of this turn at its end when batching (`"batched"`: the path gets it shortly, in
 * order), or `"dropped"`.
 */
export type SealResult = "sent" | "queued" | "batched" | "dropped";

/** What a peer does with a remote that cannot seal. */
export type SealPolicy = "required" | "preferred";

/** Options of a sealer. */
export interface SealerOptions {
  /** What to do with a peer that cannot seal (`"required"`: nothing goes in clear). @default "required" */
  policy?: SealPolicy;
  /** Sealed mail older than this is refused. @default {SEAL_MAIL_MAX_AGE_MS} */
  mailMaxAgeMs?: number;
  /**
   * With it, the messages sealed to one peer within a turn go at its end (a microtask) as
   * sealed batches whose bodies hold at most this many bytes (the most a sealed message
   * carries); without it, each message is sealed on its own at once.
   */
  batchBytes?: () => number;
  /** The X25519 operations of handshakes (counted in tests). @default {X25519} */
  x25519?: X25519Ops;
  /**
   * The marks a restart keeps (the peers that sealed, mail taken), given by a host that saves
   * them. @default fresh ones, kept in memory only
   */
  marks?: { sealedBefore: SealedBefore; mail: MailReplays };
}

/** The codes a sealer reports. */
export type SealCode =
  | "SEAL_BAD_HANDSHAKE"
  | "SEAL_BAD_TAG"
  | "SEAL_REPLAYED"
  | "SEAL_WRONG_SENDER"
  | "SEAL_UNKNOWN_SESSION"
  | "SEAL_UNSUPPORTED"
  | "SEAL_HANDSHAKE_TIMEOUT"
  | "SEAL_UNREACHABLE";

/** What a sealer acts through. */
export interface SealerHost {
  /**
   * Sends a sealed payload to a peer (holding `messages` messages if a batch); what the path
   * did with it.
   */
  sendSealed(to: string, bytes: Uint8Array, messages?: number): "sent" | "queued" | "dropped";
  /** Sends a payload in clear: the peer cannot seal and the policy allows it. */
  sendClear(to: string, flags: number, payload: Uint8Array): void;
  /**
   * A message opened. `seq` is the number given to {@linkcode Sealer.receive} with what it
   * came in, plus its place in the batch (0 for the first, or for a message on its own).
   */
  deliver(from: string, flags: number, payload: Uint8Array, seq: number): void;
  /** A message not delivered, or a sealed payload refused, by code. */
  refused(peer: string, code: SealCode, message: string): void;
}
