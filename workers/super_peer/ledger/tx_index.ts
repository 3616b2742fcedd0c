/**
 * Where each transfer is: its hash alone finds it. A transfer (or a faucet payment) is kept by
 * the shard that applied it; that shard also writes `hash → shard` at the hash's own home
 * (`shardOf(hash)`), through a durable outbox written in the same turn as the transfer and
 * sent in batches, one call in flight per home, retried by the alarm until the home has it. A
 * lookup by hash asks the hash's home, which answers with the transfer if it is its own, else
 * with the shard that has it: two calls at most, whatever the size of the network.
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import type { NetworkConfig } from "../../config.ts";
import type { Shards } from "../../shards.ts";
import type { SlotMover } from "../slot_moves.ts";
import { pairTableMover } from "../table_movers.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tx_index (hash TEXT PRIMARY KEY, shard INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tx_index_out (seq INTEGER PRIMARY KEY AUTOINCREMENT,
  home INTEGER NOT NULL, hashes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tx_index_outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,
  home INTEGER NOT NULL, hash TEXT NOT NULL);
INSERT INTO tx_index_out (home, hashes) SELECT home, hash FROM tx_index_outbox;
DROP TABLE tx_index_outbox;
`;

/** Outbox rows (one per applied batch and home) sent to one home in one call. */
const BATCH_ROWS = 16;

/**
 * One shard's part of the transfer index: what it tells other shards, and what it was told.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { NetworkConfig } from "../../config.ts";
 * import type { Shards } from "../../shards.ts";
 * import { TxIndex } from "./tx_index.ts";
 * export async function index(
 *   ctx: DurableObjectState,
 *   config: NetworkConfig,
 *   shards: Shards,
 *   hash: string,
 * ) {
 *   const index = new TxIndex(ctx, config, 0, shards);
 *   index.note([hash]); // after applying a transfer
 *   await index.push(); // now, and again at the alarm
 *   return index.where(hash); // at the hash's home
 * }
 * ```
 */
export class TxIndex {
  readonly #ctx: DurableObjectState;
  readonly #config: NetworkConfig;
  readonly #shard: number;
  readonly #shards: Shards;
  /** Homes with a call in flight. */
  readonly #pushing = new Set<number>();

  /**
   * @param ctx The object's state (its SQLite storage).
   * @param config The network's config.
   * @param shard This shard.
   * @param shards The other shards.
   */
  constructor(ctx: DurableObjectState, config: NetworkConfig, shard: number, shards: Shards) {
    this.#ctx = ctx;
    this.#config = config;
    this.#shard = shard;
    this.#shards = shards;
    ctx.storage.sql.exec(SCHEMA);
  }

  /**
   * Writes down, for each hash, that this shard has it: here if this is its home, else in
   * the outbox to its home.
   *
   * @param hashes Transfers (or faucet payments) this shard just applied.
   */
  note(hashes: readonly string[]): void {
    // One row per home for the whole batch: a batch of 256 transfers writes at most one row
    // per shard, not 256.
    const byHome = new Map<number, string[]>();
    for (const hash of hashes) {
      const home = this.#config.placement.home(hash);
      if (home === this.#shard) continue; // The home finds its own transfers without an entry.
      byHome.get(home)?.push(hash) ?? byHome.set(home, [hash]);
    }
    const sql = this.#ctx.storage.sql;
    for (const [home, list] of byHome) {
      sql.exec("INSERT INTO tx_index_out (home, hashes) VALUES (?, ?)", home, list.join(" "));
    }
  }

  /** Whether entries wait to be sent (the alarm then comes back). */
  pending(): boolean {
    return this.#ctx.storage.sql.exec("SELECT 1 FROM tx_index_out LIMIT 1").toArray().length > 0;
  }

  /** Sends what waits, one batch per home with no call in flight; failures wait for the alarm. */
  async push(): Promise<void> {
    const sql = this.#ctx.storage.sql;
    const homes = sql.exec<{ home: number }>("SELECT DISTINCT home FROM tx_index_out")
      .toArray().map((r) => r.home).filter((h) => !this.#pushing.has(h));
    await Promise.all(homes.map(async (home) => {
      this.#pushing.add(home);
      try {
        const rows = sql.exec<{ seq: number; hashes: string }>(
          "SELECT seq, hashes FROM tx_index_out WHERE home = ? ORDER BY seq LIMIT ?",
          home,
          BATCH_ROWS,
        ).toArray();
        if (rows.length === 0) return;
        // By the shard that holds each record: this one, or (`hash@shard`) one whose entry
        // reached this shard under an older map and is passed on.
        const byHolder = new Map<number, string[]>();
        for (const token of rows.flatMap((r) => r.hashes.split(" "))) {
          const [hash, holder] = token.split("@");
          const from = holder === undefined ? this.#shard : Number(holder);
          byHolder.get(from)?.push(hash) ?? byHolder.set(from, [hash]);
        }
        for (const [from, hashes] of byHolder) {
          await this.#shards.call(home, (s) => s.ledgerIndex(from, hashes));
        }
        sql.exec(
          "DELETE FROM tx_index_out WHERE home = ? AND seq <= ?",
          home,
          rows.at(-1)!.seq,
        );
      } catch (error) {
        console.warn(`transfer index to shard ${home} not sent yet`, String(error));
      } finally {
        this.#pushing.delete(home);
      }
    }));
  }

  /**
   * At the hashes' home: another shard has these transfers.
   *
   * @param shard The shard that has them.
   * @param hashes Their hashes.
   */
  /**
   * The index's part in a slot move: the hashes of the slots travel with the shard that holds
   * each record, this one's own records included (which needed no entry while their hashes
   * were homed here), so that the slots' new home finds every transfer sealed before the move.
   *
   * @param ownHashes The hashes of the records this shard holds, whose slot `inSlots` accepts.
   * @returns The mover.
   */
  slotMover(ownHashes: (inSlots: (key: string) => boolean) => string[]): SlotMover {
    const own = (inSlots: (key: string) => boolean) =>
      ownHashes(inSlots).map((hash) => [hash, this.#shard]);
    const sql = this.#ctx.storage.sql;
    const mover = pairTableMover(sql, "tx_index", "tx_index", ["hash", "shard"], own);
    return {
      ...mover,
      // Transfers applied here between the copy and the release (their payers stay) whose hash
      // is in the slots: their entries go too, as the slots are released.
      handOff: async (inSlots, send) => {
        const rows = own(inSlots);
        if (rows.length > 0) await send(rows);
      },
      adopt: (rows) => {
        mover.arriving(rows as unknown[]);
        return Promise.resolve((rows as unknown[]).length);
      },
    };
  }

  record(shard: number, hashes: readonly string[]): void {
    const sql = this.#ctx.storage.sql;
    // Entries sent under an older map, for hashes whose slot has moved on: passed on to their
    // home now (through the outbox, so a failed call is tried again), unless the record is there.
    const elsewhere = hashes.filter((h) => this.#config.placement.home(h) !== this.#shard);
    for (const hash of elsewhere) {
      const home = this.#config.placement.home(hash);
      if (home !== shard) {
        // `hash@shard`: an entry for a record held by another shard than this one.
        sql.exec("INSERT INTO tx_index_out (home, hashes) VALUES (?, ?)", home, `${hash}@${shard}`);
      }
    }
    for (const hash of hashes) {
      if (elsewhere.includes(hash)) continue;
      // Only well-formed hashes: the caller is another shard, but a bad row costs nothing
      // to refuse.
      if (/^[0-9a-f]{64}$/.test(hash)) {
        sql.exec("INSERT OR IGNORE INTO tx_index VALUES (?, ?)", hash, shard);
      }
    }
  }

  /**
   * At a hash's home: which shard has the transfer.
   *
   * @param hash The hash.
   * @returns The shard, if one said so.
   */
  where(hash: string): number | undefined {
    return this.#ctx.storage.sql.exec<{ shard: number }>(
      "SELECT shard FROM tx_index WHERE hash = ?",
      hash,
    ).toArray()[0]?.shard;
  }
}
