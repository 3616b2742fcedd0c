/**
 * The address gate: limits per client address, kept at the address's home shard
 * (`shardOf("address:" + ip)`). The edge asks it before routing a hello (a bucket of hellos,
 * and the connections open from the address over all shards), before any HTTP route makes a
 * shard work (a bucket of units, `ADDRESS_HTTP_UNITS_PER_SECOND`, priced like the same work
 * over a socket: `POST /v1/tx` per transfer) and before a faucet payment
 * (`FAUCET_ACCOUNTS_PER_ADDRESS` per `FAUCET_INTERVAL_MS`); a peer's home tells it when a
 * connection closes.
 * A home that restarted tells nothing, so at the cap the gate asks each peer's home whether
 * its peer is still online and forgets those that are not: stale rows cost nothing until then.
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import type { Refusal } from "../../src/protocol/mod.ts";
import { RateLimiter, type RateLimiterState, unitsOnly } from "./token_bucket.ts";
import type { NetworkConfig } from "../config.ts";
import type { Shards } from "../shards.ts";
import type { SlotMover, SlotMoves } from "./slot_moves.ts";
import { addressKey, addressMover } from "./address_moves.ts";

/** How often, at most, the gate asks peers' homes which of an address's peers are online. */
export const PRUNE_EVERY_MS = 10_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS address_peer (address TEXT NOT NULL, peer TEXT NOT NULL,
  PRIMARY KEY (address, peer));
CREATE TABLE IF NOT EXISTS address_budget (key TEXT PRIMARY KEY, state TEXT NOT NULL);
`;

/**
 * The limits of the client addresses homed on one shard.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { NetworkConfig } from "../config.ts";
 * import type { Shards } from "../shards.ts";
 * import { AddressGate } from "./address_gate.ts";
 * // At an address's home super-peer.
 * export async function admit(ctx: DurableObjectState, config: NetworkConfig, shards: Shards, peerId: string) {
 *   const gate = new AddressGate(ctx, config, shards);
 *   return await gate.admit("203.0.113.9", peerId); // null, or a refusal with its code
 * }
 * ```
 */
export class AddressGate {
  readonly #ctx: DurableObjectState;
  readonly #config: NetworkConfig;
  readonly #shards: Shards;
  /** When each address was last pruned: at most once per `PRUNE_EVERY_MS`. */
  readonly #pruned = new Map<string, number>();
  /** The prunes out now, by address. */
  readonly #pruning = new Map<string, Promise<void>>();

  /** Where an address's state is held when its slot has moved (and its moves, to wait on). */
  readonly #where: { shard: number; moves: Pick<SlotMoves, "holder" | "track"> } | undefined;

  /**
   * @param ctx The object's state (its SQLite storage).
   * @param config The network's config.
   * @param shards The shards, to ask a peer's home whether it is online.
   * @param where This shard and its slot moves: an address whose slot moved is served where
   *   it went.
   */
  constructor(
    ctx: DurableObjectState,
    config: NetworkConfig,
    shards: Shards,
    where?: { shard: number; moves: Pick<SlotMoves, "holder" | "track"> },
  ) {
    this.#where = where;
    this.#ctx = ctx;
    this.#config = config;
    this.#shards = shards;
    ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Admits a hello from an address: within its hello bucket and its connection cap.
   *
   * @param address The client's address.
   * @param peer The peer that says hello.
   * @param connect Whether it opens a connection (else it is a plain GET: a hello only).
   * @param moved Forwarded by the shard the address's slot moved from: answered here.
   * @returns `null` if admitted (its connection now counts), else the refusal.
   */
  async admit(
    address: string,
    peer: string,
    connect = true,
    moved = false,
  ): Promise<Refusal | null> {
    const at = moved ? undefined : await this.#holder(address);
    if (at !== undefined) {
      return await this.#shards.call(at, (s) => s.addressAdmit(address, peer, connect, true));
    }
    const { limits } = this.#config;
    const wait = this.#charge(`hello/${address}`, {
      framesPerSecond: limits.ADDRESS_HELLOS_PER_MINUTE / 60,
      burstFrames: limits.ADDRESS_HELLO_BURST,
    });
    if (wait > 0) {
      return {
        ok: false,
        code: "RATE_LIMITED",
        message: `Too many hellos from this address; retry in ${wait} ms`,
        retryAfter: wait,
      };
    }
    if (!connect) return null;
    const sql = this.#ctx.storage.sql;
    // Counted in the index, not read out: an address with thousands of peers (a NAT, a
    // benchmark) would otherwise cost a row per peer on every hello.
    const others = () =>
      sql.exec<{ n: number }>(
        "SELECT COUNT(*) AS n FROM address_peer WHERE address = ? AND peer != ?",
        address,
        peer,
      ).one().n;
    let open = others();
    if (open >= limits.MAX_CONNECTIONS_PER_ADDRESS) {
      // Hellos that arrive while a prune is out wait for it rather than being refused on
      // rows it is about to clear.
      let pruning = this.#pruning.get(address);
      const last = this.#pruned.get(address) ?? 0;
      if (!pruning && Date.now() - last >= PRUNE_EVERY_MS) {
        this.#pruned.set(address, Date.now());
        if (this.#pruned.size > 4_096) this.#pruned.clear();
        pruning = this.#prune(address, peer).finally(() => this.#pruning.delete(address));
        this.#pruning.set(address, pruning);
      }
      if (pruning) {
        await pruning.catch(() => {});
        open = others();
      }
    }
    if (open >= limits.MAX_CONNECTIONS_PER_ADDRESS) {
      return {
        ok: false,
        code: "TOO_MANY_CONNECTIONS",
        message: `This address has ${limits.MAX_CONNECTIONS_PER_ADDRESS} connections open`,
      };
    }
    sql.exec("INSERT OR IGNORE INTO address_peer VALUES (?, ?)", address, peer);
    return null;
  }

  /**
   * A connection from an address closed.
   *
   * @param address The address.
   * @param peer The peer.
   * @param moved Forwarded by the shard the address's slot moved from: kept here.
   */
  async left(address: string, peer: string, moved = false): Promise<void> {
    const at = moved ? undefined : await this.#holder(address);
    if (at !== undefined) {
      return await this.#shards.call(at, (s) => s.addressLeft(address, peer, true));
    }
    this.#ctx.storage.sql.exec(
      "DELETE FROM address_peer WHERE address = ? AND peer = ?",
      address,
      peer,
    );
  }

  /**
   * Admits HTTP work asked from an address: `units` from its bucket of
   * `ADDRESS_HTTP_BURST_UNITS`, refilled at `ADDRESS_HTTP_UNITS_PER_SECOND`.
   *
   * @param address The client's address.
   * @param units The work's price (`COST_HTTP_READ`; `COST_HTTP_TX` and `COST_PER_TRANSFER`
   *   per transfer for `POST /v1/tx`).
   * @param moved Forwarded by the shard the address's slot moved from: answered here.
   * @returns `null` if admitted, else `RATE_LIMITED` with `retryAfter`.
   */
  async http(address: string, units: number, moved = false): Promise<Refusal | null> {
    const at = moved ? undefined : await this.#holder(address);
    if (at !== undefined) {
      return await this.#shards.call(at, (s) => s.addressHttp(address, units, true));
    }
    const { limits } = this.#config;
    const wait = this.#charge(`http/${address}`, {
      framesPerSecond: limits.ADDRESS_HTTP_UNITS_PER_SECOND,
      burstFrames: limits.ADDRESS_HTTP_BURST_UNITS,
    }, units);
    if (wait === 0) return null;
    return {
      ok: false,
      code: "RATE_LIMITED",
      message: `This address spent its HTTP budget; retry in ${wait} ms`,
      retryAfter: wait,
    };
  }

  /**
   * Admits a faucet payment asked from an address: a request from its HTTP budget, then
   * `FAUCET_ACCOUNTS_PER_ADDRESS` per `FAUCET_INTERVAL_MS`.
   *
   * @param address The client's address.
   * @param moved Forwarded by the shard the address's slot moved from: answered here.
   * @returns `null` if admitted, else `RATE_LIMITED` with `retryAfter`.
   */
  async faucet(address: string, moved = false): Promise<Refusal | null> {
    const at = moved ? undefined : await this.#holder(address);
    if (at !== undefined) return await this.#shards.call(at, (s) => s.addressFaucet(address, true));
    const refused = await this.http(address, this.#config.limits.COST_FAUCET, true);
    if (refused) return refused;
    const { FAUCET_INTERVAL_MS: interval, FAUCET_ACCOUNTS_PER_ADDRESS: accounts } =
      this.#config.limits;
    const wait = this.#charge(`faucet/${address}`, {
      framesPerSecond: accounts * 1000 / interval,
      burstFrames: accounts,
    });
    if (wait === 0) return null;
    return {
      ok: false,
      code: "RATE_LIMITED",
      message: `The faucet paid ${accounts} accounts from this address within ${interval} ms`,
      retryAfter: wait,
    };
  }

  /** The address gate's part in a slot move (`address_moves.ts`). @returns The mover. */
  slotMover(): SlotMover {
    return addressMover(this.#ctx.storage.sql);
  }

  // The shard that holds an address's state, if not this one (its slot moved), once no move
  // of its slot is under way.
  async #holder(address: string): Promise<number | undefined> {
    if (!this.#where) return undefined;
    const at = await this.#where.moves.holder(addressKey(address), this.#where.shard);
    return at === this.#where.shard ? undefined : at;
  }

  /** Deletes the buckets that are full again: they hold nothing. */
  sweep(): void {
    const sql = this.#ctx.storage.sql;
    for (
      const { key, state } of sql.exec<{ key: string; state: string }>(
        "SELECT key, state FROM address_budget",
      ).toArray()
    ) {
      const kept = JSON.parse(state) as RateLimiterState & { rate: number; burst: number };
      const limiter = new RateLimiter(unitsOnly(kept.rate, kept.burst), Date.now(), kept);
      if (limiter.full()) sql.exec("DELETE FROM address_budget WHERE key = ?", key);
    }
  }

  // A connection attempt is rare next to a frame: its bucket is written at once.
  #charge(key: string, o: { framesPerSecond: number; burstFrames: number }, cost = 1): number {
    const sql = this.#ctx.storage.sql;
    const row = sql.exec<{ state: string }>("SELECT state FROM address_budget WHERE key = ?", key)
      .toArray()[0];
    const options = unitsOnly(o.framesPerSecond, o.burstFrames);
    const limiter = new RateLimiter(options, Date.now(), row ? JSON.parse(row.state) : undefined);
    const wait = limiter.charge(cost, 0);
    const kept = { ...limiter.state(), rate: o.framesPerSecond, burst: o.burstFrames };
    sql.exec("INSERT OR REPLACE INTO address_budget VALUES (?, ?)", key, JSON.stringify(kept));
    return wait;
  }

  // At the cap: rows of peers whose home says they are not online are stale (a home that
  // restarted said nothing of its closed sockets), and go.
  async #prune(address: string, except: string): Promise<void> {
    const { placement, limits } = this.#config;
    const peers = this.#ctx.storage.sql.exec<{ peer: string }>(
      "SELECT peer FROM address_peer WHERE address = ? AND peer != ? LIMIT ?",
      address,
      except,
      limits.MAX_CONNECTIONS_PER_ADDRESS,
    ).toArray().map((r) => r.peer);
    const online = await Promise.all(
      peers.map((peer) =>
        this.#shards.call(placement.home(peer), (s) => s.lookupPeer(peer))
          .then((p) => p.online, () => true)
      ),
    );
    const sql = this.#ctx.storage.sql;
    peers.forEach((peer, i) => {
      if (online[i]) return;
      sql.exec("DELETE FROM address_peer WHERE address = ? AND peer = ?", address, peer);
    });
  }
}
