/**
 * One interface for a WebRTC data channel, with an implementation per runtime: the browser's
 * `RTCPeerConnection` in `browser_transport.ts`, `werift` for Deno and Node in
 * `werift_transport.ts` (kept out of the main entry so that browser bundles do not pull in
 * Node modules).
 *
 * @module
 */
import type { IceServer } from "../../protocol/mod.ts";
import { type ChannelPath, pathOfStats } from "./route.ts";

/** Options every transport takes. */
export interface DirectTransportOptions {
  /** STUN/TURN servers; none are needed on one machine. */
  iceServers?: IceServer[];
}

/**
 * A data channel being set up or open. The offerer calls `createOffer()` then
 * `acceptAnswer()`; the answerer calls `acceptOffer()`. SDP carries its gathered candidates
 * (no trickle), so one message each way sets the channel up.
 */
export interface DirectTransport {
  /** Makes the offer: local SDP with its candidates. */
  createOffer(): Promise<string>;
  /** Answers an offer with local SDP. */
  acceptOffer(sdp: string): Promise<string>;
  /** Takes the answer to our offer. */
  acceptAnswer(sdp: string): Promise<void>;
  /** Resolves when the data channel is open; rejects if it closes first. */
  readonly opened: Promise<void>;
  /** Sends on the open channel. */
  send(data: string | Uint8Array): void;
  /**
   * Sends one binary message, `head` then `body`, on the open channel. Optional: where it is
   * missing the caller joins the two and calls `send`. A transport whose channel copies what
   * it is given can join them into a buffer it reuses, and save allocating one per message.
   */
  sendJoined?(head: Uint8Array, body: Uint8Array): void;
  /** Called with each message received. */
  onmessage: ((data: string | Uint8Array) => void) | undefined;
  /** Called once when the channel or the connection closes. */
  onclose: (() => void) | undefined;
  /** Closes the channel and the connection. */
  close(): void;
  /**
   * Which way the packets go (`direct`, or `turn` through a TURN server), once a candidate
   * pair is selected. Optional: a transport without it is taken as `direct`.
   */
  route?(): Promise<"direct" | "turn" | undefined>;
  /**
   * The route, the bytes (sent and received) the selected candidate pair moved, and whether
   * this end's candidate is a TURN server's. Optional: a transport without it reports no TURN
   * bytes.
   */
  path?(): Promise<{ route: "direct" | "turn"; bytes: number; localRelay: boolean } | undefined>;
}

/**
 * Makes transports, at once or once its code is loaded (the root's `browserTransport` loads the
 * browser's on the first channel).
 */
export type DirectTransportFactory = (
  options: DirectTransportOptions,
) => DirectTransport | Promise<DirectTransport>;

/**
 * Whether candidates stopped coming long enough to send what there is: 300 ms after a TURN
 * server's candidate, 1 s after a STUN server's. (A native libwebrtc stayed "gathering" for
 * more than 8 s over addresses that never answered, its last candidate 106 ms after the offer.)
 *
 * @example Usage
 * ```ts
 * import { quietEnough } from "./transport.ts";
 * const sdp = "a=candidate:1 1 udp 25108479 203.0.113.3 53168 typ relay\r\n";
 * console.assert(quietEnough(sdp, 300) && !quietEnough(sdp, 299));
 * ```
 *
 * @param sdp The local SDP so far.
 * @param quietMs Time since its last new candidate, in ms.
 * @returns Whether to send it now.
 */
export function quietEnough(sdp: string, quietMs: number): boolean {
  if (sdp.includes(" typ relay")) return quietMs >= 300;
  return sdp.includes(" typ srflx") && quietMs >= 1_000;
}

/**
 * Reads the DTLS fingerprints from an SDP: the values of all its `a=fingerprint:` lines, in
 * order, joined by `,`. All of them, since a stack may take any one: a relay that added a
 * fingerprint of its own beside the genuine one changes what both sides bind.
 *
 * @param sdp The SDP.
 * @returns The fingerprints (`sha-256 AB:CD:…`), or `undefined` if there is none.
 *
 * @example Usage
 * ```ts
 * import { sdpFingerprint } from "./transport.ts";
 * console.assert(sdpFingerprint("v=0\r\na=fingerprint:sha-256 AB:CD\r\n") === "sha-256 AB:CD");
 * ```
 */
export function sdpFingerprint(sdp: string): string | undefined {
  const all = [...sdp.matchAll(/^a=fingerprint:(.+?)\s*$/gm)].map((m) => m[1]);
  return all.length > 0 ? all.join(",") : undefined;
}

/** The part of an `RTCPeerConnection` the negotiation needs; browsers and werift share it. */
export interface PeerConnectionLike {
  /** Makes an offer. */
  createOffer(): Promise<{ type: string; sdp?: string }>;
  /** Makes an answer. */
  createAnswer(): Promise<{ type: string; sdp?: string }>;
  /** Sets the local description. */
  // deno-lint-ignore no-explicit-any
  setLocalDescription(description: any): Promise<unknown>;
  /** Sets the remote description. */
  setRemoteDescription(description: { type: "offer" | "answer"; sdp: string }): Promise<unknown>;
  /** The local description, with its candidates once gathered. */
  readonly localDescription: { sdp: string } | null | undefined;
  /** `complete` once every candidate is gathered. */
  readonly iceGatheringState: string;
  /** Its statistics (an `RTCStatsReport`, a map by id). */
  getStats?(): Promise<{ values(): Iterable<unknown> }>;
}

/**
 * What every transport shares: the offer/answer exchange (SDP with gathered candidates), the
 * `opened` promise and the one-time close. A subclass wires its runtime's channel events to
 * {@linkcode ChannelTransport.opening}, {@linkcode ChannelTransport.receive} and
 * {@linkcode ChannelTransport.ended}.
 *
 * @example A subclass
 * ```ts
 * import { ChannelTransport } from "./transport.ts";
 * // Each runtime's WebRTC fills in these three; the base class does the rest.
 * export type Hooks = Pick<ChannelTransport, "send">;
 * console.assert(typeof ChannelTransport === "function");
 * ```
 */
export abstract class ChannelTransport implements DirectTransport {
  /** Resolves when the data channel is open; rejects if it closes first. */
  readonly opened: Promise<void>;
  #open!: () => void;
  #fail!: (e: Error) => void;
  #closed = false;
  /** Called with each message received. */
  onmessage: ((data: string | Uint8Array) => void) | undefined;
  /** Called once when the channel or the connection closes. */
  onclose: (() => void) | undefined;

  /**
   * Wires the negotiation to a peer connection.
   *
   * @param pc The peer connection the subclass made.
   */
  constructor(protected readonly pc: PeerConnectionLike) {
    this.opened = new Promise((resolve, reject) => {
      this.#open = resolve;
      this.#fail = reject;
    });
    this.opened.catch(() => {});
  }

  /** The offerer makes the data channel (the answerer receives it). */
  protected abstract createChannel(): void;
  /** Closes the channel and the connection. */
  protected abstract closeConnection(): void;
  abstract send(data: string | Uint8Array): void;

  async createOffer(): Promise<string> {
    this.createChannel();
    await this.pc.setLocalDescription(await this.pc.createOffer());
    return await this.#gathered();
  }

  async acceptOffer(sdp: string): Promise<string> {
    await this.pc.setRemoteDescription({ type: "offer", sdp });
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    return await this.#gathered();
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: "answer", sdp });
  }

  close(): void {
    this.closeConnection();
    this.ended();
  }

  /**
   * Which way the packets go, from the connection's statistics (`routeOfStats`).
   *
   * @returns `direct` or `turn`, or `undefined` while no candidate pair is selected.
   */
  async route(): Promise<"direct" | "turn" | undefined> {
    return (await this.path())?.route;
  }

  /**
   * Which way the packets go and the bytes they took, from the connection's statistics
   * (`pathOfStats`).
   *
   * @returns The path, or `undefined` while no candidate pair is selected.
   */
  async path(): Promise<ChannelPath | undefined> {
    const stats = await this.pc.getStats?.();
    return stats ? pathOfStats(stats.values() as Iterable<Record<string, unknown>>) : undefined;
  }

  /** The subclass's channel opened. */
  protected opening(): void {
    this.#open();
  }

  /** A message arrived on the subclass's channel. */
  protected receive(data: string | Uint8Array): void {
    this.onmessage?.(data);
  }

  /** The channel or the connection ended; tells once. */
  protected ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fail(new Error("Direct channel closed"));
    this.onclose?.();
  }

  // Candidates travel inside the SDP, so wait for gathering: until it is complete, or until the
  // candidates stopped coming once a server's came (a TURN server's comes last; a stack may
  // stay "gathering" for seconds over an address that never answers), or 5 s at most.
  async #gathered(): Promise<string> {
    const deadline = Date.now() + 5_000;
    let candidates = 0;
    let changedAt = Date.now();
    while (this.pc.iceGatheringState !== "complete" && Date.now() < deadline) {
      const sdp = this.pc.localDescription?.sdp ?? "";
      const count = sdp.split("a=candidate:").length - 1;
      if (count !== candidates) [candidates, changedAt] = [count, Date.now()];
      else if (quietEnough(sdp, Date.now() - changedAt)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.pc.localDescription!.sdp;
  }
}
