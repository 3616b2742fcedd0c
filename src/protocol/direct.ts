/**
 * The bytes of section 10 of `docs/PROTOCOL.md`: the per-pair stamp that makes delivery
 * exactly-once across the relay and a direct channel, the messages on a direct channel, the
 * signals two peers exchange through the relay, and the channel binding each side signs.
 *
 * ```
 * stamp           epoch u32 | seq u32 | floor u32                 (big-endian, 12 bytes)
 * relay payload   stamp | application bytes                        (SEND with flag bit 2)
 * direct data     0x01 | text flag (1 = UTF-8) | stamp | bytes
 * direct ack      0x02 | epoch u32 | highest seq delivered u32
 * direct swarm    0x03 | swarm message (section 12; not stamped: the swarm asks again)
 * channel text    "a" + {"t":"auth","sig":…}   or   "m" + application text
 * ```
 *
 * @module
 */

/** Bytes of a stamp: epoch, sequence number, floor. */
export const STAMP_BYTES = 12;
/** First byte of a stamped message on a direct channel. */
export const DIRECT_DATA = 0x01;
/** First byte of an acknowledgement on a direct channel. */
export const DIRECT_ACK = 0x02;
/** First byte of a swarm message on a direct channel. */
export const DIRECT_SWARM = 0x03;
/** The first line of the signed channel binding. */
export const DIRECT_CONTEXT = "superpeer-direct-v1";

/** What travels with every sequenced message. */
export interface Stamp {
  /** The sender's epoch for the pair: random, new with each run of the sender. */
  epoch: number;
  /** The per-pair sequence number, from 1. */
  seq: number;
  /** The highest number acknowledged to the sender. */
  floor: number;
}

/** A message on a direct channel, decoded. */
export type DirectMessage =
  | { t: "data"; stamp: Stamp; data: Uint8Array; text: boolean }
  | { t: "ack"; epoch: number; upTo: number }
  | { t: "swarm"; data: Uint8Array };

/** A signal that sets up a direct channel (JSON text in a SEND with flag bit 1). */
export type LinkSignal = { t: "offer"; sdp: string } | { t: "answer"; sdp: string } | {
  t: "close";
};

/** A signal about a pair's sequenced traffic (JSON text in a SEND with flag bit 1). */
export type PairSignal = { t: "ack"; epoch: number; upTo: number } | { t: "upgrade" };

/** Any signal between two peers. */
export type Signal = LinkSignal | PairSignal;

function writeStamp(out: Uint8Array, at: number, { epoch, seq, floor }: Stamp): void {
  const view = new DataView(out.buffer, out.byteOffset + at, STAMP_BYTES);
  view.setUint32(0, epoch);
  view.setUint32(4, seq);
  view.setUint32(8, floor);
}

function readStamp(bytes: Uint8Array, at: number): Stamp {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, STAMP_BYTES);
  return { epoch: view.getUint32(0), seq: view.getUint32(4), floor: view.getUint32(8) };
}

/**
 * The payload of a sequenced relay frame: the stamp, then the message.
 *
 * @example Usage
 * ```ts
 * import { readStamped, stamped } from "./direct.ts";
 * const r = readStamped(stamped({ epoch: 9, seq: 1, floor: 0 }, new Uint8Array([7])));
 * console.assert(r?.stamp.epoch === 9 && r.data[0] === 7);
 * ```
 *
 * @param stamp The stamp.
 * @param data The message.
 * @returns The payload.
 */
export function stamped(stamp: Stamp, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(STAMP_BYTES + data.length);
  writeStamp(out, 0, stamp);
  out.set(data, STAMP_BYTES);
  return out;
}

/**
 * Reads the payload of a sequenced relay frame.
 *
 * @example Usage
 * ```ts
 * import { readStamped } from "./direct.ts";
 * console.assert(readStamped(new Uint8Array(3)) === undefined);
 * ```
 *
 * @param payload The payload.
 * @returns The stamp and a copy of the message, or `undefined` if it is too short.
 */
export function readStamped(payload: Uint8Array): { stamp: Stamp; data: Uint8Array } | undefined {
  if (payload.length < STAMP_BYTES) return undefined;
  return { stamp: readStamp(payload, 0), data: payload.slice(STAMP_BYTES) };
}

/**
 * The head of a stamped message on a direct channel: what goes before the application's
 * bytes. A transport that can join head and bytes as it sends (see `DirectTransport`) saves
 * the copy {@linkcode directData} makes.
 *
 * @example Usage
 * ```ts
 * import { directDataHead, STAMP_BYTES } from "./direct.ts";
 * console.assert(directDataHead({ epoch: 1, seq: 2, floor: 0 }, false).length === 2 + STAMP_BYTES);
 * ```
 *
 * @param stamp The stamp.
 * @param text Whether the bytes are UTF-8 text.
 * @returns The head's bytes.
 */
export function directDataHead(stamp: Stamp, text: boolean): Uint8Array {
  const out = new Uint8Array(2 + STAMP_BYTES);
  out[0] = DIRECT_DATA;
  out[1] = text ? 1 : 0;
  writeStamp(out, 2, stamp);
  return out;
}

/**
 * A stamped message on a direct channel, head and bytes in one array.
 *
 * @example Usage
 * ```ts
 * import { directData, parseDirectMessage } from "./direct.ts";
 * const m = parseDirectMessage(directData({ epoch: 1, seq: 2, floor: 0 }, new Uint8Array(), true));
 * console.assert(m?.t === "data" && m.text && m.stamp.seq === 2);
 * ```
 *
 * @param stamp The stamp.
 * @param data The message.
 * @param text Whether it is UTF-8 text.
 * @returns The bytes.
 */
export function directData(stamp: Stamp, data: Uint8Array, text: boolean): Uint8Array {
  return joinBytes(directDataHead(stamp, text), data);
}

/**
 * Two byte arrays as one new one.
 *
 * @example Usage
 * ```ts
 * import { joinBytes } from "./direct.ts";
 * console.assert(joinBytes(new Uint8Array([1]), new Uint8Array([2, 3])).join() === "1,2,3");
 * ```
 *
 * @param head The first.
 * @param body The second.
 * @returns `head` then `body`.
 */
export function joinBytes(head: Uint8Array, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/**
 * An acknowledgement on a direct channel.
 *
 * @example Usage
 * ```ts
 * import { directAck, parseDirectMessage } from "./direct.ts";
 * const m = parseDirectMessage(directAck(5, 40));
 * console.assert(m?.t === "ack" && m.epoch === 5 && m.upTo === 40);
 * ```
 *
 * @param epoch The epoch of the sender whose messages are acknowledged.
 * @param upTo The highest number delivered.
 * @returns The bytes.
 */
export function directAck(epoch: number, upTo: number): Uint8Array {
  const out = new Uint8Array(9);
  const view = new DataView(out.buffer);
  out[0] = DIRECT_ACK;
  view.setUint32(1, epoch);
  view.setUint32(5, upTo);
  return out;
}

/**
 * A swarm message on a direct channel: no stamp, since a piece request that gets no answer is
 * asked again (section 12), so order and exactly-once would only slow it.
 *
 * @example Usage
 * ```ts
 * import { directSwarm, parseDirectMessage } from "./direct.ts";
 * const m = parseDirectMessage(directSwarm(new Uint8Array([1, 2])));
 * console.assert(m?.t === "swarm" && m.data.length === 2);
 * ```
 *
 * @param data The swarm message.
 * @returns The bytes.
 */
export function directSwarm(data: Uint8Array): Uint8Array {
  return joinBytes(directSwarmHead(), data);
}

/**
 * The head of a swarm message on a direct channel: one byte, {@linkcode DIRECT_SWARM}.
 *
 * @example Usage
 * ```ts
 * import { DIRECT_SWARM, directSwarmHead } from "./direct.ts";
 * console.assert(directSwarmHead()[0] === DIRECT_SWARM);
 * ```
 *
 * @returns The head's byte.
 */
export function directSwarmHead(): Uint8Array {
  return Uint8Array.of(DIRECT_SWARM);
}

/**
 * Decodes a binary message from a direct channel.
 *
 * @example Usage
 * ```ts
 * import { parseDirectMessage } from "./direct.ts";
 * console.assert(parseDirectMessage(new Uint8Array([9])) === undefined);
 * ```
 *
 * @param bytes The message.
 * @returns The message, or `undefined` for anything this version does not define.
 */
export function parseDirectMessage(bytes: Uint8Array): DirectMessage | undefined {
  if (bytes[0] === DIRECT_ACK && bytes.length >= 9) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { t: "ack", epoch: view.getUint32(1), upTo: view.getUint32(5) };
  }
  if (bytes[0] === DIRECT_SWARM) return { t: "swarm", data: bytes.subarray(1) };
  if (bytes[0] === DIRECT_DATA && bytes.length >= 2 + STAMP_BYTES) {
    return {
      t: "data",
      stamp: readStamp(bytes, 2),
      // A view, not a copy: the channel's message holds this one message and nothing else,
      // and copying it cost about a tenth of a browser's direct throughput.
      data: bytes.subarray(2 + STAMP_BYTES),
      text: bytes[1] === 1,
    };
  }
  return undefined;
}

/**
 * Decodes a signal's JSON text.
 *
 * @example Usage
 * ```ts
 * import { parseSignal } from "./direct.ts";
 * console.assert(parseSignal('{"t":"upgrade"}')?.t === "upgrade");
 * console.assert(parseSignal("nope") === undefined);
 * ```
 *
 * @param data The signal's payload.
 * @returns The signal, or `undefined` for anything this version does not define.
 */
export function parseSignal(data: string | Uint8Array): Signal | undefined {
  if (typeof data !== "string") return undefined;
  let m: Partial<Record<string, unknown>> | null;
  try {
    m = JSON.parse(data);
  } catch {
    return undefined;
  }
  switch (m?.t) {
    case "offer":
    case "answer":
      return typeof m.sdp === "string" ? { t: m.t, sdp: m.sdp } : undefined;
    case "close":
    case "upgrade":
      return { t: m.t };
    case "ack":
      return typeof m.epoch === "number" && typeof m.upTo === "number"
        ? { t: "ack", epoch: m.epoch, upTo: m.upTo }
        : undefined;
  }
  return undefined;
}

/**
 * The bytes both sides of a direct channel sign: the context line, both fingerprints and
 * both peer ids, offerer first, joined by `\n`.
 *
 * @param offerFingerprint The offer's fingerprint, as this side saw it.
 * @param answerFingerprint The answer's fingerprint, as this side saw it.
 * @param offerer The offerer's peer id.
 * @param answerer The answerer's peer id.
 * @returns The bytes.
 *
 * @example Usage
 * ```ts
 * import { channelBinding } from "./direct.ts";
 * console.assert(channelBinding("a", "b", "c", "d").length > 20);
 * ```
 */
export function channelBinding(
  offerFingerprint: string,
  answerFingerprint: string,
  offerer: string,
  answerer: string,
): Uint8Array {
  return new TextEncoder().encode(
    [DIRECT_CONTEXT, offerFingerprint, answerFingerprint, offerer, answerer].join("\n"),
  );
}

/**
 * A direct channel's own text messages: the proof of a key (`auth`), and the keepalive's `ping`,
 * which the other side answers `pong` at once.
 */
export type ChannelControl = { t: "auth"; sig: string } | { t: "ping" } | { t: "pong" };

/**
 * A text message on a direct channel: the channel's own (`a` + JSON: the proof of a key, the
 * keepalive's ping and pong), or application text (`m` + the text).
 *
 * @example Usage
 * ```ts
 * import { channelText, parseChannelText } from "./direct.ts";
 * console.assert(parseChannelText(channelText({ t: "auth", sig: "x" }))?.t === "auth");
 * console.assert(parseChannelText(channelText("hi"))?.t === "text");
 * ```
 *
 * @param m The channel's own message, or application text.
 * @returns The text to send.
 */
export function channelText(m: ChannelControl | string): string {
  return typeof m === "string" ? `m${m}` : `a${JSON.stringify(m)}`;
}

/**
 * Decodes a text message from a direct channel.
 *
 * @example Usage
 * ```ts
 * import { parseChannelText } from "./direct.ts";
 * console.assert(parseChannelText("x") === undefined);
 * ```
 *
 * @param text The message.
 * @returns The channel's own message or application text, or `undefined`.
 */
export function parseChannelText(
  text: string,
): ChannelControl | { t: "text"; text: string } | undefined {
  if (text.startsWith("m")) return { t: "text", text: text.slice(1) };
  if (!text.startsWith("a")) return undefined;
  try {
    const m = JSON.parse(text.slice(1));
    if (m?.t === "auth" && typeof m.sig === "string") return { t: "auth", sig: m.sig };
    if (m?.t === "ping" || m?.t === "pong") return { t: m.t };
  } catch {
    // Not ours: ignore.
  }
  return undefined;
}
