/**
 * A direct, authenticated channel between two peers: signaling through the relay (frames
 * with the signal flag), then a WebRTC data channel on which each side proves its identity
 * key, bound to the DTLS fingerprints it saw. A relay that rewrote the SDP to sit in the
 * middle is detected: the two sides' views differ, the proof fails, the channel is closed.
 *
 * @module
 */
import { base64urlnopad } from "../../encoding/mod.ts";
import type { Identity } from "../../identity/identity.ts";
import { verifySignature } from "../../identity/identity.ts";
import {
  channelBinding,
  channelText,
  joinBytes,
  parseChannelText,
  parseSignal,
} from "../../protocol/direct.ts";
import { ProtocolError } from "../../protocol/errors.ts";
import { type DirectTransport, sdpFingerprint } from "./transport.ts";
import type { ChannelPath } from "./route.ts";
import { DEFAULT_DIRECT_TIMEOUT_MS, MAX_EARLY_DIRECT_MESSAGES } from "../constants.ts";
import { Liveness, LIVENESS_TICK_MS } from "./liveness.ts";

/** Options of a {@linkcode DirectLink}. */
export interface DirectLinkOptions {
  /** Sends a signal to the remote peer through the relay. */
  sendSignal(to: string, data: string): void;
  /** This side's identity (the peer's). */
  identity: Identity;
  /** The other peer's id. */
  remote: string;
  /** `offerer` starts; `answerer` waits for the offer. */
  role: "offerer" | "answerer";
  /** The data channel implementation. */
  transport: DirectTransport;
  /** Time allowed to open and authenticate. @default DEFAULT_DIRECT_TIMEOUT_MS */
  timeoutMs?: number;
  /**
   * Called with each message received, instead of a `message` event: on a busy channel
   * the event made for each message is a measurable part of the receiving side's work.
   */
  message?: (data: string | Uint8Array) => void;
}

/**
 * A direct channel to one peer.
 *
 * @example Usage
 * ```ts
 * import { DirectLink, type DirectLinkOptions } from "./link.ts";
 * // Signals go through the relay (`peer.sendSignal`); the remote's come back as "signal" events.
 * export async function talk(options: DirectLinkOptions, signals: EventTarget) {
 *   const link = new DirectLink(options);
 *   signals.addEventListener("signal", (e) => link.handleSignal((e as CustomEvent).detail));
 *   await link.connect();
 *   link.send("over the direct channel");
 * }
 * ```
 */
export class DirectLink extends EventTarget {
  readonly #o: DirectLinkOptions;
  #offerSdp: string | undefined;
  #answerSdp: string | undefined;
  // Created up front, like the proof below: a signal may arrive before connect() runs.
  #answered!: (sdp: string) => void;
  #offered!: (sdp: string) => void;
  readonly #answer = new Promise<string>((resolve) => this.#answered = resolve);
  readonly #offer = new Promise<string>((resolve) => this.#offered = resolve);
  #remoteAuth!: (sig: string) => void;
  // Created up front: the other side's proof may arrive before this side is ready for it.
  readonly #theirAuth = new Promise<string>((resolve) => this.#remoteAuth = resolve);
  #authenticated = false;
  /** Messages that arrived before this side finished checking the other's proof. */
  readonly #early: (string | Uint8Array)[] = [];
  #closed = false;
  #lastPath: Promise<ChannelPath | undefined> | undefined;
  readonly #liveness = new Liveness(() => this.#control("ping"));
  #keepalive: ReturnType<typeof setInterval> | undefined;
  /** Whether this side sent anything since the keepalive's last check. */
  #sent = false;

  /**
   * Makes a link; nothing happens until {@linkcode DirectLink.connect}.
   *
   * @param options Peer, identity, remote, role and transport.
   */
  constructor(options: DirectLinkOptions) {
    super();
    this.#o = options;
    options.transport.onmessage = (data) => this.#onChannelMessage(data);
    options.transport.onclose = () => this.close();
  }

  /** Whether the channel is open and the other side proved its key. */
  get open(): boolean {
    return this.#authenticated && !this.#closed;
  }

  /**
   * Sets the channel up and authenticates it.
   *
   * @returns Resolves once both sides are proven.
   * @throws {ProtocolError} `DIRECT_AUTH_FAILED` if the proof fails, `DIRECT_FAILED` on timeout
   *   or close.
   */
  async connect(): Promise<void> {
    const { transport, sendSignal, remote, role } = this.#o;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new ProtocolError("DIRECT_FAILED", `No direct channel to "${remote}" in time`)),
        this.#o.timeoutMs ?? DEFAULT_DIRECT_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([
        timeout,
        (async () => {
          if (role === "offerer") {
            this.#offerSdp = await transport.createOffer();
            const answer = new Promise<string>((r) => this.#answered = r);
            sendSignal(remote, JSON.stringify({ t: "offer", sdp: this.#offerSdp }));
            this.#answerSdp = await answer;
            await transport.acceptAnswer(this.#answerSdp);
          } else {
            this.#offerSdp = await this.#offer;
            this.#answerSdp = await transport.acceptOffer(this.#offerSdp);
            sendSignal(remote, JSON.stringify({ t: "answer", sdp: this.#answerSdp }));
          }
          await transport.opened.catch(() => {
            throw new ProtocolError(
              "DIRECT_FAILED",
              `Direct channel to "${remote}" closed while opening`,
            );
          });
          await this.#authenticate();
        })(),
      ]);
    } catch (error) {
      this.close();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    // Closed meanwhile (replaced by a new offer, the peer closed): not opened after all.
    if (this.#closed) {
      throw new ProtocolError(
        "DIRECT_FAILED",
        `Direct channel to "${remote}" closed while opening`,
      );
    }
    // A lost path is noticed in seconds (see `liveness.ts`), not at WebRTC's 30 s. The first
    // ping asks whether the other side keeps the keepalive (an older client does not).
    this.#liveness.heard();
    this.#control("ping");
    this.#keepalive = setInterval(() => {
      const sent = this.#sent;
      this.#sent = false;
      if (this.#closed || this.#liveness.tick(sent) === "lost") this.close();
    }, LIVENESS_TICK_MS);
    this.dispatchEvent(new Event("open"));
    // What the other side sent once it had checked our proof, while we still checked theirs.
    for (const data of this.#early.splice(0)) this.#onChannelMessage(data);
  }

  /**
   * Takes a signaling message that came through the relay from the remote peer.
   *
   * @param detail The `signal` event's detail.
   */
  handleSignal(detail: { from: string; data: string | Uint8Array }): void {
    if (detail.from !== this.#o.remote) return;
    const m = parseSignal(detail.data);
    if (m?.t === "offer" && this.#o.role === "answerer") this.#offered(m.sdp);
    else if (m?.t === "answer" && this.#o.role === "offerer") this.#answered(m.sdp);
    else if (m?.t === "close") this.close();
  }

  /**
   * Sends on the authenticated channel.
   *
   * @param data Text or bytes.
   * @throws {TypeError} If the channel is not open.
   */
  send(data: string | Uint8Array): void {
    if (!this.open) throw new TypeError("Direct channel is not open");
    this.#sent = true;
    // Text frames on the channel are this module's; application text is tagged.
    this.#o.transport.send(typeof data === "string" ? channelText(data) : data);
  }

  /**
   * Sends one binary message made of `head` then `body`, joined by the transport where it
   * can (see `DirectTransport.sendJoined`).
   *
   * @param head The first bytes (a message type and stamp).
   * @param body The rest.
   * @throws {TypeError} If the channel is not open.
   */
  sendJoined(head: Uint8Array, body: Uint8Array): void {
    if (!this.open) throw new TypeError("Direct channel is not open");
    this.#sent = true;
    const transport = this.#o.transport;
    if (transport.sendJoined) transport.sendJoined(head, body);
    else transport.send(joinBytes(head, body));
  }

  /**
   * Which way the channel's packets go, as its WebRTC statistics say.
   *
   * @returns `direct`, or `turn` when one end's candidate is a TURN server's; `undefined` when
   *   the statistics do not say (no pair selected yet, or a transport without them).
   */
  async route(): Promise<"direct" | "turn" | undefined> {
    return await this.#o.transport.route?.().catch(() => undefined);
  }

  /**
   * The channel's route and the bytes its selected candidate pair moved, where the transport
   * says.
   *
   * @returns The path, or `undefined`.
   */
  async path(): Promise<ChannelPath | undefined> {
    if (this.#lastPath) return await this.#lastPath;
    return await this.#o.transport.path?.().catch(() => undefined);
  }

  /** Closes the channel. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Its last figures, read as it closes: what it moved since the last report still counts.
    this.#lastPath = this.path();
    clearInterval(this.#keepalive);
    this.#o.transport.close();
    this.dispatchEvent(new Event("close"));
  }

  async #authenticate(): Promise<void> {
    const { identity, remote, role, transport } = this.#o;
    const offerFp = sdpFingerprint(this.#offerSdp!) ?? "";
    const answerFp = sdpFingerprint(this.#answerSdp!) ?? "";
    const [offerer, answerer] = role === "offerer"
      ? [identity.peerId, remote]
      : [remote, identity.peerId];
    const binding = channelBinding(offerFp, answerFp, offerer, answerer);
    transport.send(
      channelText({ t: "auth", sig: base64urlnopad.encode(await identity.sign(binding)) }),
    );
    const sig = await this.#theirAuth;
    let bytes: Uint8Array;
    try {
      bytes = base64urlnopad.decode(sig);
    } catch {
      bytes = new Uint8Array();
    }
    if (!await verifySignature(remote, bytes, binding)) {
      throw new ProtocolError(
        "DIRECT_AUTH_FAILED",
        `Peer "${remote}" did not prove its key over the fingerprints seen here`,
      );
    }
    this.#authenticated = true;
  }

  #onChannelMessage(data: string | Uint8Array): void {
    const text = typeof data === "string" ? parseChannelText(data) : undefined;
    if (text?.t === "auth") return this.#remoteAuth(text.sig);
    if (this.#closed) return;
    const keepalive = text?.t === "ping" || text?.t === "pong";
    this.#liveness.heard(keepalive);
    if (text?.t === "ping") return this.#control("pong");
    if (text?.t === "pong") return;
    // Data, to a side that sent nothing for a while: its answer tells the other side the path
    // works, though that side's ping may wait behind what it queued.
    if (this.#keepalive && this.#liveness.nudge()) this.#control("pong");
    if (!this.#authenticated) {
      // Kept, bounded, until this side's check ends: delivered if it passes, dropped if not.
      if (this.#early.length < MAX_EARLY_DIRECT_MESSAGES) this.#early.push(data);
      return;
    }
    if (typeof data === "string") {
      if (text?.t === "text") this.#deliver(text.text);
      return;
    }
    this.#deliver(data);
  }

  /** Sends a ping or pong; a channel that cannot take it any more is closed. */
  #control(t: "ping" | "pong"): void {
    this.#sent = true;
    try {
      this.#o.transport.send(channelText({ t }));
    } catch {
      this.close();
    }
  }

  #deliver(data: string | Uint8Array): void {
    if (this.#o.message) this.#o.message(data);
    else this.dispatchEvent(new CustomEvent("message", { detail: data }));
  }
}
