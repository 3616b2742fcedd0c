/**
 * The rooms of one super-peer, made once when its object starts and wired to one another:
 * sessions, services, admission, relay, control dispatch, the ledger (its host made on first
 * use), the address gate and the observer. The object's doors hand over to them.
 *
 * @module
 */
import { shardVerify } from "../verifier.ts";
import type { DurableObjectState } from "cloudflare:workers";
import type { RelayStats, StatsAnswer } from "../../src/protocol/mod.ts";
import { shardFigures } from "./shard_stats.ts";
import { RouteReports } from "./route_reports.ts";
import type { SignedBlockHeader } from "../../src/ledger/mod.ts";
import { MAX_SHARDS, placesBySlot, shardOfObject } from "../../src/routing/mod.ts";
import { type Env, type NetworkConfig, networkConfig } from "../config.ts";
import { Shards } from "../shards.ts";
import { AddressGate } from "./address_gate.ts";
import { Admission } from "./admission.ts";
import { AlarmScheduler } from "./alarm.ts";
import { Control } from "./control.ts";
import { LedgerHost } from "./ledger/ledger_host.ts";
import { localLedger } from "./ledger/local_ledger.ts";
import { MapRoom } from "./map_room.ts";
import { Growth } from "./growth.ts";
import { type SlotMover, SlotMoves } from "./slot_moves.ts";
import { budgetMover } from "./budget_moves.ts";
import { type Observer, observerOf } from "./observer.ts";
import { emptyStats, Relay } from "./relay.ts";
import { serviceHost } from "./services/service_host.ts";
import { Services } from "./services/dispatch.ts";
import { Sessions } from "./sessions.ts";

/** The rooms of one super-peer. */
export interface Rooms {
  readonly config: NetworkConfig;
  readonly shard: number;
  readonly stats: RelayStats;
  readonly alarm: AlarmScheduler;
  readonly shards: Shards;
  readonly sessions: Sessions;
  readonly services: Services;
  readonly admission: Admission;
  /** The routes its peers report, and their TURN bytes. */
  readonly routes: RouteReports;
  readonly relay: Relay;
  readonly control: Control;
  readonly gate: AddressGate;
  /** The slot map this shard keeps and follows (and, at shard 0, publishes). */
  readonly map: MapRoom;
  /** This shard's side of slot moves: the fence, and each room's rows on the move. */
  readonly moves: SlotMoves;
  /** The growth driver, at the map's keeper (shard 0). */
  readonly growth: Growth;
  /** This shard's own ledger calls: its RPC surface, and answered in place for its peers. */
  readonly ledger: ReturnType<typeof localLedger>;
  /** Present on the home of `$stats` only. */
  readonly observer: Observer | undefined;
  /** This shard's figures (`stats()`), counted as a call. */
  figures(): Omit<StatsAnswer, "shard">;
}

/**
 * Makes the rooms of a super-peer.
 *
 * @param ctx The object's state.
 * @param env The Worker's env.
 * @param flooding Called with a peer that is past its budget again, to be closed.
 * @returns The rooms.
 * @throws {RangeError} If the object's name is no shard's of this network.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { Env } from "../config.ts";
 * import { openRooms } from "./rooms.ts";
 * export function start(ctx: DurableObjectState, env: Env) {
 *   return openRooms(ctx, env, (peer) => console.log("flooding", peer));
 * }
 * ```
 */
export function openRooms(
  ctx: DurableObjectState,
  env: Env,
  flooding: (peer: string) => void,
): Rooms {
  const config = networkConfig(env);
  // A network that grew has shards past its first count; one placed by modulo cannot grow.
  const shard = shardOfObject(
    ctx.id.name,
    placesBySlot(config.shards) ? MAX_SHARDS : config.shards,
  );
  const stats = emptyStats();
  const alarm = new AlarmScheduler(ctx.storage);
  const shards = new Shards(env, config);
  // First: the map this shard kept, if newer than the isolate's, is followed before any home
  // is computed here.
  const map = new MapRoom(ctx, config, shard, shards);
  const sessions = new Sessions(ctx, config, shard, stats);
  // The services wait on the fence of slots on the move, which lists them among its movers.
  const fence = (): SlotMoves => moves;
  const services = new Services(
    serviceHost({ ctx, config, shard, shards, sessions, alarm, moves: fence }),
  );
  const admission = new Admission(ctx, config, flooding);
  const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
  const common = { ctx, config, shard, shards, alarm, stats };
  const mailbox = services.mailbox;
  const relay = new Relay({ ...common, sessions, mailbox, admission, waitUntil });
  // Made on first use: most wakes of a shard (relay, services) never touch its ledger.
  const onBlock = (header: SignedBlockHeader, checkpoint?: string) =>
    services.announceBlock(header, checkpoint);
  const onCosigned = (height: number, witness: string, line: string) =>
    services.announceBlock({ shard, height }, undefined, { witness, line });
  let host: LedgerHost | undefined;
  // Signatures are checked by the verifier beside the shard, after the shard's cheap reads.
  const verify = shardVerify(env, config);
  const ledgerHost = () => host ??= new LedgerHost({ ...common, onBlock, onCosigned, verify });
  const moves = new SlotMoves(ctx, [
    () => ledgerHost().slotMover(),
    () => ledgerHost().indexMover(),
    () => services.presence.slotMover(),
    () => services.mailbox.slotMover(),
    () => services.pubsub.topicMover(),
    () => services.pubsub.subscriberMover(),
    () => services.providers.slotMover(),
    (): SlotMover => gate.slotMover(),
    () => budgetMover(ctx.storage.sql, admission),
  ], shards);
  const ledger = localLedger(ledgerHost, config.limits.MAX_TX_BATCH, moves);
  const growth = new Growth(ctx, shard, shards, map, config);
  const routes = new RouteReports(config, admission, stats);
  const control = new Control({
    config,
    shard,
    sessions,
    shards,
    services,
    ledger,
    admission,
    routes,
  });
  const gate = new AddressGate(ctx, config, shards, { shard, moves });
  const observer = observerOf({ ...common, pubsub: services.pubsub });
  return {
    config,
    shard,
    stats,
    alarm,
    shards,
    sessions,
    services,
    admission,
    routes,
    relay,
    control,
    gate,
    map,
    moves,
    growth,
    ledger,
    observer,
    figures: () => {
      stats.statsCalls++;
      const listed = services.listed();
      return {
        ...shardFigures(ctx.storage.sql, stats, sessions.size, listed),
        ...routes.totals(),
      };
    },
  };
}
