/**
 * `Peer`: a node of the network, with nothing but a URL and an identity. It composes the
 * rooms beside it: a reconnecting {@linkcode Connection}, request/reply matching, the
 * exactly-once layer, the direct upgrade policy, the network services and the ledger. A send
 * goes straight down: `send` → exactly-once stamp (when reliable or direct) → the direct
 * channel if one is open, else a relay frame on the connection.
 *
 * @module
 */
import { CLOSE_CODES } from "../protocol/errors.ts";
import type { ControlReplies, ControlType } from "../protocol/control_map.ts";
import type { ErrorMessage, ServerMessage, Welcome } from "../protocol/messages.ts";
import type { Limits } from "../protocol/limits.ts";
import type { PeerInfo, PeerPresence } from "../protocol/service_messages.ts";
import {
  type CloseDetail,
  Connection,
  type PeerState,
  type ReconnectingDetail,
  type SendResult,
} from "./connection.ts";
import { browserTransport } from "./lazy_root.ts";
import { PairPaths, reportsThrough } from "./pair_paths.ts";
import { lazyLedger, type LedgerApi } from "./lazy_ledger.ts";
import { LazySwarm, type SwarmApi } from "./lazy_swarm.ts";
import { MessageStream } from "./message_stream.ts";
import { type RequestMessage, Requests } from "./requests.ts";
import { PeerServices, type TopicOptions } from "./peer_services.ts";
import { TopicGuard } from "./topic_guard.ts";
import { ListenedTarget } from "./listened_target.ts";
import { RelayPath } from "./relay_path.ts";
import { httpUrl } from "./_util.ts";
import { DEFAULT_RECEIVE_BUFFER } from "./constants.ts";
import type { PeerEvents, PeerMessage, PeerOptions, SealError } from "./peer_options.ts";
import { PeerMarks } from "./peer_marks.ts";

export type { CloseDetail, LedgerApi, PeerEvents, PeerMessage, PeerOptions, PeerState };
export type { ReconnectingDetail, SealError, SendResult, SwarmApi };
// What the home numbers among what it pushes: each is acknowledged once taken.
const NUMBERED = new Set(["topic", "presence", "block", "cosigned", "evidence"]);

/**
 * A peer of the network. Its events and their details are {@linkcode PeerEvents} (`open`,
 * `message`, `close`, `block`, `topic`, `mail`, …); `peer.on(type, handler)` hands the handler
 * the detail, typed. A mail is acknowledged only once a `mail` listener took it.
 *
 * @example Two peers
 * ```ts
 * import { Peer } from "./mod.ts";
 * import { Identity } from "../identity/mod.ts";
 * // Against a running network (`deno task dev`); `bob` is another peer's id.
 * export async function hello(bob: string) {
 *   const alice = new Peer({ url: "ws://127.0.0.1:8787", identity: await Identity.generate() });
 *   await alice.connect();
 *   alice.send(bob, "hello");
 *   for await (const m of alice.messages()) console.log(m.from, m.data);
 * }
 * ```
 */
export class Peer extends ListenedTarget<PeerEvents> {
  readonly #options: PeerOptions;
  readonly #connection: Connection;
  readonly #relay: RelayPath;
  readonly #requests: Requests;
  readonly #pairs: PairPaths;
  readonly #services: PeerServices;
  readonly #swarm: LazySwarm;
  readonly #streams = new Set<MessageStream<PeerMessage>>();
  readonly #marks: PeerMarks;
  readonly #direct: boolean;
  #ledger: LedgerApi | undefined;
  // An offline peer answers no swarm request and no handshake.
  readonly #gone = (peer: string) => (this.#swarm.gone(peer), this.#relay.unreachable(peer));

  /**
   * Makes a peer; it connects on {@linkcode Peer.connect}.
   *
   * @param options URL, identity and connection behaviour.
   */
  constructor(options: PeerOptions) {
    super();
    this.#options = options;
    this.#marks = new PeerMarks(options.identity.peerId, options.marks);
    this.#connection = new Connection(options, {
      welcome: (w) => {
        this.#requests.resume();
        this.#services.resume();
        this.dispatchEvent(new CustomEvent<Welcome>("open", { detail: w }));
      },
      text: (m) => this.#onText(m),
      binary: (bytes) => this.#relay.receive(bytes),
      lost: (why, code) =>
        code === CLOSE_CODES.HOME_MOVED ? this.#requests.requeue() : this.#requests.failAll(why),
      reconnecting: (detail) => this.#emit<ReconnectingDetail>("reconnecting", detail),
      closed: (detail) => this.#closed(detail),
    });
    const sealError = (peer: string, code: SealError["code"], message: string) =>
      this.#emit<SealError>("seal.error", { peer, code, message });
    this.#relay = new RelayPath(this.#connection, {
      signal: (from, data) => this.#onSignal(from, data),
      sequenced: (...m) => this.#pairs.fromRelay(...m),
      plain: (m) => this.#deliver(m),
      swarm: (from, bytes) => this.#swarm.receive(from, bytes, "relay"),
      refused: sealError,
    }, { ...options, marks: this.#marks });
    const sendText = (text: string) => this.#connection.sendText(text);
    const seal = options.seal ?? "required";
    this.#requests = new Requests(sendText, () => this.limits);
    const peer = this.#connection;
    this.#services = new PeerServices({
      request: (m, timeoutMs, resend) => this.#requests.request(m, timeoutMs, resend),
      sendControl: (m) => sendText(JSON.stringify(m)),
      get connected() {
        return peer.state === "open";
      },
      dispatchEvent: (e) => this.dispatchEvent(e),
      listening: (type) => this.listening(type),
      openMail: (m) => this.#relay.openMailMessage(m),
      sealMail: (to, data) => this.#relay.sealMailBytes(to, data),
      topics: new TopicGuard({ ...options, policy: seal, refused: sealError }),
    }, this.#marks.topics);
    this.#swarm = new LazySwarm({
      sendSwarm: (to, bytes, via) => this.#pairs.sendSwarm(to, bytes, via === "relay"),
      request: (m) => this.#requests.request(m),
      get connected() {
        return peer.state === "open";
      },
    }, options.swarm);
    this.onListen = (type) => this.#services.release(type);
    // The transport given, else the runtime's own WebRTC if direct channels were asked for.
    const transport = options.direct?.transport ??
      (options.direct ? browserTransport() : undefined);
    this.#direct = transport !== undefined;
    this.#pairs = new PairPaths({
      identity: options.identity,
      relay: this.#relay,
      direct: { ...options.direct, transport },
      deliver: (m) => this.#deliver(m),
      changed: (remote, open) => this.#emit("direct", { peer: remote, open }),
      swarm: (from, bytes) => this.#swarm.receive(from, bytes, "direct"),
      lost: (remote) => this.#swarm.pathLost(remote),
      iceServers: () => this.#connection.welcome?.iceServers ?? [],
      reports: reportsThrough(this.#requests, () => this.limits, (m) => this.#emit("error", m)),
    });
    // Evidence heard and checkpoints witnessed from the first connect on.
    const start = () => void this.ledger.start().catch(() => {});
    if (options.trust || options.witness) this.addEventListener("open", start, { once: true });
  }

  /** This peer's id. */
  get peerId(): string {
    return this.#options.identity.peerId;
  }

  /** The connection state. */
  get state(): PeerState {
    return this.#connection.state;
  }

  /** The welcome of the current connection, if open. */
  get welcome(): Welcome | undefined {
    return this.#connection.welcome;
  }

  /** The limits in force: from the last welcome, else the defaults. */
  get limits(): Limits {
    return this.#connection.limits;
  }

  /** Frames waiting to be sent: for a connection, or for a handshake with their peer. */
  get queued(): number {
    return this.#connection.queued + this.#relay.waiting;
  }

  /** The ledger, through this peer's connection and the network's HTTP API. */
  get ledger(): LedgerApi {
    this.#ledger ??= lazyLedger({
      url: httpUrl(this.#options.url),
      fetch: this.#connection.fetch,
      identity: this.#options.identity,
      request: (m) => this.#requests.request(m),
      isOpen: () => this.state === "open",
      onOpen: (listener) => this.addEventListener("open", listener),
      listen: (type, listener) => this.addEventListener(type, listener),
      subscribe: (topic) => this.subscribe(topic),
      emit: (type, detail) => this.#emit(type, detail),
      trust: this.#options.trust,
      witness: this.#options.witness,
    });
    return this.#ledger;
  }

  /** File sharing: `share` content, `fetch` it from its providers. */
  get swarm(): SwarmApi {
    return this.#swarm;
  }

  /** The network services: topics, presence, discovery, mailbox. */
  get services(): PeerServices {
    return this.#services;
  }

  /**
   * Connects, and resolves with the first welcome. Rejects if the network refuses this peer
   * (a bad hello: wrong network, clock far off), or if reconnecting is off and the attempt fails.
   * The peer's marks of its last run are loaded first, so that nothing is taken before them.
   *
   * @returns The welcome.
   */
  connect(): Promise<Welcome> {
    return this.#marks.load().then(() => this.#connection.connect());
  }

  /**
   * Sends a control request over the open connection and resolves with its answer.
   *
   * @param message The request; an `id` is added.
   * @param timeoutMs How long to wait for the answer.
   * @returns The answer, typed by the request's `t`.
   * @throws {ProtocolError} If not connected, refused, or unanswered in time.
   */
  request<T extends ControlType>(
    message: RequestMessage<T>,
    timeoutMs?: number,
  ): Promise<ControlReplies[T]> {
    return this.#requests.request(message, timeoutMs);
  }

  /**
   * Sends a payload to a peer. While connected the frame goes out at once; while connecting
   * or reconnecting it waits in a bounded queue and leaves, in order, on the next welcome.
   *
   * With `mailbox: true` the frame goes through the relay (never a direct channel), and if
   * the destination is offline its home keeps it in its mailbox: the destination gets it as a
   * `mail` event when it connects, and this peer a `mail.notice` (`delivered` or `expired`).
   * Without it, an offline destination is a `PEER_NOT_FOUND` refusal.
   *
   * @param to The destination peer id.
   * @param data Bytes, or a string sent as UTF-8 text. A direct or reliable peer keeps bytes as
   *   given until acknowledged (to send them again after a loss): do not change them after.
   * @param options `mailbox: true` to leave it in the mailbox of an offline destination.
   * @returns `"sent"`, `"queued"` (offline, or a handshake under way), or `"dropped"`.
   * @throws {TypeError} If `to` is not a peer id.
   * @throws {RangeError} If the frame is larger than `MAX_FRAME_BYTES`.
   */
  send(to: string, data: string | Uint8Array, options: { mailbox?: boolean } = {}): SendResult {
    if (options.mailbox) return this.#relay.send(to, data, { mailbox: true });
    if (!this.#direct && !this.#options.reliable) return this.#relay.send(to, data, {});
    this.#relay.assertFits(to, data);
    if (this.state === "closed") return "dropped";
    return this.#pairs.send(to, data);
  }

  /** Sends direct-channel signaling through the relay, to the other's `signal` event. */
  sendSignal(to: string, data: string): SendResult {
    return this.#relay.send(to, data, { signal: true });
  }

  /** Asks for a direct channel to a peer now (needs `options.direct`). */
  upgrade(to: string): void {
    this.#pairs.upgrades.upgrade(to);
  }

  /** Whether traffic to a peer goes over a direct channel now. */
  isDirect(to: string): boolean {
    return this.#pairs.upgrades.open(to) !== undefined;
  }

  /** How traffic to a peer goes now: `direct`, through a TURN server (`turn`), or `relay`. */
  async route(to: string): Promise<"direct" | "turn" | "relay"> {
    const link = this.#pairs.upgrades.open(to); // open, whatever its statistics say: direct
    return link ? await link.route() ?? "direct" : "relay";
  }

  /** Closes the direct channel to a peer as a failure would (traffic falls back to the relay). */
  dropDirect(to: string): void {
    this.#pairs.upgrades.closeLink(to);
  }

  /** Subscribes to a topic, kept across reconnects: see {@linkcode PeerServices.subscribe}. */
  subscribe(topic: string, options?: TopicOptions): Promise<void> {
    return this.#services.subscribe(topic, options);
  }

  /** Ends a subscription: see {@linkcode PeerServices.unsubscribe}. */
  unsubscribe(topic: string): Promise<void> {
    return this.#services.unsubscribe(topic);
  }

  /** Publishes on a topic; resolves with its number once the topic's home took it: see {@linkcode PeerServices.publish}. */
  publish(topic: string, data: string | Uint8Array, options?: TopicOptions): Promise<number> {
    return this.#services.publish(topic, data, options);
  }

  /** Up to `count` online peers at random (of a topic, if given): see {@linkcode PeerServices.findPeers}. */
  findPeers(options: { count?: number; topic?: string } = {}): Promise<PeerInfo[]> {
    return this.#services.findPeers(options);
  }

  /** Whether a peer is online, and its home shard: see {@linkcode PeerServices.lookup}. */
  lookup(peer: string): Promise<PeerPresence> {
    return this.#services.lookup(peer);
  }

  /** Leaves a message in a peer's mailbox: see {@linkcode PeerServices.sendMail}. */
  sendMail(
    to: string,
    data: string | Uint8Array,
    options: { notify?: boolean } = {},
  ): Promise<{ mid: string; status: "delivered" | "stored" }> {
    return this.#services.sendMail(to, data, options);
  }

  /** Messages delivered from now on, as an async iterator: each call its own reader, to close. */
  messages(): AsyncIterableIterator<PeerMessage> {
    const stream = new MessageStream<PeerMessage>(
      this.#options.receiveBuffer ?? DEFAULT_RECEIVE_BUFFER,
    );
    if (this.state === "closed") stream.end();
    else this.#streams.add(stream);
    return stream;
  }

  /** Same as {@linkcode Peer.messages}. */
  [Symbol.asyncIterator](): AsyncIterableIterator<PeerMessage> {
    return this.messages();
  }

  /**
   * Closes the connection for good. What was sent before goes first: if some of it is still
   * being sealed, the close follows once it is handed over. Frames still queued are dropped.
   *
   * @param code The close code. @default 1000
   * @param reason The reason.
   * @returns Settles once the close was handed over and the marks are saved (`marks`): a
   *   program that exits right after a command awaits it, or its marks are lost.
   */
  close(code: number = CLOSE_CODES.NORMAL, reason = "closed by peer"): Promise<void> {
    const sealing = this.#relay.flush();
    const closed = sealing
      ? sealing.then(() => this.#connection.close(code, reason))
      : Promise.resolve(this.#connection.close(code, reason));
    // The close saved what changed (`#closed`); this waits for that save, or makes it.
    return closed.then(() => this.#marks.flush());
  }

  #onText(message: ServerMessage): void {
    // Numbered by the home: acknowledged once taken, repeats included.
    const { seq } = message as { seq?: number };
    if (seq !== undefined && NUMBERED.has(message.t)) this.#services.took(seq);
    switch (message.t) {
      case "error":
        if (this.#requests.refuse(message)) return;
        if (message.code === "PEER_NOT_FOUND" && message.peer) this.#gone(message.peer);
        // Over quota on the relay: whoever can go direct should, now.
        if (message.code === "RESOURCE_LIMIT_EXCEEDED") this.#pairs.upgradeAll();
        this.dispatchEvent(new CustomEvent<ErrorMessage>("error", { detail: message }));
        return;
      case "block":
      case "cosigned":
      case "evidence":
        return this.#services.block(message);
      case "topic":
      case "presence":
      case "mail":
      case "mail.notice":
        return this.#services.receive(message);
      case "welcome":
        return;
      default:
        this.#requests.answer(message);
    }
  }

  #onSignal(from: string, data: string | Uint8Array): void {
    this.#pairs.signal(from, data);
    this.#emit<{ from: string; data: string | Uint8Array }>("signal", { from, data });
  }

  #emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail }));
  }

  #deliver(message: PeerMessage): void {
    for (const stream of this.#streams) stream.push(message);
    this.dispatchEvent(new CustomEvent<PeerMessage>("message", { detail: message }));
  }

  #closed(detail: CloseDetail): void {
    this.#requests.failAll(`Peer closed: ${detail.reason}`);
    this.#pairs.close();
    this.#relay.close();
    this.#services.close();
    this.#swarm.close();
    void this.#marks.flush();
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    this.dispatchEvent(new CustomEvent<CloseDetail>("close", { detail }));
  }
}
