/**
 * The SuperPeer Durable Object: the home of one shard. It holds the hibernating sockets of
 * the peers homed here and relays their frames, to a local socket directly or to another
 * shard's object by RPC. The runtime entry points are thin: each restores what it needs
 * and calls one named handler.
 *
 * @module
 */
import { DurableObject, type DurableObjectState, type DurableObjectStub } from "cloudflare:workers";
import { base64urlnopad } from "@scure/base";
import {
  blocksTopic,
  CLOSE_CODES,
  decodeFrame,
  deliverInPlace,
  type ErrorCode,
  errorReply,
  FLAG_SIGNAL,
  FRAME_HEADER_BYTES,
  FRAME_SEND,
  isSendTo,
  KEEPALIVE_PING,
  KEEPALIVE_PONG,
  type MailNotice,
  overUtf8Bytes,
  parseServiceRequest,
  type PeerInfo,
  PROTOCOL_VERSION,
  RateLimiter,
  SERVICE_REQUEST_TYPES,
  wantsMailbox,
  type Welcome,
} from "../src/protocol/mod.ts";
import { HomeCache, shardName, shardOf, ShardQueue } from "../src/routing/mod.ts";
import { type Env, INTERNAL_HEADERS, type NetworkConfig, networkConfig } from "./config.ts";
import { jsonError } from "./http_error.ts";
import { submitByHome } from "./ledger_routing.ts";
import { z } from "zod";
import { isAccountId } from "../src/ledger/mod.ts";
import { LedgerHost } from "./ledger_host.ts";
import { type ServiceAnswer, Services } from "./services.ts";
import type { Publish, PublishOutcome } from "./pubsub.ts";
import type { PutOutcome } from "./mailbox.ts";
import type { PresenceView } from "./presence.ts";
import type {
  AccountView,
  Receipt,
  SignedBlockHeader,
  TxOutcome,
  TxProof,
  TxRecord,
} from "../src/ledger/mod.ts";

/** What each socket carries through hibernation. */
interface Attachment {
  peer: string;
  session: string;
  since: number;
}

/** What a socket needs in memory; rebuilt lazily after a wake. */
interface SocketState extends Attachment {
  limiter: RateLimiter;
  /** The peer id as ASCII bytes, written into every frame this peer sends. */
  peerBytes: Uint8Array;
  /** Start of the current relay quota window, and payload bytes relayed in it. */
  quotaStart: number;
  quotaBytes: number;
  /** The destination of this peer's last frame. */
  lastTo?: { id: string; bytes: Uint8Array; home: number };
  /** When this peer last sent a frame (keepalives are timed by the runtime). */
  lastFrame: number;
}

/** A frame on its way to another shard. */
interface Outgoing {
  from: string;
  seq: number;
  to: string;
  frame: Uint8Array;
}

/** Counters of one super-peer since it last started. */
export interface RelayStats {
  /** Frames received from peers. */
  framesIn: number;
  /** Payload bytes of application frames received from peers (signaling not counted). */
  payloadBytesIn: number;
  /** Frames delivered to a socket on this shard (from here or another shard). */
  delivered: number;
  /** Frames handed to another shard. */
  forwarded: number;
  /** Frames refused with an error reply. */
  refused: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS hello_nonce (nonce TEXT PRIMARY KEY, expires INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS hello_nonce_expires ON hello_nonce (expires);
DROP TABLE IF EXISTS block_listener;
`;

const utf8Decoder = new TextDecoder();

/** A frame of a relayed batch that the destination's home refused, and why. */
interface Refused {
  index: number;
  code: ErrorCode;
  message: string;
}

/** What became of a batch of relayed frames at their destinations' home. */
export interface DeliverOutcome {
  /** Frames whose destination is not connected here (and asked for no mailbox). */
  missing: number[];
  /** Frames for an offline destination that its mailbox could not keep. */
  refused: Refused[];
}

// Control messages a peer may send (besides the keepalive), validated at the boundary.
const ControlSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("tx"), id: z.number().int().nonnegative(), txs: z.array(z.unknown()) }),
  z.object({
    t: z.literal("blocks"),
    id: z.number().int().nonnegative(),
    shard: z.number().int().nonnegative(),
  }),
  z.object({
    t: z.literal("account"),
    id: z.number().int().nonnegative(),
    account: z.string().refine(isAccountId, "not a peer id"),
  }),
]);
const CONTROL_TYPES = new Set(["tx", "account", "blocks"]);

/** Close codes a socket reports when no close frame can be sent back. */
const NO_CLOSE_FRAME = new Set([1005, 1006, 1015]);

/**
 * One shard's super-peer.
 *
 * @example Binding (wrangler.toml)
 * ```toml
 * [[durable_objects.bindings]]
 * name = "SUPER_PEER"
 * class_name = "SuperPeer"
 * ```
 */
export class SuperPeer extends DurableObject<Env> {
  readonly #config: NetworkConfig;
  #shard: number;
  readonly #sockets = new Map<string, WebSocket>();
  readonly #state = new WeakMap<WebSocket, SocketState>();
  readonly #stubs = new Map<number, DurableObjectStub<SuperPeer>>();
  readonly #homes: HomeCache;
  readonly #outbound: ShardQueue<Outgoing>;
  readonly #stats: RelayStats = {
    framesIn: 0,
    payloadBytesIn: 0,
    delivered: 0,
    forwarded: 0,
    refused: 0,
  };
  #ledgerHost: LedgerHost | undefined;
  readonly #services: Services;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#config = networkConfig(env);
    this.#homes = new HomeCache(this.#config.shards);
    ctx.storage.sql.exec(SCHEMA);
    const row = ctx.storage.sql.exec<{ value: string }>(
      "SELECT value FROM meta WHERE key = 'shard'",
    ).toArray()[0];
    this.#shard = row ? Number(row.value) : -1;
    // The keepalive is answered by the runtime, so an idle peer never wakes this object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(KEEPALIVE_PING, KEEPALIVE_PONG));
    for (const ws of ctx.getWebSockets()) {
      const a = ws.deserializeAttachment() as Attachment | null;
      const current = a && this.#sockets.get(a.peer);
      if (a && (!current || this.#attachment(current).since < a.since)) {
        this.#sockets.set(a.peer, ws);
      }
    }
    this.#services = new Services({
      ctx,
      config: this.#config,
      shard: () => this.#shard,
      call: (k, fn, attempts) => this.#call(k, fn, attempts),
      sendText: (peer, text) => {
        const ws = this.#sockets.get(peer);
        if (!ws) return false;
        try {
          ws.send(text);
          return true;
        } catch {
          this.#forget(ws);
          return false;
        }
      },
      isOnline: (peer) => this.#sockets.has(peer),
      lastHeard: (peer) => {
        const ws = this.#sockets.get(peer);
        return ws ? this.#lastHeard(ws) : 0;
      },
      online: () => this.#sockets.keys(),
      wakeBy: (at) => this.#wakeBy(at),
    });
    this.#outbound = new ShardQueue<Outgoing>({
      deliver: (shard, items) => this.#forward(shard, items),
      onUndelivered: (item, reason) => this.#undelivered(item, reason),
      maxQueued: this.#config.limits.MAX_SHARD_QUEUE_FRAMES,
      maxBatch: this.#config.limits.MAX_RELAY_BATCH_FRAMES,
    });
  }

  /** Accepts a peer's WebSocket, already authenticated by the edge. */
  override fetch(request: Request): Response {
    const url = new URL(request.url);
    if (url.pathname !== "/connect" || request.headers.get("upgrade") !== "websocket") {
      return jsonError(404, "NOT_FOUND", "A super-peer only accepts connections from the edge");
    }
    const h = request.headers;
    return this.#accept(
      h.get(INTERNAL_HEADERS.peer) ?? "",
      Number(h.get(INTERNAL_HEADERS.shard)),
      h.get(INTERNAL_HEADERS.nonce) ?? "",
      Number(h.get(INTERNAL_HEADERS.ts)),
    );
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> | void {
    const state = this.#socketState(ws);
    state.lastFrame = Date.now();
    this.#stats.framesIn++;
    if (typeof message === "string") return this.#onText(ws, message);
    this.#onFrame(ws, state, new Uint8Array(message));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    const gone = this.#forget(ws);
    // A peer that vanished (1006) or sent no status (1005) gets no close frame back.
    if (!NO_CLOSE_FRAME.has(code)) {
      try {
        ws.close(code, reason);
      } catch {
        // Already closed by the runtime.
      }
    }
    if (gone) await this.#services.disconnected(gone);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    const gone = this.#forget(ws);
    if (gone) await this.#services.disconnected(gone);
  }

  /**
   * Delivers frames relayed from another shard to sockets on this one. A frame for an offline
   * peer that asks for the mailbox is kept there instead.
   *
   * @param to The destination peer of each frame.
   * @param frames The DELIVER frames, ready to send.
   * @returns The frames whose destination is not connected here, and those its mailbox
   *   refused.
   */
  deliver(to: string[], frames: Uint8Array[]): DeliverOutcome | Promise<DeliverOutcome> {
    const missing: number[] = [];
    let mailed: Promise<Refused | null>[] | undefined;
    for (let i = 0; i < frames.length; i++) {
      if (this.#sendTo(to[i], frames[i])) continue;
      if (wantsMailbox(frames[i])) {
        (mailed ??= []).push(
          this.#toMailbox(to[i], frames[i]).then((r) =>
            "error" in r ? { index: i, code: r.error, message: r.message } : null
          ),
        );
      } else missing.push(i);
    }
    // The usual batch has no mailbox frame: answered at once, with no promise in between.
    if (!mailed) return { missing, refused: [] };
    return Promise.all(mailed).then((r) => ({
      missing,
      refused: r.filter((x): x is Refused => x !== null),
    }));
  }

  /**
   * Counters since this object last started, and the peers connected now.
   *
   * @returns The counters.
   */
  stats(): RelayStats & { peers: number } {
    return { ...this.#stats, peers: this.#sockets.size };
  }

  /**
   * Checks and applies transfers whose payer is homed on this shard.
   *
   * @param shard This object's shard (named by the caller, which placed it).
   * @param txs Transfers in JSON form, at most `MAX_TX_BATCH`.
   * @returns One outcome each, committed before this returns.
   */
  ledgerSubmit(shard: number, txs: unknown[]): Promise<TxOutcome[]> {
    return this.#ledger(shard).submit(txs.slice(0, this.#config.limits.MAX_TX_BATCH));
  }

  /**
   * An account homed on this shard.
   *
   * @param shard This object's shard.
   * @param id The account id.
   * @returns Its balance, nonce and shard.
   */
  ledgerAccount(shard: number, id: string): AccountView {
    return this.#ledger(shard).ledger.account(id);
  }

  /**
   * A transfer paid from this shard, with its proof once sealed.
   *
   * @param shard This object's shard.
   * @param hash The transfer's hash.
   * @returns Its record and proof, or `null`.
   */
  ledgerTx(shard: number, hash: string): { record: TxRecord; proof: TxProof | null } | null {
    const ledger = this.#ledger(shard).ledger;
    const record = ledger.transaction(hash);
    return record ? { record, proof: ledger.proof(hash) ?? null } : null;
  }

  /**
   * A block header of this shard.
   *
   * @param shard This object's shard.
   * @param height A height, or `"head"`.
   * @returns The signed header, or `null`.
   */
  ledgerBlock(shard: number, height: number | "head"): SignedBlockHeader | null {
    const ledger = this.#ledger(shard).ledger;
    return (height === "head" ? ledger.head() : ledger.block(height)) ?? null;
  }

  /**
   * Applies receipts another shard owes this one.
   *
   * @param shard This object's shard.
   * @param source The paying shard.
   * @param receipts The receipts.
   * @returns The highest sequence number from `source` applied.
   */
  ledgerReceive(shard: number, source: number, receipts: Receipt[]): Promise<number> {
    return this.#ledger(shard).receive(source, receipts);
  }

  /**
   * Pays the faucet amount into an account homed here.
   *
   * @param shard This object's shard.
   * @param account The account.
   * @returns The outcome.
   */
  ledgerFaucet(shard: number, account: string): Promise<TxOutcome> {
    return this.#ledger(shard).faucet(account);
  }

  // A sealed block goes out on the shard's block topic, like any publish: to the topic's home,
  // then once to each shard with watchers. The height (from 1) numbers it: a repeat is dropped.
  #announce(header: SignedBlockHeader): void {
    this.#services.pubsub.publish({
      topic: blocksTopic(header.shard),
      from: `shard/${header.shard}`,
      n: header.height,
      data: JSON.stringify(header),
    });
  }

  override async alarm(): Promise<void> {
    if (this.#shard >= 0) await this.#ledger(this.#shard).alarm();
    await this.#services.sweep(
      (ws) => this.#lastHeard(ws),
      (ws) => {
        const peer = this.#forget(ws);
        try {
          ws.close(CLOSE_CODES.PRESENCE_TIMEOUT, "No keepalive within the presence timeout");
        } catch {
          // Already closing.
        }
        return peer;
      },
    );
  }

  // Keepalives are answered by the runtime, which keeps the time of the last one.
  #lastHeard(ws: WebSocket): number {
    const ping = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
    return Math.max(ping, this.#state.get(ws)?.lastFrame ?? this.#attachment(ws).since);
  }

  // One alarm serves the ledger and the services: it fires at the earliest time either needs.
  async #wakeBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * At a topic's home: a shard now has subscribers of the topic.
   *
   * @param shard This object's shard.
   * @param topic The topic.
   * @param subscriber The shard with subscribers.
   */
  topicJoin(shard: number, topic: string, subscriber: number): void {
    this.#rememberShard(shard);
    this.#services.pubsub.join(topic, subscriber);
  }

  /**
   * At a topic's home: a shard no longer has subscribers of the topic.
   *
   * @param shard This object's shard.
   * @param topic The topic.
   * @param subscriber The shard.
   */
  topicLeave(shard: number, topic: string, subscriber: number): void {
    this.#rememberShard(shard);
    this.#services.pubsub.leave(topic, subscriber);
  }

  /**
   * At a topic's home: the shards with subscribers.
   *
   * @param shard This object's shard.
   * @param topic The topic.
   * @returns The shards.
   */
  topicShards(shard: number, topic: string): number[] {
    this.#rememberShard(shard);
    return this.#services.pubsub.shardsOf(topic);
  }

  /**
   * At the topics' home: publishes from another shard's peers, in their order.
   *
   * @param shard This object's shard.
   * @param items The publishes.
   * @returns One outcome each.
   */
  topicPublish(shard: number, items: Publish[]): Promise<PublishOutcome[]> {
    this.#rememberShard(shard);
    return this.#services.pubsub.atHome(items);
  }

  /**
   * Hands topic messages from a topic's home to the subscribers here.
   *
   * @param topics The topic of each message.
   * @param texts The messages.
   * @returns The indices of messages with no subscriber here.
   */
  topicDeliver(topics: string[], texts: string[]): number[] {
    return this.#services.pubsub.deliver(topics, texts);
  }

  /**
   * Up to `count` peers connected here, at random.
   *
   * @param shard This object's shard.
   * @param count How many.
   * @param topic Only subscribers of this topic.
   * @returns The sample.
   */
  samplePeers(shard: number, count: number, topic?: string): PeerInfo[] {
    this.#rememberShard(shard);
    return this.#services.sample(count, topic);
  }

  /**
   * A peer homed here: online, or when it left.
   *
   * @param shard This object's shard.
   * @param peer The peer.
   * @returns Its presence.
   */
  lookupPeer(shard: number, peer: string): PresenceView {
    this.#rememberShard(shard);
    return this.#services.presence.lookup(peer);
  }

  /**
   * Stores a message for a peer homed here.
   *
   * @param shard This object's shard.
   * @param mail The message.
   * @returns Its id and status, or `MAILBOX_FULL`.
   */
  mailPut(
    shard: number,
    mail: { to: string; from: string; data: string; bin?: boolean; notify?: boolean },
  ): Promise<PutOutcome> {
    this.#rememberShard(shard);
    return this.#services.mailbox.put(mail);
  }

  /**
   * Stores a notice for a sender homed here.
   *
   * @param shard This object's shard.
   * @param sender The sender.
   * @param notice What became of its message.
   */
  mailNotice(shard: number, sender: string, notice: Omit<MailNotice, "t" | "mid">): Promise<void> {
    this.#rememberShard(shard);
    return this.#services.mailbox.notice(notice, sender);
  }

  #ledger(shard: number): LedgerHost {
    this.#rememberShard(shard);
    this.#ledgerHost ??= new LedgerHost(
      this.ctx,
      this.env,
      this.#config,
      shard,
      (h) => this.#announce(h),
    );
    return this.#ledgerHost;
  }

  #rememberShard(shard: number): void {
    if (this.#shard === shard) return;
    if (this.#shard >= 0) {
      throw new RangeError(`Super-peer of shard ${this.#shard} asked to act as ${shard}`);
    }
    this.#shard = shard;
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO meta VALUES ('shard', ?)", String(shard));
  }

  #accept(peer: string, shard: number, nonce: string, ts: number): Response {
    const { limits } = this.#config;
    this.#rememberShard(shard);
    // The edge is stateless, so replays are caught here, at the peer's single home.
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM hello_nonce WHERE expires < ?", now);
    const claimed = sql.exec(
      "INSERT OR IGNORE INTO hello_nonce VALUES (?, ?)",
      nonce,
      ts + limits.HELLO_MAX_AGE_MS + limits.MAX_CLOCK_SKEW_MS,
    ).rowsWritten;
    if (claimed === 0) return jsonError(401, "HELLO_REPLAYED", "This hello was already used");

    for (const old of this.ctx.getWebSockets(peer)) {
      this.#forget(old);
      try {
        old.close(CLOSE_CODES.SESSION_REPLACED, "Replaced by a newer session");
      } catch {
        // Already closing.
      }
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [peer]);
    const attachment: Attachment = {
      peer,
      session: base64urlnopad.encode(crypto.getRandomValues(new Uint8Array(12))),
      since: now,
    };
    server.serializeAttachment(attachment);
    this.#sockets.set(peer, server);
    const welcome: Welcome = {
      t: "welcome",
      protocol: PROTOCOL_VERSION,
      network: this.#config.network,
      peer,
      session: attachment.session,
      shard,
      shards: this.#config.shards,
      limits,
    };
    server.send(JSON.stringify(welcome));
    this.#services.connected(peer);
    this.ctx.waitUntil(
      this.#services.scheduleSweep(),
    );
    return new Response(null, { status: 101, webSocket: client });
  }

  async #onText(ws: WebSocket, text: string): Promise<void> {
    const { limits } = this.#config;
    const max = limits.MAX_CONTROL_FRAME_BYTES;
    if (overUtf8Bytes(text, max)) {
      return this.#refuse(ws, "FRAME_TOO_LARGE", `Text frame is over ${max} bytes`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#refuse(ws, "BAD_FRAME", "Text frame is not JSON");
    }
    const t = (value as { t?: unknown } | null)?.t;
    if (typeof t === "string" && SERVICE_REQUEST_TYPES.has(t)) {
      const parsed = parseServiceRequest(value);
      if (!parsed.ok) return this.#malformed(ws, value, parsed.message);
      const answer = await this.#services.handle(this.#socketState(ws).peer, parsed.request);
      return this.#answer(ws, answer, parsed.request as { id?: number });
    }
    const message = ControlSchema.safeParse(value);
    if (!message.success) {
      if (typeof t === "string" && !CONTROL_TYPES.has(t)) {
        return this.#refuse(
          ws,
          "UNKNOWN_FRAME_TYPE",
          `Control message "${t.slice(0, 32)}" is not defined`,
        );
      }
      return this.#malformed(ws, value, message.error.issues[0]?.message);
    }
    const m = message.data;
    if (m.t === "tx") {
      if (m.txs.length > limits.MAX_TX_BATCH) {
        return this.#refuse(
          ws,
          "TX_BATCH_TOO_LARGE",
          `A batch holds at most ${limits.MAX_TX_BATCH} transfers`,
        );
      }
      const results = await submitByHome(
        m.txs,
        this.#config.shards,
        (k, txs) =>
          k === this.#shard ? this.ledgerSubmit(k, txs) : this.#stub(k).ledgerSubmit(k, txs),
      );
      this.#reply(ws, { t: "tx.result", id: m.id, results });
    } else if (m.t === "blocks") {
      if (m.shard >= this.#config.shards) {
        return this.#refuse(ws, "BAD_REQUEST", `No shard ${m.shard}`, undefined, undefined, m.id);
      }
      // Watching is subscribing to the shard's block topic: kept in storage, resumed with the
      // peer's other subscriptions, and counted among them.
      const refused = await this.#services.subscribe(
        this.#socketState(ws).peer,
        blocksTopic(m.shard),
      );
      if (refused) {
        return this.#refuse(ws, refused.error, refused.message, undefined, undefined, m.id);
      }
      const head = m.shard === this.#shard
        ? this.ledgerBlock(m.shard, "head")
        : await this.#stub(m.shard).ledgerBlock(m.shard, "head");
      this.#reply(ws, { t: "blocks.result", id: m.id, shard: m.shard, head });
    } else if (m.t === "account") {
      const k = shardOf(m.account, this.#config.shards);
      const account = k === this.#shard
        ? this.ledgerAccount(k, m.account)
        : await this.#stub(k).ledgerAccount(k, m.account);
      this.#reply(ws, { t: "account.result", id: m.id, account });
    }
  }

  // A request that can be matched to its id gets its refusal matched too.
  #malformed(ws: WebSocket, value: unknown, why: string | undefined): void {
    const id = (value as { id?: unknown } | null)?.id;
    this.#refuse(
      ws,
      "BAD_FRAME",
      `Control message is malformed: ${why}`,
      undefined,
      undefined,
      typeof id === "number" && Number.isSafeInteger(id) && id >= 0 ? id : undefined,
    );
  }

  #answer(ws: WebSocket, answer: ServiceAnswer, m: { id?: number }): void {
    if (answer === null) return;
    if ("error" in answer) {
      return this.#refuse(ws, answer.error, answer.message, undefined, undefined, m.id);
    }
    this.#reply(ws, answer);
  }

  #reply(ws: WebSocket, message: unknown): void {
    try {
      ws.send(JSON.stringify(message));
    } catch {
      // The peer left before its answer was ready.
    }
  }

  #onFrame(ws: WebSocket, state: SocketState, bytes: Uint8Array): void {
    const { limits } = this.#config;
    const seq = bytes.length >= 6
      ? ((bytes[2] << 24) | (bytes[3] << 16) | (bytes[4] << 8) | bytes[5]) >>> 0
      : undefined;
    if (bytes.length > limits.MAX_FRAME_BYTES) {
      return this.#refuse(
        ws,
        "FRAME_TOO_LARGE",
        `Frame is ${bytes.length} bytes, limit is ${limits.MAX_FRAME_BYTES}`,
        seq,
      );
    }
    if (!state.limiter.admit(bytes.length)) {
      return this.#refuse(ws, "RATE_LIMITED", "Rate limit exceeded; frame dropped", seq);
    }
    if (!this.#withinQuota(state, bytes)) {
      return this.#refuse(
        ws,
        "RESOURCE_LIMIT_EXCEEDED",
        `Relay quota of ${limits.RELAY_QUOTA_BYTES} bytes per ${limits.RELAY_QUOTA_WINDOW_MS} ms used up`,
        seq,
      );
    }
    // A peer mostly writes to the one it wrote to last: then the header is checked against
    // the last destination's bytes, and no id string is made.
    let to = state.lastTo;
    if (!to || !isSendTo(bytes, to.bytes)) {
      const decoded = decodeFrame(bytes);
      if (!decoded.ok) return this.#refuse(ws, decoded.code, decoded.message, decoded.seq);
      if (decoded.frame.type !== FRAME_SEND) {
        return this.#refuse(
          ws,
          "UNKNOWN_FRAME_TYPE",
          "Peers send SEND frames only",
          decoded.frame.seq,
        );
      }
      const id = decoded.frame.peer;
      to = {
        id,
        bytes: bytes.slice(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + id.length),
        home: this.#homes.of(id),
      };
      state.lastTo = to;
    }
    if ((bytes[1] & FLAG_SIGNAL) === 0) {
      this.#stats.payloadBytesIn += bytes.length - FRAME_HEADER_BYTES - bytes[6];
    }
    // The SEND's buffer becomes the DELIVER: the payload is neither copied nor re-encoded.
    const out = deliverInPlace(bytes, state.peerBytes);
    if (to.home === this.#shard) {
      if (this.#sendTo(to.id, out)) return;
      if (!wantsMailbox(out)) {
        return this.#refuse(ws, "PEER_NOT_FOUND", `Peer "${to.id}" is not connected`, seq, to.id);
      }
      const dest = to.id;
      this.ctx.waitUntil(
        this.#toMailbox(dest, out).then((r) => {
          if ("error" in r) this.#refuse(ws, r.error, r.message, seq, dest);
        }),
      );
      return;
    }
    const queued = this.#outbound.push(to.home, {
      from: state.peer,
      seq: seq!,
      to: to.id,
      frame: out,
    });
    if (queued) this.#stats.forwarded++;
    else this.#refuse(ws, "OVERLOADED", `Queue to shard ${to.home} is full`, seq, to.id);
  }

  async #call<T>(
    shard: number,
    fn: (stub: DurableObjectStub<SuperPeer>) => Promise<T>,
    attempts = 1,
  ): Promise<T> {
    for (let attempt = 1;; attempt++) {
      try {
        return await fn(this.#stub(shard));
      } catch (error) {
        // A stub that saw an exception may stay broken; the next try gets a fresh one.
        this.#stubs.delete(shard);
        if (attempt >= attempts) throw error;
        await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      }
    }
  }

  #stub(shard: number): DurableObjectStub<SuperPeer> {
    let stub = this.#stubs.get(shard);
    if (!stub) {
      const ns = this.env.SUPER_PEER;
      stub = ns.get(ns.idFromName(shardName(this.#config.network, shard)));
      this.#stubs.set(shard, stub);
    }
    return stub;
  }

  // Payload is counted against the relay quota; signaling (flag bit 1) is not, so that two
  // peers over quota can still set up the direct channel that relieves the relay.
  #withinQuota(state: SocketState, bytes: Uint8Array): boolean {
    if (bytes.length > 1 && (bytes[1] & FLAG_SIGNAL) !== 0) return true;
    const { limits } = this.#config;
    const now = Date.now();
    if (now - state.quotaStart >= limits.RELAY_QUOTA_WINDOW_MS) {
      state.quotaStart = now;
      state.quotaBytes = 0;
    }
    if (state.quotaBytes + bytes.length > limits.RELAY_QUOTA_BYTES) return false;
    state.quotaBytes += bytes.length;
    return true;
  }

  #forward(shard: number, items: Outgoing[]): Promise<number[]> {
    return this.#stub(shard).deliver(items.map((i) => i.to), items.map((i) => i.frame)).then(
      ({ missing, refused }) => {
        for (const { index, code, message } of refused) {
          const item = items[index];
          const ws = this.#sockets.get(item.from);
          if (ws) this.#refuse(ws, code, message, item.seq, item.to);
        }
        return missing;
      },
      (error) => {
        // A stub that saw an exception may stay broken; the next batch gets a fresh one.
        this.#stubs.delete(shard);
        throw error;
      },
    );
  }

  // At the destination's home: a DELIVER for an offline peer becomes a mailbox message from
  // its sender, who hears of its delivery (or expiry) by a notice, as with `mail`.
  async #toMailbox(
    to: string,
    frame: Uint8Array,
  ): Promise<PutOutcome | { error: ErrorCode; message: string }> {
    const decoded = decodeFrame(frame);
    if (!decoded.ok) return { error: decoded.code, message: decoded.message };
    const { peer: from, payload, text } = decoded.frame;
    const data = text ? utf8Decoder.decode(payload) : base64urlnopad.encode(payload);
    return await this.#services.mailbox.put({ to, from, data, bin: !text, notify: true });
  }

  #undelivered(item: Outgoing, reason: "not_found" | "unreachable"): void {
    const ws = this.#sockets.get(item.from);
    if (!ws) return;
    if (reason === "not_found") {
      this.#refuse(ws, "PEER_NOT_FOUND", `Peer "${item.to}" is not connected`, item.seq, item.to);
    } else {
      this.#refuse(
        ws,
        "SHARD_UNAVAILABLE",
        `Home of peer "${item.to}" is unreachable`,
        item.seq,
        item.to,
      );
    }
  }

  #sendTo(peer: string, frame: Uint8Array): boolean {
    const ws = this.#sockets.get(peer);
    if (!ws) return false;
    try {
      ws.send(frame);
    } catch {
      this.#forget(ws);
      return false;
    }
    this.#stats.delivered++;
    return true;
  }

  #refuse(
    ws: WebSocket,
    code: ErrorCode,
    message: string,
    seq?: number,
    peer?: string,
    id?: number,
  ): void {
    this.#stats.refused++;
    try {
      ws.send(errorReply(code, message, seq, peer, id));
    } catch {
      // The sender is gone; nobody to tell.
    }
  }

  #attachment(ws: WebSocket): Attachment {
    return this.#state.get(ws) ?? ws.deserializeAttachment() as Attachment;
  }

  #socketState(ws: WebSocket): SocketState {
    let state = this.#state.get(ws);
    if (!state) {
      const { limits } = this.#config;
      const attachment = ws.deserializeAttachment() as Attachment;
      state = {
        ...attachment,
        peerBytes: new TextEncoder().encode(attachment.peer),
        quotaStart: Date.now(),
        quotaBytes: 0,
        lastFrame: Date.now(),
        limiter: new RateLimiter({
          framesPerSecond: limits.RATE_LIMIT_FRAMES_PER_SECOND,
          burstFrames: limits.RATE_LIMIT_BURST_FRAMES,
          bytesPerSecond: limits.RATE_LIMIT_BYTES_PER_SECOND,
          burstBytes: limits.RATE_LIMIT_BURST_BYTES,
        }),
      };
      this.#state.set(ws, state);
    }
    return state;
  }

  /** Drops a socket; returns its peer if it was that peer's current socket. */
  #forget(ws: WebSocket): string | undefined {
    const peer = this.#attachment(ws)?.peer;
    if (peer === undefined || this.#sockets.get(peer) !== ws) return undefined;
    this.#sockets.delete(peer);
    return peer;
  }
}
