/**
 * A sender made of the reference client's connection (batching on or off), shaped like the
 * raw sockets the relay benchmark drives, so that it is timed by the same loops.
 *
 * @module
 */
import { Connection } from "../../src/client/connection.ts";
import { Peer } from "../../src/client/peer.ts";
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

/** The part of a WebSocket the benchmark's loops read from. */
export interface Receiver {
  /** Hears each message delivered (binary: one frame's worth). */
  onmessage: ((event: MessageEvent) => void) | null;
  /** Closes it. */
  close(): void;
}

const ONE_FRAME = new Uint8Array([0, 0]).buffer;

/**
 * Two reference peers as a pair the benchmark's loops drive: the sender's `send` sends its
 * payload to the receiver with `Peer.send`, and the receiver reports each message the
 * application gets. With sealing on, each message is sealed at one end and opened at the
 * other. The first message is sent and awaited before the pair is handed over, so that the
 * pair's handshake is not timed.
 *
 * @param url The network's URL.
 * @param network The network id.
 * @param from The sender's identity.
 * @param to The receiver's identity.
 * @param payload What each message carries.
 * @param seal The peers' `seal` option.
 * @returns The sender and the receiver.
 *
 * @example Usage
 * ```ts
 * import { peerPair } from "./client_pair.ts";
 * import type { Identity } from "../../src/identity/mod.ts";
 * export async function one(url: string, a: Identity, b: Identity) {
 *   const { sender, receiver } = await peerPair(url, "bench", a, b, new Uint8Array(64), "required");
 *   sender.send(new Uint8Array(0));
 *   sender.close();
 *   receiver.close();
 * }
 * ```
 */
export async function peerPair(
  url: string,
  network: string,
  from: Identity,
  to: Identity,
  payload: Uint8Array,
  seal: "required" | false,
): Promise<{ sender: Sender; receiver: Receiver }> {
  const make = (identity: Identity) =>
    new Peer({ url, network, identity, seal, reconnect: false, receiveBuffer: 1 });
  const a = make(from);
  const b = make(to);
  await Promise.all([a.connect(), b.connect()]);
  const first = new Promise((resolve) => b.addEventListener("message", resolve, { once: true }));
  a.send(to.peerId, payload);
  await first;
  const receiver: Receiver = {
    onmessage: null,
    close: () => b.close(),
  };
  b.addEventListener(
    "message",
    () => receiver.onmessage?.(new MessageEvent("message", { data: ONE_FRAME })),
  );
  const sender: Sender = {
    send: () => void a.send(to.peerId, payload),
    close: () => a.close(),
    onmessage: null,
  };
  // A refusal or a sealing error reaches the loop as a refused frame would.
  for (const type of ["error", "seal.error"]) {
    a.addEventListener(type, (e) => {
      const data = JSON.stringify((e as CustomEvent).detail);
      sender.onmessage?.(new MessageEvent("message", { data }));
    });
  }
  return { sender, receiver };
}
