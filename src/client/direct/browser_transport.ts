/**
 * The direct transport on a browser's own `RTCPeerConnection`, with flow control: a browser
 * refuses a send (and Chromium throws `OperationError`) once its channel holds 16 MiB not yet
 * sent, so messages past {@linkcode DIRECT_BUFFER_BYTES} wait here, in order, until the
 * channel's buffer drains.
 *
 * @module
 */
import { joinBytes } from "../../protocol/direct.ts";
import type { IceServer } from "../../protocol/mod.ts";
import { ChannelTransport, type DirectTransportFactory } from "./transport.ts";
import { DIRECT_BUFFER_BYTES } from "../constants.ts";

/**
 * Largest message joined in the reused buffer; a larger one gets a buffer of its own, so the
 * transport never holds more than this between messages.
 */
const REUSED_JOIN_BYTES = 256 * 1024;

/**
 * A transport on the runtime's own `RTCPeerConnection` (browsers), if there is one.
 *
 * @returns The factory, or `undefined` where the runtime has no WebRTC.
 *
 * @example Usage
 * ```ts
 * import { browserTransport } from "./browser_transport.ts";
 * const factory = browserTransport(); // undefined in Deno
 * console.assert(factory === undefined || typeof factory === "function");
 * ```
 */
export function browserTransport(): DirectTransportFactory | undefined {
  const PC = (globalThis as { RTCPeerConnection?: typeof RTCPeerConnection }).RTCPeerConnection;
  return PC ? webrtcTransport(PC) : undefined;
}

/**
 * A standard `RTCPeerConnection` class: a browser's, or a native binding's outside the browser.
 * Named without the DOM's types, so that a program built without them (Node's) can name it.
 */
export type PeerConnectionClass = new (config: { iceServers: IceServer[] }) => unknown;

/**
 * A transport on any standard `RTCPeerConnection` class: a browser's, or a native binding's
 * outside the browser (`native_transport.ts`).
 *
 * @example Usage
 * ```ts
 * import { webrtcTransport } from "./browser_transport.ts";
 * export const onTheBrowsers = () => webrtcTransport(RTCPeerConnection);
 * ```
 *
 * @param PC The class.
 * @returns The factory.
 */
export function webrtcTransport(PC: PeerConnectionClass): DirectTransportFactory {
  const Standard = PC as unknown as typeof RTCPeerConnection;
  return (options) => new BrowserTransport(new Standard({ iceServers: options.iceServers ?? [] }));
}

/** A message waiting for the channel's buffer to drain. */
type Waiting = string | Uint8Array | { head: Uint8Array; body: Uint8Array };

/** Bytes a message takes in the channel's buffer (text at most three per UTF-16 unit). */
function sizeOf(m: Waiting): number {
  if (typeof m === "string") return m.length * 3;
  return m instanceof Uint8Array ? m.length : m.head.length + m.body.length;
}

/** Where the channel's buffer must fall before what waits goes on. */
const LOW_BYTES = DIRECT_BUFFER_BYTES / 2;

// A message goes now if it fits under the mark, or if the buffer is low whatever its size:
// the low event fires only when the buffer falls to the low mark, so below it nothing waits.
function fits(channel: RTCDataChannel, size: number): boolean {
  return channel.bufferedAmount <= LOW_BYTES ||
    channel.bufferedAmount + size <= DIRECT_BUFFER_BYTES;
}

class BrowserTransport extends ChannelTransport {
  #channel: RTCDataChannel | undefined;
  // Joined messages are written here: `RTCDataChannel.send` copies what it is given before it
  // returns, and a browser takes tens of microseconds to allocate a buffer of 60 KB, about
  // what the rest of a direct send costs.
  #joined = new Uint8Array(0);
  /**
   * Messages waiting for the channel's buffer to drain, oldest first: text, bytes this
   * transport owns, or a head and body to join as they go (the body is the caller's, and
   * the caller keeps it unchanged until it is acknowledged anyway).
   */
  #waiting: Waiting[] = [];
  #waitingHead = 0;

  constructor(private readonly connection: RTCPeerConnection) {
    super(connection);
    connection.ondatachannel = (event) => this.#adopt(event.channel);
    connection.onconnectionstatechange = () => {
      const state = connection.connectionState;
      if (state === "failed" || state === "closed") this.ended();
    };
  }

  protected createChannel(): void {
    this.#adopt(this.connection.createDataChannel("superpeer", { ordered: true }));
  }

  send(data: string | Uint8Array): void {
    const channel = this.#open();
    if (this.#ready(channel, sizeOf(data))) this.#hand(channel, data);
    else this.#waiting.push(typeof data === "string" ? data : data.slice());
  }

  sendJoined(head: Uint8Array, body: Uint8Array): void {
    const channel = this.#open();
    if (this.#ready(channel, head.length + body.length)) {
      this.#hand(channel, this.#join(head, body));
    } else this.#waiting.push({ head, body });
  }

  protected closeConnection(): void {
    this.#waiting = [];
    this.#waitingHead = 0;
    this.#channel?.close();
    this.connection.close();
  }

  #open(): RTCDataChannel {
    const channel = this.#channel;
    if (!channel || channel.readyState !== "open") throw new TypeError("Channel is not open");
    return channel;
  }

  /** Whether a message of `size` bytes may go now: nothing waits, and it fits. */
  #ready(channel: RTCDataChannel, size: number): boolean {
    return this.#waitingHead === this.#waiting.length && fits(channel, size);
  }

  /** Head and body in one array: the reused buffer, or a new one for a large message. */
  #join(head: Uint8Array, body: Uint8Array): Uint8Array {
    const length = head.length + body.length;
    if (length > REUSED_JOIN_BYTES) return joinBytes(head, body);
    if (this.#joined.length < length) {
      this.#joined = new Uint8Array(Math.min(REUSED_JOIN_BYTES, Math.max(length, 64 * 1024)));
    }
    this.#joined.set(head);
    this.#joined.set(body, head.length);
    return this.#joined.subarray(0, length);
  }

  #hand(channel: RTCDataChannel, data: string | Uint8Array): void {
    if (typeof data === "string") channel.send(data);
    else channel.send(data as Uint8Array<ArrayBuffer>);
  }

  /** The channel's buffer fell low: send what waits, in order, up to the mark. */
  #drain(): void {
    const channel = this.#channel;
    if (!channel || channel.readyState !== "open") return;
    while (this.#waitingHead < this.#waiting.length) {
      const next = this.#waiting[this.#waitingHead];
      if (!fits(channel, sizeOf(next))) break;
      this.#waitingHead++;
      this.#hand(
        channel,
        typeof next === "string" || next instanceof Uint8Array
          ? next
          : this.#join(next.head, next.body),
      );
    }
    if (this.#waitingHead === this.#waiting.length) {
      this.#waiting = [];
      this.#waitingHead = 0;
    }
  }

  #adopt(channel: RTCDataChannel): void {
    this.#channel = channel;
    channel.binaryType = "arraybuffer";
    channel.bufferedAmountLowThreshold = LOW_BYTES;
    channel.onbufferedamountlow = () => this.#drain();
    channel.onopen = () => this.opening();
    channel.onclose = () => this.ended();
    channel.onmessage = (event) =>
      this.receive(typeof event.data === "string" ? event.data : new Uint8Array(event.data));
  }
}
