/**
 * The direct-channel transport for Deno and Node, on `werift` (WebRTC in TypeScript). Import
 * it explicitly; the main entry leaves it out so that browser bundles stay free of Node code.
 *
 * @example Usage
 * ```ts
 * import { weriftTransport } from "./werift_transport.ts";
 * // Given as `direct: { transport }` to a Peer; it makes one connection per upgrade.
 * const transport = weriftTransport({ hostAddresses: ["127.0.0.1"] });
 * console.assert(typeof transport === "function");
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type RTCDataChannel, RTCPeerConnection } from "werift";
import {
  ChannelTransport,
  type DirectTransport,
  type DirectTransportOptions,
  type PeerConnectionLike,
} from "./transport.ts";

/** Options of {@linkcode weriftTransport}. */
export interface WeriftOptions {
  /**
   * Gather host candidates on these addresses only (e.g. `["127.0.0.1"]` to keep a test on
   * loopback). By default every interface is used, as a browser would.
   */
  hostAddresses?: string[];
}

/**
 * A transport factory on werift.
 *
 * @example Usage
 * ```ts
 * import { weriftTransport } from "./werift_transport.ts";
 * // A Peer's `direct` option (from the npm package: `superpeer/werift`).
 * export const direct = { transport: weriftTransport(), threshold: 16 };
 * ```
 *
 * @param options Which addresses to gather candidates on.
 * @returns The factory (a `DirectTransportFactory` that makes its transports at once).
 */
export function weriftTransport(
  options: WeriftOptions = {},
): (options: DirectTransportOptions) => DirectTransport {
  return (transportOptions) => new WeriftTransport(transportOptions, options);
}

class WeriftTransport extends ChannelTransport {
  #channel: RTCDataChannel | undefined;
  readonly #connection: RTCPeerConnection;

  constructor(options: DirectTransportOptions, werift: WeriftOptions) {
    const only = werift.hostAddresses;
    const connection = new RTCPeerConnection({
      iceServers: options.iceServers ?? [],
      ...(only
        ? {
          iceUseIpv4: false,
          iceUseIpv6: false,
          iceAdditionalHostAddresses: only,
          // Never check a pair whose remote address is outside the allowed ones.
          iceFilterCandidatePair: (pair) => only.includes(pair.remoteCandidate.host),
        }
        : {}),
    });
    super(connection as unknown as PeerConnectionLike);
    this.#connection = connection;
    connection.onDataChannel.subscribe((channel) => this.#adopt(channel));
    connection.connectionStateChange.subscribe((state) => {
      if (state === "failed" || state === "closed") this.ended();
    });
  }

  protected createChannel(): void {
    this.#adopt(this.#connection.createDataChannel("superpeer", { ordered: true }));
  }

  send(data: string | Uint8Array): void {
    // werift sends a Buffer as binary and a string as text.
    this.#open().send(typeof data === "string" ? data : Buffer.from(data));
  }

  sendJoined(head: Uint8Array, body: Uint8Array): void {
    // werift keeps the Buffer it is given, so the join is the one copy made.
    this.#open().send(Buffer.concat([head, body]));
  }

  #open(): RTCDataChannel {
    const channel = this.#channel;
    if (!channel || channel.readyState !== "open") throw new TypeError("Channel is not open");
    return channel;
  }

  protected closeConnection(): void {
    this.#channel?.close();
    this.#connection.close().catch(() => {});
  }

  #adopt(channel: RTCDataChannel): void {
    this.#channel = channel;
    channel.stateChanged.subscribe((state) => {
      if (state === "open") this.opening();
      if (state === "closed") this.ended();
    });
    if (channel.readyState === "open") this.opening();
    channel.onMessage.subscribe((data) =>
      this.receive(typeof data === "string" ? data : new Uint8Array(data))
    );
  }
}
