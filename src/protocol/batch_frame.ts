/**
 * Batch frames: several binary frames in one WebSocket message, so that a burst costs one
 * message at each hop instead of one per frame. Either direction; a peer sends batches of
 * SEND frames, the network sends a peer that asked for them (`batch=1` on connect, confirmed
 * by `batch: true` in the welcome) batches of DELIVER frames.
 *
 * ```
 * offset  size  field
 * 0       1     type    0x03 BATCH
 * 1       …     entries, each: length (uint32 big-endian, 1..MAX_FRAME_BYTES), then a frame
 * ```
 *
 * Each frame inside is a whole frame of `frames.ts`, admitted, relayed and refused on its own,
 * as if it had come in a message of its own.
 *
 * @module
 */

/** Frame type byte of BATCH. */
export const FRAME_BATCH = 0x03;
/** Bytes before each frame in a batch: its length. */
export const BATCH_ENTRY_HEADER_BYTES = 4;

/** The frames of a batch as read, and where reading stopped if the batch is broken. */
export interface BatchRead {
  /** The frames, each a view into the batch. */
  frames: Uint8Array[];
  /** Why the rest of the batch could not be read (a length that overruns it, or is 0). */
  broken?: string;
}

/**
 * Whether a binary message is a batch.
 *
 * @param bytes A binary message.
 * @returns Whether its type byte is {@linkcode FRAME_BATCH}.
 *
 * @example Usage
 * ```ts
 * import { encodeBatch, isBatch } from "./batch_frame.ts";
 * console.assert(isBatch(encodeBatch([new Uint8Array([1, 2])])));
 * ```
 */
export function isBatch(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] === FRAME_BATCH;
}

/**
 * The size of a batch holding frames of these sizes.
 *
 * @param frameBytes The total size of the frames.
 * @param count How many frames.
 * @returns The batch's size in bytes.
 *
 * @example Usage
 * ```ts
 * import { batchBytes } from "./batch_frame.ts";
 * console.assert(batchBytes(100, 2) === 109);
 * ```
 */
export function batchBytes(frameBytes: number, count: number): number {
  return 1 + frameBytes + count * BATCH_ENTRY_HEADER_BYTES;
}

/**
 * Encodes frames as one batch. The caller keeps to `MAX_BATCH_FRAMES` and `MAX_BATCH_BYTES`.
 *
 * @param frames The frames, in order.
 * @returns The batch.
 *
 * @example Usage
 * ```ts
 * import { encodeBatch, readBatch } from "./batch_frame.ts";
 * const batch = encodeBatch([new Uint8Array([1]), new Uint8Array([2, 3])]);
 * console.assert(readBatch(batch).frames.length === 2);
 * ```
 */
export function encodeBatch(frames: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const f of frames) size += f.length;
  const out = new Uint8Array(batchBytes(size, frames.length));
  out[0] = FRAME_BATCH;
  let at = 1;
  for (const f of frames) {
    const n = f.length;
    out[at] = n >>> 24;
    out[at + 1] = (n >>> 16) & 0xff;
    out[at + 2] = (n >>> 8) & 0xff;
    out[at + 3] = n & 0xff;
    out.set(f, at + BATCH_ENTRY_HEADER_BYTES);
    at += BATCH_ENTRY_HEADER_BYTES + n;
  }
  return out;
}

/**
 * Reads a batch into views of its frames, without copying. Never throws: a length of 0, or
 * one that runs past the end, stops reading, and says so in `broken`.
 *
 * @param bytes A batch (type byte {@linkcode FRAME_BATCH}).
 * @returns The frames read, in order, and why reading stopped early, if it did.
 *
 * @example Usage
 * ```ts
 * import { readBatch } from "./batch_frame.ts";
 * const r = readBatch(new Uint8Array([3, 0, 0, 0, 9, 1]));
 * console.assert(r.frames.length === 0 && r.broken !== undefined);
 * ```
 */
export function readBatch(bytes: Uint8Array): BatchRead {
  const frames: Uint8Array[] = [];
  let at = 1;
  while (at < bytes.length) {
    if (at + BATCH_ENTRY_HEADER_BYTES > bytes.length) {
      return { frames, broken: `Batch entry ${frames.length} has a truncated length` };
    }
    const n = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) |
      bytes[at + 3]) >>> 0;
    const start = at + BATCH_ENTRY_HEADER_BYTES;
    if (n === 0 || start + n > bytes.length) {
      return {
        frames,
        broken: `Batch entry ${frames.length} is ${n} bytes, ${bytes.length - start} bytes remain`,
      };
    }
    frames.push(bytes.subarray(start, start + n));
    at = start + n;
  }
  if (frames.length === 0) return { frames, broken: "Batch holds no frame" };
  return { frames };
}

/**
 * Splits frames into batches that keep to the bounds: at most `maxFrames` frames and
 * `maxBytes` bytes each. A lone frame (or one too large to share a batch) goes as itself.
 *
 * @param frames The frames, in order.
 * @param maxFrames Most frames in one batch (`MAX_BATCH_FRAMES`).
 * @param maxBytes Most bytes in one batch (`MAX_BATCH_BYTES`).
 * @returns The messages to send, in order: batches and single frames.
 *
 * @example Usage
 * ```ts
 * import { packBatches } from "./batch_frame.ts";
 * const frames = Array.from({ length: 5 }, () => new Uint8Array(10));
 * console.assert(packBatches(frames, 2, 1_000).length === 3);
 * console.assert(packBatches([new Uint8Array(10)], 2, 1_000)[0].length === 10);
 * ```
 */
export function packBatches(
  frames: readonly Uint8Array[],
  maxFrames: number,
  maxBytes: number,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  const close = () => {
    if (group.length === 1) out.push(group[0]);
    else if (group.length > 1) out.push(encodeBatch(group));
    group = [];
    groupBytes = 0;
  };
  for (const f of frames) {
    if (
      group.length >= maxFrames ||
      batchBytes(groupBytes + f.length, group.length + 1) > maxBytes
    ) close();
    group.push(f);
    groupBytes += f.length;
  }
  close();
  return out;
}
