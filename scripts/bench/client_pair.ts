/**
 * A sender made of the reference client's connection (batching on or off), shaped like the
 * raw sockets the relay benchmark drives, so that it is timed by the same loops.
 *
 * @module
 */
import { Connection } from "../../src/client/connection.ts";
import type { Identity } from "../../src/identity/mod.ts";
import { FRAME_BATCH, readBatch } from "../../src/protocol/mod.ts";

/** The part of a WebSocket the benchmark's loops use. */
export interface Sender {
  /** Sends one frame. */
  send(frame: Uint8Array): void;
  /** Closes the connection. */
  close(): void;
  /** Hears text messages (refusals). */
  onmessage: ((event: MessageEvent) => void) | null;
}

/**
 * Opens a connection of the client as a sender.
 *
 * @param url The network's URL.
 * @param network The network id.
 * @param identity Whose connection.
 * @param batch Whether the client batches.
 * @returns The sender, once welcomed.
 *
 * @example Usage
 * ```ts
 * import { clientSender } from "./client_pair.ts";
 * import type { Identity } from "../../src/identity/mod.ts";
 * export async function one(url: string, id: Identity, frame: Uint8Array) {
 *   const sender = await clientSender(url, "bench", id, true);
 *   sender.send(frame);
 *   sender.close();
 * }
 * ```
 */
export async function clientSender(
  url: string,
  network: string,
  identity: Identity,
  batch: boolean,
): Promise<Sender> {
  const sender: Sender = {
    send: (frame) => void connection.sendFrame(frame),
    close: () => connection.close(1000, "done"),
    onmessage: null,
  };
  const connection = new Connection({ url, network, identity, batch, reconnect: false }, {
    welcome() {},
    text: (m) => sender.onmessage?.(new MessageEvent("message", { data: JSON.stringify(m) })),
    binary() {},
    lost() {},
    reconnecting() {},
    closed() {},
  });
  await connection.connect();
  return sender;
}

/**
 * How many frames a binary message holds: those of a batch, else 1.
 *
 * @param data A message's data.
 * @returns The count.
 *
 * @example Usage
 * ```ts
 * import { framesIn } from "./client_pair.ts";
 * console.assert(framesIn(new Uint8Array([1, 0]).buffer) === 1);
 * ```
 */
export function framesIn(data: ArrayBuffer): number {
  const bytes = new Uint8Array(data);
  return bytes[0] === FRAME_BATCH ? readBatch(bytes).frames.length : 1;
}
