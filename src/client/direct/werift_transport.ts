/**
 * The direct-channel transport for Deno and Node, on `werift` (WebRTC in TypeScript). Import
 * it explicitly; the main entry leaves it out so that browser bundles stay free of Node code.
 *
 * @example Usage
 * ```ts ignore
 * import { weriftTransport } from "./werift_transport.ts";
 * const transport = weriftTransport({ hostAddresses: ["127.0.0.1"] })({ iceServers: [] });
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type RTCDataChannel, RTCPeerConnection } from "werift";
import type {
  DirectTransport,
  DirectTransportFactory,
  DirectTransportOptions,
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
 * @param options Which addresses to gather candidates on.
 * @returns The factory.
 */
export function weriftTransport(options: WeriftOptions = {}): DirectTransportFactory {
  return (transportOptions) => new WeriftTransport(transportOptions, options);
}

class WeriftTransport implements DirectTransport {
  readonly #pc: RTCPeerConnection;
  #channel: RTCDataChannel | undefined;
  readonly opened: Promise<void>;
  #open!: () => void;
  #fail!: (e: Error) => void;
  #closed = false;
  onmessage: ((data: string | Uint8Array) => void) | undefined;
  onclose: (() => void) | undefined;

  constructor(options: DirectTransportOptions, werift: WeriftOptions) {
    const only = werift.hostAddresses;
    this.#pc = new RTCPeerConnection({
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
    this.opened = new Promise((resolve, reject) => {
      this.#open = resolve;
      this.#fail = reject;
    });
    this.opened.catch(() => {});
    this.#pc.onDataChannel.subscribe((channel) => this.#adopt(channel));
    this.#pc.connectionStateChange.subscribe((state) => {
      if (state === "failed" || state === "closed") this.#end();
    });
  }

  async createOffer(): Promise<string> {
    this.#adopt(this.#pc.createDataChannel("superpeer", { ordered: true }));
    await this.#pc.setLocalDescription(await this.#pc.createOffer());
    return await this.#gathered();
  }

  async acceptOffer(sdp: string): Promise<string> {
    await this.#pc.setRemoteDescription({ type: "offer", sdp });
    await this.#pc.setLocalDescription(await this.#pc.createAnswer());
    return await this.#gathered();
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.#pc.setRemoteDescription({ type: "answer", sdp });
  }

  send(data: string | Uint8Array): void {
    if (!this.#channel || this.#channel.readyState !== "open") {
      throw new TypeError("Channel is not open");
    }
    // werift sends a Buffer as binary and a string as text.
    this.#channel.send(typeof data === "string" ? data : Buffer.from(data));
  }

  close(): void {
    this.#channel?.close();
    this.#pc.close().catch(() => {});
    this.#end();
  }

  #adopt(channel: RTCDataChannel): void {
    this.#channel = channel;
    channel.stateChanged.subscribe((state) => {
      if (state === "open") this.#open();
      if (state === "closed") this.#end();
    });
    if (channel.readyState === "open") this.#open();
    channel.onMessage.subscribe((data) =>
      this.onmessage?.(typeof data === "string" ? data : new Uint8Array(data))
    );
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fail(new Error("Direct channel closed"));
    this.onclose?.();
  }

  async #gathered(): Promise<string> {
    const deadline = Date.now() + 5_000;
    while (this.#pc.iceGatheringState !== "complete" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.#pc.localDescription!.sdp;
  }
}
