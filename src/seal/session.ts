/**
 * One sealed session between two peers: AES-256-GCM under the keys of a handshake, each
 * message numbered by a counter that is also its nonce. The receiver takes a counter once: a
 * replay within the window, or one older than the window, is refused.
 *
 * The AEAD is WebCrypto's, so sealing and opening are asynchronous: in a browser it runs
 * about ten times faster than a cipher written in JavaScript (`docs/BENCHMARKS.md`). The
 * counter is taken when a message is given, so messages keep the order they were given in.
 *
 * @module
 */
import { hex } from "../encoding/mod.ts";
import {
  COUNTER_BYTES,
  DATA_OVERHEAD,
  ID_BYTES,
  readCounter,
  SEAL_DATA,
  writeCounter,
} from "./envelope.ts";
import type { SessionKeys } from "./handshake.ts";

/** Counters a receiver remembers below the highest it has taken: late ones still open. */
export const SEAL_REPLAY_WINDOW = 1_024;

/** Why a sealed message did not open. */
export type OpenFailureCode =
  | "SEAL_BAD_TAG"
  | "SEAL_REPLAYED"
  | "SEAL_WRONG_SENDER"
  | "SEAL_UNKNOWN_SESSION";

/** A message opened, or why not. */
export type Opened =
  | { ok: true; flags: number; payload: Uint8Array }
  | { ok: false; code: OpenFailureCode; message: string };

const HEADER = 1 + ID_BYTES + COUNTER_BYTES;

/**
 * The session id a sealed message names, or `undefined` if it is too short to be one.
 *
 * @example Usage
 * ```ts
 * import { dataSessionId } from "./session.ts";
 * console.assert(dataSessionId(new Uint8Array(2)) === undefined);
 * ```
 *
 * @param bytes The sealed message.
 * @returns The id, hex.
 */
export function dataSessionId(bytes: Uint8Array): string | undefined {
  if (bytes.length < DATA_OVERHEAD || bytes[0] !== SEAL_DATA) return undefined;
  return hex.encode(bytes.subarray(1, 1 + ID_BYTES));
}

/**
 * A session's two directions.
 *
 * @example Usage
 * ```ts
 * import { SealSession } from "./session.ts";
 * const id = new Uint8Array(8).fill(1);
 * const k1 = new Uint8Array(32).fill(2), k2 = new Uint8Array(32).fill(3);
 * const a = new SealSession({ id, remote: "b", send: k1, receive: k2 }, 0);
 * const b = new SealSession({ id, remote: "a", send: k2, receive: k1 }, 0);
 * const sealed = await a.seal(1, new TextEncoder().encode("hi"));
 * const opened = await b.open("a", sealed);
 * console.assert(opened.ok && new TextDecoder().decode(opened.payload) === "hi");
 * console.assert(!(await b.open("a", sealed)).ok); // a replay
 * ```
 */
export class SealSession {
  /** The session id, hex. */
  readonly id: string;
  /** The other peer. */
  readonly remote: string;
  /** When it was made (for renewal). */
  readonly createdAt: number;
  readonly #idBytes: Uint8Array;
  readonly #send: Promise<CryptoKey>;
  readonly #receive: Promise<CryptoKey>;
  #sent = 0;
  #highest = 0;
  readonly #seen = new Set<number>();

  /**
   * @param keys The handshake's keys.
   * @param now When it was made.
   */
  constructor(keys: SessionKeys, now: number) {
    this.id = hex.encode(keys.id);
    this.remote = keys.remote;
    this.createdAt = now;
    this.#idBytes = keys.id;
    this.#send = aesKey(keys.send, "encrypt");
    this.#receive = aesKey(keys.receive, "decrypt");
  }

  /** Messages sealed so far. */
  get sent(): number {
    return this.#sent;
  }

  /**
   * Seals one message. Its counter is taken now, and its bytes copied now: the caller may
   * reuse them at once.
   *
   * @param flags Its inner flags (text, sequenced), hidden from the relay.
   * @param payload Its bytes.
   * @returns The sealed message.
   */
  async seal(flags: number, payload: Uint8Array): Promise<Uint8Array> {
    const counter = ++this.#sent;
    const out = new Uint8Array(HEADER + 1 + payload.length);
    out[0] = SEAL_DATA;
    out.set(this.#idBytes, 1);
    writeCounter(out, 1 + ID_BYTES, counter);
    out[HEADER] = flags;
    out.set(payload, HEADER + 1);
    const header = out.subarray(0, HEADER);
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        aesParams(counter, header),
        await this.#send,
        out.subarray(HEADER),
      ),
    );
    const whole = new Uint8Array(HEADER + sealed.length);
    whole.set(header);
    whole.set(sealed, HEADER);
    return whole;
  }

  /**
   * Opens one message from `from` (the sender the relay names). Its counter is taken once
   * it opens: a copy opened at the same time is refused as a replay.
   *
   * @param from The sender.
   * @param bytes The sealed message (kept until it opens).
   * @returns The inner flags and payload, or why not.
   */
  async open(from: string, bytes: Uint8Array): Promise<Opened> {
    if (from !== this.remote) {
      return {
        ok: false,
        code: "SEAL_WRONG_SENDER",
        message: `Session ${this.id} is with "${this.remote}", not "${from}"`,
      };
    }
    const counter = readCounter(bytes, 1 + ID_BYTES);
    if (counter === 0 || this.#taken(counter)) return replayed(counter);
    let plain: Uint8Array;
    try {
      plain = new Uint8Array(
        await crypto.subtle.decrypt(
          aesParams(counter, bytes.subarray(0, HEADER)),
          await this.#receive,
          bytes.subarray(HEADER) as BufferSource,
        ),
      );
    } catch {
      return { ok: false, code: "SEAL_BAD_TAG", message: "Sealed message was altered" };
    }
    if (this.#taken(counter)) return replayed(counter); // a copy opened while this one did
    this.#take(counter);
    return { ok: true, flags: plain[0], payload: plain.subarray(1) };
  }

  #taken(counter: number): boolean {
    return counter <= this.#highest - SEAL_REPLAY_WINDOW || this.#seen.has(counter);
  }

  #take(counter: number): void {
    this.#seen.add(counter);
    if (counter > this.#highest) this.#highest = counter;
    // Forget what fell out of the window, now and then rather than at every message.
    if (this.#seen.size > 2 * SEAL_REPLAY_WINDOW) {
      const floor = this.#highest - SEAL_REPLAY_WINDOW;
      for (const c of this.#seen) if (c <= floor) this.#seen.delete(c);
    }
  }
}

function replayed(counter: number): Opened {
  return { ok: false, code: "SEAL_REPLAYED", message: `Message ${counter} was already taken` };
}

function aesKey(raw: Uint8Array, use: "encrypt" | "decrypt"): Promise<CryptoKey> {
  const key = crypto.subtle.importKey("raw", raw as BufferSource, "AES-GCM", false, [use]);
  key.catch(() => {}); // a failure shows where the key is used
  return key;
}

// Nonce: 4 zero bytes and the counter; associated data: the header before the ciphertext.
function aesParams(counter: number, header: Uint8Array): AesGcmParams {
  const iv = new Uint8Array(12);
  writeCounter(iv, 4, counter);
  return { name: "AES-GCM", iv, additionalData: header as BufferSource, tagLength: 128 };
}
