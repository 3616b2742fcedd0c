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
  type NetworkStats,
  type PeerInfo,
  type PeerPresence,
  type Refusal,
  type StatsAnswer,
  type TxOutcome,
} from "../../src/protocol/mod.ts";
import type { Receipt, SignedBlockHeader } from "../../src/ledger/mod.ts";
import type { SignedSlotMap, SlotMapJson, SlotMapRefusal } from "../../src/routing/mod.ts";
import type { Env } from "../config.ts";
import { jsonError } from "../http_error.ts";
import type * as Rpc from "../rpc.ts";
import { Arrivals } from "./arrivals.ts";
import type { AddressGate } from "./address_gate.ts";
import * as guard from "./guard.ts";
import { openRooms, type Rooms } from "./rooms.ts";

export type { DeliverOutcome } from "../rpc.ts";

/** Close codes a socket reports when no close frame came, so none can be sent back. */
const { NO_STATUS, ABNORMAL, TLS_FAILED, NORMAL, FLOODING } = CLOSE_CODES;
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
  readonly #r: Rooms;
  readonly #a: Arrivals;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#r = openRooms(ctx, env, (peer) => {
      const gone = this.#r.sessions.closePeer(peer, FLOODING, "Past the rate limit, again");
      ctx.waitUntil(this.#a.gone(gone));
    });
    this.#a = new Arrivals(this.#r, ctx);
    // The keepalive is answered by the runtime, so an idle peer never wakes this object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(KEEPALIVE_PING, KEEPALIVE_PONG));
  }

  /** Accepts a peer's WebSocket, already authenticated by the edge. */
  override fetch(request: Request): Response | Promise<Response> {
    const internal = () => jsonError(500, "INTERNAL", "Internal error");
    return guard.guarded("fetch", this.#r.shard, () => this.#a.accept(request), internal);
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> | void {
    // Guarded inline, not through guarded(): the relay's path makes no closure per frame.
    try {
      const done = this.#onMessage(ws, message);
      if (done) return done.catch((error) => this.#frameFailed(ws, message, error));
    } catch (error) {
      this.#frameFailed(ws, message, error);
    }
  }

  override webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> | void {
    // A peer that vanished (1006) gets no close frame back; one that sent no status (1005,
    // which cannot be sent) gets 1000, else it waits out its own close timeout.
    const sessions = this.#r.sessions;
    return guard.guarded("webSocketClose", this.#r.shard, async () => {
      if (NO_CLOSE_FRAME.has(code)) return await this.#a.gone(sessions.forgetSession(ws));
      await this.#a.gone(sessions.close(ws, code === NO_STATUS ? NORMAL : code, reason));
    }, () => {});
  }

  override webSocketError(ws: WebSocket): Promise<void> | void {
    const work = () => this.#a.gone(this.#r.sessions.forgetSession(ws));
    return guard.guarded("webSocketError", this.#r.shard, work, () => {});
  }

  override async alarm(): Promise<void> {
    this.#r.alarm.fired();
    // Each room's part is guarded on its own, so one that throws starves none of the others;
    // it is tried again at the next wake, which a failure brings forward.
    const failed = await guard.guardedSteps(this.#r.shard, {
      ledger: () => {
        guard.failpoint(this.#r.config, "ledger.alarm");
        return this.#r.ledger.alarm();
      },
      sweep: () => this.#r.services.sweep((ws) => this.#r.sessions.lastHeard(ws), this.#a.silent),
      admission: () => this.#r.admission.sweep(),
      gate: () => this.#r.gate.sweep(),
      observer: () => this.#r.observer?.tick(),
    });
    if (failed) await this.#r.alarm.wakeBy(Date.now() + guard.ALARM_RETRY_MS);
  }

  #onMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> | void {
    const session = this.#r.sessions.of(ws);
    // A socket closed for flooding may still have thousands of frames on their way in: they
    // are dropped unread, so that the peer's next connection is not served after them.
    if (session.closed) return;
    session.lastFrame = Date.now();
    this.#r.stats.framesIn++;
    if (typeof message !== "string") {
      return this.#r.relay.onFrame(ws, session, new Uint8Array(message));
    }
    guard.failpoint(this.#r.config, "control");
    return this.#r.control.onText(ws, session, message);
  }

  #frameFailed(ws: WebSocket, message: string | ArrayBuffer, error: unknown): void {
    const who = () => ({ peer: this.#r.sessions.of(ws).peer });
    guard.doorFailed("webSocketMessage", this.#r.shard, error, who);
    this.#r.sessions.refuse(ws, guard.INTERNAL, { id: guard.requestId(message) });
  }

  /** Delivers frames relayed from another shard to sockets on this one (see `Relay.deliver`). */
  deliver(to: string[], frames: Uint8Array[]): Rpc.DeliverOutcome | Promise<Rpc.DeliverOutcome> {
    return this.#r.relay.deliver(to, frames);
  }

  /** Counters since this object last started, and the peers connected now. */
  stats(): Omit<StatsAnswer, "shard"> {
    return this.#r.figures();
  }

  /** At the home of `$stats`: every shard's figures, gathered at most once per interval. */
  networkStats(): Promise<NetworkStats> {
    return this.#r.observer?.networkStats() ?? Promise.reject(new RangeError("Not the observer"));
  }

  /** At the home of `$stats`: hellos an edge isolate refused, by code. */
  helloRefused(counts: Record<string, number>): void {
    this.#r.observer?.helloRefused(counts);
  }

  /** Why a valid hello would be refused here, if it would (the edge explains an upgrade). */
  helloRefusal(peer: string, nonce: string): Rpc.HelloRefusal | null {
    return this.#r.admission.tooSoon(peer) ?? this.#r.sessions.nonceRefusal(nonce);
  }

  /** At an address's home: admits a hello from it (its hello bucket, its connections). */
  addressAdmit(...a: Parameters<AddressGate["admit"]>): Promise<Refusal | null> {
    return this.#r.gate.admit(...a);
  }

  /** At an address's home: a connection from it closed. */
  addressLeft(address: string, peer: string, moved?: boolean): Promise<void> {
    return this.#r.gate.left(address, peer, moved);
  }

  /** At an address's home: admits a faucet payment asked from it. */
  addressFaucet(address: string, moved?: boolean): Promise<Refusal | null> {
    return this.#r.gate.faucet(address, moved);
  }

  /** At an address's home: admits HTTP work of `units` asked from it. */
  addressHttp(address: string, units: number, moved?: boolean): Promise<Refusal | null> {
    return this.#r.gate.http(address, units, moved);
  }

  /** Applies transfers whose payer is homed here, each committed before this returns. */
  ledgerSubmit(txs: unknown[]): Promise<TxOutcome[]> {
    return this.#r.ledger.ledgerSubmit(txs);
  }

  /** An account homed here. */
  ledgerAccount(id: string): AccountView {
    return this.#r.ledger.ledgerAccount(id);
  }

  /** A transfer applied here, with its proof once sealed; else, at its home, where it is. */
  ledgerTx(hash: string): Rpc.TxLookup {
    return this.#r.ledger.ledgerTx(hash);
  }

  /** At the hashes' home: another shard applied these transfers. */
  ledgerIndex(shard: number, hashes: string[]): void | Promise<void> {
    return this.#r.ledger.ledgerIndex(shard, hashes);
  }

  /** A block header of this shard. */
  ledgerBlock(height: number | "head"): SignedBlockHeader | null {
    return this.#r.ledger.ledgerBlock(height);
  }

  /** Reads this shard's log: a checkpoint, a proof, a tile. */
  ledgerLog(ask: Rpc.LogAsk): Promise<Rpc.LogAnswer> {
    return this.#r.ledger.ledgerLog(ask);
  }

  /** Keeps a witness's cosignature of a block's checkpoint. */
  ledgerCosign(w: string, height: number, line: string): Promise<Refusal | { kept: boolean }> {
    return this.#r.ledger.ledgerCosign(w, height, line);
  }

  /** Applies receipts another shard owes this one. */
  ledgerReceive(source: number, receipts: Receipt[]): Promise<number> {
    return this.#r.ledger.ledgerReceive(source, receipts);
  }

  /** Pays the faucet amount into an account homed here. */
  ledgerFaucet(account: string): Promise<TxOutcome> {
    return this.#r.ledger.ledgerFaucet(account);
  }

  /** At a topic's home: a shard has subscribers of the topic now (or none left). */
  topicJoin(topic: string, subscriber: number, join = true, moved = false): Promise<void> {
    return this.#r.services.pubsub.join(topic, subscriber, join, moved);
  }

  /** At a topic's home: the shards with subscribers. */
  topicShards(topic: string): number[] {
    return this.#r.services.pubsub.shardsOf(topic);
  }

  /** At the topics' home: publishes from another shard's peers, in their order. */
  topicPublish(items: Rpc.Publish[], moved?: boolean): Promise<Rpc.PublishOutcome[]> {
    return this.#r.services.pubsub.atHome(items, moved);
  }

  /** Hands topic messages from a topic's home to the subscribers here. */
  topicDeliver(topics: string[], texts: string[]): number[] {
    return this.#r.services.pubsub.deliver(topics, texts);
  }

  /** At a content's home: records, drops or samples its providers. */
  swarmHome(o: Rpc.ProviderOp, moved?: boolean): Promise<Rpc.ProviderAnswer> {
    return this.#r.services.providers.atHome(o, moved);
  }

  /** Up to `count` peers connected here, at random. */
  samplePeers(count: number, topic?: string): PeerInfo[] {
    return this.#r.services.sample(count, topic);
  }

  /** A peer homed here: online, or when it left. */
  lookupPeer(peer: string): PeerPresence {
    return this.#r.services.presence.lookup(peer);
  }

  /** Stores a message for a peer homed here. */
  mailPut(mail: Rpc.MailPut): Promise<Rpc.PutOutcome> {
    return this.#r.services.mailbox.put(mail);
  }

  /** Stores notices for senders homed here, in one write. */
  mailNotices(notices: Rpc.SenderNotice[], moved?: boolean): Promise<void> {
    return this.#r.services.mailbox.notices(notices, moved);
  }

  /** Deletes what a peer acknowledged, forwarded after its slot moved here. */
  mailAck(peer: string, mids: string[]): Promise<void> {
    return this.#r.services.mailbox.acknowledge(peer, mids);
  }

  /** The newest signed slot map this shard holds. */
  mapCurrent(): Promise<SignedSlotMap | undefined> {
    return this.#r.map.current();
  }

  /** Adopts a newer signed map, pushed by the keeper. */
  mapAdopt(signed: SignedSlotMap): boolean {
    return this.#r.map.adopt(signed);
  }

  /** At the keeper: publishes the next version of the map. */
  mapPublish(next: SlotMapJson): Promise<Rpc.Published | SlotMapRefusal> {
    return this.#r.map.publish(next);
  }

  /** A phase of a slot move; a release hands off, then sends away the slots' peers first. */
  async slotMove(o: Rpc.SlotMoveOp): Promise<Rpc.SlotMoveAnswer> {
    if (o.op === "release") await this.#a.sendAway(o.slots, o.to);
    const answer = await this.#r.moves.op(o);
    if (o.op === "import") guard.failpoint(this.#r.config, "slots.import"); // an answer lost
    return answer;
  }

  /** At the keeper: grows the network to `to` shards. */
  growTo(to: number): Promise<Rpc.GrowthReport | Refusal> {
    return this.#r.growth.grow(to);
  }
}
