/**
 * The SuperPeer Durable Object: the home of one shard. This class is a list of doors: the
 * runtime's entry points and the RPC surface other shards and the edge call, each a line or
 * two that hands over to a named room beside it: sessions, admission, relay, control dispatch,
 * ledger host, services, the address gate, one alarm scheduler and one place that calls
 * other shards. Each runtime entry point is guarded (`guard.ts`): what a room throws is logged
 * and answered there, and the socket and the object go on.
 *
 * @module
 */
import { DurableObject, type DurableObjectState } from "cloudflare:workers";
import {
  type AccountView,
  CLOSE_CODES,
  KEEPALIVE_PING,
  KEEPALIVE_PONG,
  type MailNotice,
  type NetworkStats,
  type PeerInfo,
  type PeerPresence,
  type Refusal,
  type RelayStats,
  type StatsAnswer,
  type TxOutcome,
} from "../../src/protocol/mod.ts";
import type { Receipt, SignedBlockHeader } from "../../src/ledger/mod.ts";
import { addressHome, shardOfObject } from "../../src/routing/mod.ts";
import { AddressGate } from "./address_gate.ts";
import { Admission } from "./admission.ts";
import { AlarmScheduler } from "./alarm.ts";
import { type Env, type NetworkConfig, networkConfig } from "../config.ts";
import { readHandoff } from "../handoff.ts";
import { Control } from "./control.ts";
import { jsonError } from "../http_error.ts";
import { ALARM_RETRY_MS, failpoint, guarded, guardedSteps, INTERNAL, requestId } from "./guard.ts";
import { type Observer, observerOf } from "./observer.ts";
import { LedgerHost, localLedger } from "./ledger/ledger_host.ts";
import { emptyStats, Relay } from "./relay.ts";
import type * as Rpc from "../rpc.ts";
import { serviceHost } from "./services/service_host.ts";
import { Services } from "./services/dispatch.ts";
import { Sessions } from "./sessions.ts";
import { Shards } from "../shards.ts";
import { shardFigures } from "./shard_stats.ts";

export type { DeliverOutcome } from "../rpc.ts";

/** Close codes a socket reports when no close frame came, so none can be sent back. */
const { NO_STATUS, ABNORMAL, TLS_FAILED, NORMAL } = CLOSE_CODES;
const NO_CLOSE_FRAME: ReadonlySet<number> = new Set([ABNORMAL, TLS_FAILED]);

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
export class SuperPeer extends DurableObject<Env> implements Rpc.SuperPeerRpc {
  readonly #config: NetworkConfig;
  readonly #shard: number;
  readonly #stats: RelayStats = emptyStats();
  readonly #alarm: AlarmScheduler;
  readonly #shards: Shards;
  readonly #sessions: Sessions;
  readonly #services: Services;
  readonly #admission: Admission;
  readonly #relay: Relay;
  readonly #control: Control;
  readonly #gate: AddressGate;
  readonly #ledger: ReturnType<typeof localLedger>;
  #ledgerHost: LedgerHost | undefined;
  #observer: Observer | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const config = this.#config = networkConfig(env);
    const shard = this.#shard = shardOfObject(ctx.id.name, config.shards);
    // The keepalive is answered by the runtime, so an idle peer never wakes this object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(KEEPALIVE_PING, KEEPALIVE_PONG));
    const alarm = this.#alarm = new AlarmScheduler(ctx.storage);
    const shards = this.#shards = new Shards(env, config);
    const stats = this.#stats;
    const sessions = this.#sessions = new Sessions(ctx, config, shard, stats);
    const services = this.#services = new Services(
      serviceHost({ ctx, config, shard, shards, sessions, alarm }),
    );
    const admission = this.#admission = new Admission(ctx, config, (peer) => {
      const gone = sessions.closePeer(peer, CLOSE_CODES.FLOODING, "Past the rate limit, again");
      ctx.waitUntil(this.#gone(gone));
    });
    const mailbox = services.mailbox;
    const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
    const common = { ctx, config, shard, shards, alarm, stats };
    this.#relay = new Relay({ ...common, sessions, mailbox, admission, waitUntil });
    // Made on first use: most wakes of a shard (relay, services) never touch its ledger.
    const onBlock = (header: SignedBlockHeader) => services.announceBlock(header);
    const host = () => this.#ledgerHost ??= new LedgerHost({ ...common, onBlock });
    // This shard's own ledger calls: for its RPC surface, and answered in place for its peers.
    const ledger = this.#ledger = localLedger(host, config.limits.MAX_TX_BATCH);
    this.#control = new Control({ config, shard, sessions, shards, services, ledger, admission });
    this.#gate = new AddressGate(ctx, config, shards);
    this.#observer = observerOf({ ...common, pubsub: services.pubsub });
  }

  /** Accepts a peer's WebSocket, already authenticated by the edge. */
  override fetch(request: Request): Response | Promise<Response> {
    const internal = () => jsonError(500, "INTERNAL", "Internal error");
    return guarded("fetch", this.#shard, () => this.#accept(request), internal);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> | void {
    const about = () => ({ peer: this.#sessions.of(ws).peer });
    const answer = () => this.#sessions.refuse(ws, INTERNAL, { id: requestId(message) });
    const work = () => this.#onMessage(ws, message);
    return guarded("webSocketMessage", this.#shard, work, answer, about);
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> | void {
    // A peer that vanished (1006) gets no close frame back; one that sent no status (1005,
    // which cannot be sent) gets 1000, else it waits out its own close timeout.
    const sessions = this.#sessions;
    return guarded("webSocketClose", this.#shard, async () => {
      if (NO_CLOSE_FRAME.has(code)) return await this.#gone(sessions.forgetSession(ws));
      await this.#gone(sessions.close(ws, code === NO_STATUS ? NORMAL : code, reason));
    }, () => {});
  }

  override webSocketError(ws: WebSocket): Promise<void> | void {
    const work = () => this.#gone(this.#sessions.forgetSession(ws));
    return guarded("webSocketError", this.#shard, work, () => {});
  }

  override async alarm(): Promise<void> {
    this.#alarm.fired();
    // Each room's part is guarded on its own, so one that throws starves none of the others;
    // it is tried again at the next wake, which a failure brings forward.
    const failed = await guardedSteps(this.#shard, {
      ledger: () => {
        failpoint(this.#config, "ledger.alarm");
        return this.#ledger.alarm();
      },
      sweep: () => this.#services.sweep((ws) => this.#sessions.lastHeard(ws), this.#silent),
      admission: () => this.#admission.sweep(),
      gate: () => this.#gate.sweep(),
      observer: () => this.#observer?.tick(),
    });
    if (failed) await this.#alarm.wakeBy(Date.now() + ALARM_RETRY_MS);
  }

  #onMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> | void {
    const session = this.#sessions.of(ws);
    session.lastFrame = Date.now();
    this.#stats.framesIn++;
    if (typeof message !== "string") {
      return this.#relay.onFrame(ws, session, new Uint8Array(message));
    }
    failpoint(this.#config, "control");
    return this.#control.onText(ws, session.peer, message);
  }

  #accept(request: Request): Response {
    const who = readHandoff(request);
    if (!who) return jsonError(404, "NOT_FOUND", "A super-peer only accepts the edge's hand-off");
    const accepted = this.#sessions.accept(who.peer, who.nonce, who.ts, who.address, who.batch);
    if (!(accepted instanceof Response)) return jsonError(401, accepted.code, accepted.message);
    this.#services.connected(who.peer);
    this.ctx.waitUntil(this.#services.scheduleSweep());
    return accepted;
  }

  // A socket heard nothing in time: closed, and its peer's leave handled.
  #silent = (ws: WebSocket): string | undefined => {
    const gone = this.#sessions.close(ws, CLOSE_CODES.PRESENCE_TIMEOUT, "No keepalive in time");
    this.#left(gone);
    return gone?.peer;
  };

  // A peer's current socket closed: its budget is written down, its address's gate told, its
  // leave announced.
  async #gone(gone: { peer: string; address: string } | undefined): Promise<void> {
    this.#left(gone);
    if (gone) await this.#services.disconnected(gone.peer);
  }

  #left(gone: { peer: string; address: string } | undefined): void {
    if (!gone) return;
    this.#admission.left(gone.peer);
    const { address, peer } = gone;
    const home = addressHome(address, this.#config.shards);
    this.ctx.waitUntil(this.#shards.call(home, (s) => s.addressLeft(address, peer), 3));
  }

  /** Delivers frames relayed from another shard to sockets on this one (see `Relay.deliver`). */
  deliver(to: string[], frames: Uint8Array[]): Rpc.DeliverOutcome | Promise<Rpc.DeliverOutcome> {
    return this.#relay.deliver(to, frames);
  }

  /** Counters since this object last started, and the peers connected now. */
  stats(): Omit<StatsAnswer, "shard"> {
    this.#stats.statsCalls++;
    return shardFigures(
      this.ctx.storage.sql,
      this.#stats,
      this.#sessions.size,
      this.#services.listed(),
    );
  }

  /** At the home of `$stats`: every shard's figures, gathered at most once per interval. */
  networkStats(): Promise<NetworkStats> {
    return this.#observer?.networkStats() ?? Promise.reject(new RangeError("Not the observer"));
  }

  /** At the home of `$stats`: hellos an edge isolate refused, by code. */
  helloRefused(counts: Record<string, number>): void {
    this.#observer?.helloRefused(counts);
  }

  /** Whether a hello's nonce was used already here (the edge explains a failed upgrade). */
  nonceUsed(nonce: string): boolean {
    return this.#sessions.nonceUsed(nonce);
  }

  /** At an address's home: admits a hello from it (its hello bucket, its connections). */
  addressAdmit(address: string, peer: string, connect?: boolean): Promise<Refusal | null> {
    return this.#gate.admit(address, peer, connect);
  }

  /** At an address's home: a connection from it closed. */
  addressLeft(address: string, peer: string): void {
    this.#gate.left(address, peer);
  }

  /** At an address's home: admits a faucet payment asked from it. */
  addressFaucet(address: string): Refusal | null {
    return this.#gate.faucet(address);
  }

  /** Applies transfers whose payer is homed here, each committed before this returns. */
  ledgerSubmit(txs: unknown[]): Promise<TxOutcome[]> {
    return this.#ledger.ledgerSubmit(txs);
  }

  /** An account homed here. */
  ledgerAccount(id: string): AccountView {
    return this.#ledger.ledgerAccount(id);
  }

  /** A transfer applied here, with its proof once sealed; else, at its home, where it is. */
  ledgerTx(hash: string): Rpc.TxLookup {
    return this.#ledger.ledgerTx(hash);
  }

  /** At the hashes' home: another shard applied these transfers. */
  ledgerIndex(shard: number, hashes: string[]): void {
    this.#ledger.ledgerIndex(shard, hashes);
  }

  /** A block header of this shard. */
  ledgerBlock(height: number | "head"): SignedBlockHeader | null {
    return this.#ledger.ledgerBlock(height);
  }

  /** Applies receipts another shard owes this one. */
  ledgerReceive(source: number, receipts: Receipt[]): Promise<number> {
    return this.#ledger.ledgerReceive(source, receipts);
  }

  /** Pays the faucet amount into an account homed here. */
  ledgerFaucet(account: string): Promise<TxOutcome> {
    return this.#ledger.ledgerFaucet(account);
  }

  /** At a topic's home: a shard has subscribers of the topic now (or none left). */
  topicJoin(topic: string, subscriber: number, join = true): void {
    this.#services.pubsub.join(topic, subscriber, join);
  }

  /** At a topic's home: the shards with subscribers. */
  topicShards(topic: string): number[] {
    return this.#services.pubsub.shardsOf(topic);
  }

  /** At the topics' home: publishes from another shard's peers, in their order. */
  topicPublish(items: Rpc.Publish[]): Promise<Rpc.PublishOutcome[]> {
    return this.#services.pubsub.atHome(items);
  }

  /** Hands topic messages from a topic's home to the subscribers here. */
  topicDeliver(topics: string[], texts: string[]): number[] {
    return this.#services.pubsub.deliver(topics, texts);
  }

  /** At a content's home: records, drops or samples its providers. */
  swarmHome(o: Rpc.ProviderOp): Rpc.ProviderAnswer {
    return this.#services.providers.atHome(o);
  }

  /** Up to `count` peers connected here, at random. */
  samplePeers(count: number, topic?: string): PeerInfo[] {
    return this.#services.sample(count, topic);
  }

  /** A peer homed here: online, or when it left. */
  lookupPeer(peer: string): PeerPresence {
    return this.#services.presence.lookup(peer);
  }

  /** Stores a message for a peer homed here. */
  mailPut(mail: Rpc.MailPut): Promise<Rpc.PutOutcome> {
    return this.#services.mailbox.put(mail);
  }

  /** Stores a notice for a sender homed here. */
  mailNotice(sender: string, notice: Omit<MailNotice, "t" | "mid">): Promise<void> {
    return this.#services.mailbox.notice(notice, sender);
  }
}
