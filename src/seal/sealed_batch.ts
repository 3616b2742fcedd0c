/**
 * Sealed batches: the messages a peer seals to one other peer within one turn travel as one
 * sealed message, so the AEAD's fixed cost is paid once for all of them and the relay no
 * longer sees how many there were (see `docs/PROTOCOL.md`, section 13, "Batches").
 *
 * @module
 */
import type { Opened, SealSession } from "./session.ts";
import type { SealerHost } from "./sealer_host.ts";

/** The inner flag that marks a sealed message as a batch of messages. */
export const SEAL_BATCH_FLAG = 0x80;
/** Bytes a batch adds per message: its inner flags (1) and its length (4, big-endian). */
export const BATCH_ENTRY_OVERHEAD = 5;

/** One message of a batch. */
export interface BatchEntry {
  /** Its inner flags (text, signal, stamped). */
  flags: number;
  /** Its payload. */
  payload: Uint8Array;
}

/**
 * The body of a batch (what follows the batch flag): each message as its flags, its length
 * and its payload.
 *
 * @example Usage
 * ```ts
 * import { packBatch, unpackBatch } from "./sealed_batch.ts";
 * const body = packBatch([{ flags: 1, payload: new Uint8Array([104, 105]) }]);
 * console.assert(body.length === 7 && unpackBatch(body)?.[0].payload.length === 2);
 * ```
 *
 * @param entries The messages, in order.
 * @returns The body.
 */
export function packBatch(entries: readonly BatchEntry[]): Uint8Array {
  let size = 0;
  for (const e of entries) size += BATCH_ENTRY_OVERHEAD + e.payload.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const e of entries) {
    out[at] = e.flags;
    view.setUint32(at + 1, e.payload.length);
    out.set(e.payload, at + BATCH_ENTRY_OVERHEAD);
    at += BATCH_ENTRY_OVERHEAD + e.payload.length;
  }
  return out;
}

/**
 * Reads the body of a batch; `undefined` if it is malformed (a length past the end, an
 * empty batch, or a batch flag inside: batches do not nest).
 *
 * @example Usage
 * ```ts
 * import { unpackBatch } from "./sealed_batch.ts";
 * console.assert(unpackBatch(new Uint8Array([0, 0, 0, 0, 9])) === undefined);
 * ```
 *
 * @param body The body.
 * @returns The messages, in order (views into `body`).
 */
export function unpackBatch(body: Uint8Array): BatchEntry[] | undefined {
  const view = new DataView(body.buffer, body.byteOffset, body.length);
  const entries: BatchEntry[] = [];
  let at = 0;
  while (at < body.length) {
    if (body.length - at < BATCH_ENTRY_OVERHEAD) return undefined;
    const flags = body[at];
    const length = view.getUint32(at + 1);
    const start = at + BATCH_ENTRY_OVERHEAD;
    if (flags & SEAL_BATCH_FLAG || length > body.length - start) return undefined;
    entries.push({ flags, payload: body.subarray(start, start + length) });
    at = start + length;
  }
  return entries.length > 0 ? entries : undefined;
}

/**
 * Hands what was opened to the host: a message as it is, a batch as its messages (numbered
 * `seq`, `seq + 1`, …), all or none of them; what did not open is reported by its code.
 *
 * @example Usage
 * ```ts
 * import { deliverOpened, packBatch, SEAL_BATCH_FLAG } from "./sealed_batch.ts";
 * const got: number[] = [];
 * const host = { deliver: (_f: string, _flags: number, _p: Uint8Array, seq: number) => void got.push(seq), refused: () => {} };
 * const payload = packBatch([{ flags: 0, payload: new Uint8Array(1) }, { flags: 0, payload: new Uint8Array(2) }]);
 * deliverOpened(host, "peer", { ok: true, flags: SEAL_BATCH_FLAG, payload }, 7);
 * console.assert(got.join() === "7,8");
 * ```
 *
 * @param host Where messages and refusals go.
 * @param from The sender.
 * @param opened What opening gave.
 * @param seq The number the path gave it.
 */
export function deliverOpened(
  host: Pick<SealerHost, "deliver" | "refused">,
  from: string,
  opened: Opened,
  seq: number,
): void {
  if (!opened.ok) return host.refused(from, opened.code, opened.message);
  if (!(opened.flags & SEAL_BATCH_FLAG)) {
    return host.deliver(from, opened.flags, opened.payload, seq);
  }
  // All or nothing: a batch that does not parse delivers none of its messages.
  const entries = unpackBatch(opened.payload);
  if (!entries) return host.refused(from, "SEAL_BAD_TAG", "Malformed sealed batch");
  entries.forEach((e, i) => host.deliver(from, e.flags, e.payload, seq + i));
}

/**
 * The messages waiting for the end of the turn, per peer, and the session each will go under.
 * The first one added in a turn schedules the flush (a microtask: a lone message waits for
 * no timer); one that would make its peer's batch too big, or that goes under a newer
 * session, sends what waits first. What it hands on is the sealing under way: its counter is
 * taken, in order, when it is handed on.
 *
 * @example Usage
 * ```ts
 * import { SealBatcher } from "./sealed_batch.ts";
 * import { SealSession } from "./session.ts";
 * const key = new Uint8Array(32);
 * const session = new SealSession({ id: new Uint8Array(8), remote: "b", send: key, receive: key }, 0);
 * const sent: Promise<Uint8Array>[] = [];
 * const batcher = new SealBatcher(() => 1024, (_to, sealed) => void sent.push(sealed));
 * batcher.add("b", session, { flags: 0, payload: new Uint8Array(3) });
 * batcher.add("b", session, { flags: 0, payload: new Uint8Array(4) });
 * batcher.flush();
 * console.assert(sent.length === 1);
 * ```
 */
export class SealBatcher {
  readonly #maxBytes: () => number;
  readonly #send: (to: string, sealed: Promise<Uint8Array>, messages: number) => void;
  #scheduled = false;
  readonly #boxes = new Map<
    string,
    { session: SealSession; entries: BatchEntry[]; bytes: number }
  >();

  /**
   * @param maxBytes The most bytes a batch's body may hold.
   * @param send Hands a sealed message (being sealed), and how many messages it holds, on.
   */
  constructor(
    maxBytes: () => number,
    send: (to: string, sealed: Promise<Uint8Array>, messages: number) => void,
  ) {
    this.#maxBytes = maxBytes;
    this.#send = send;
  }

  /**
   * Keeps a message for the end of the turn (a copy: the caller may reuse its bytes).
   *
   * @param to The peer.
   * @param session The session it goes under.
   * @param m The message.
   * @returns `"batched"`.
   */
  add(to: string, session: SealSession, m: BatchEntry): "batched" {
    const size = BATCH_ENTRY_OVERHEAD + m.payload.length;
    let box = this.#boxes.get(to);
    if (box && (box.session !== session || box.bytes + size > this.#maxBytes())) {
      this.#sendBox(to);
      box = undefined;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
    if (!box) this.#boxes.set(to, box = { session, entries: [], bytes: 0 });
    box.entries.push({ flags: m.flags, payload: m.payload.slice() });
    box.bytes += size;
    return "batched";
  }

  /** Seals and sends everything that waits. */
  flush(): void {
    this.#scheduled = false;
    for (const to of [...this.#boxes.keys()]) this.#sendBox(to);
  }

  // One message is sealed as itself; more, as a batch.
  #sendBox(to: string): void {
    const box = this.#boxes.get(to);
    if (!box) return;
    this.#boxes.delete(to);
    const [one] = box.entries;
    this.#send(
      to,
      box.entries.length === 1
        ? box.session.seal(one.flags, one.payload)
        : box.session.seal(SEAL_BATCH_FLAG, packBatch(box.entries)),
      box.entries.length,
    );
  }
}
