/**
 * Witnesses' cosignatures of a shard's checkpoints: each checked against the checkpoint it
 * names and the witness's own key (a peer cosigns with its identity's key, as a `cosignature/v1`
 * key of type 0x04), kept in the shard's SQLite, at most `MAX_COSIGNATURES` witnesses per
 * checkpoint, served with the latest checkpoint, and told to the shard's block watchers.
 *
 * @module
 */
import type { DurableObjectState } from "cloudflare:workers";
import { publicKeyFromPeerId } from "../../../src/identity/peer_id.ts";
import type { ShardLog } from "../../../src/ledger/mod.ts";
import { type Refusal, refusal } from "../../../src/protocol/mod.ts";
import {
  NOTE_TYPE_COSIGNATURE,
  noteKey,
  splitNote,
  verifyCosignature,
} from "../../../src/tlog/mod.ts";

const SCHEMA = "CREATE TABLE IF NOT EXISTS ledger_cosignature (height INTEGER NOT NULL, " +
  "witness TEXT NOT NULL, line TEXT NOT NULL, PRIMARY KEY (height, witness)) WITHOUT ROWID";

/**
 * One shard's cosignatures.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import type { ShardLog } from "../../../src/ledger/mod.ts";
 * import { Cosignatures } from "./cosignatures.ts";
 * export const desk = (ctx: DurableObjectState, log: ShardLog) =>
 *   new Cosignatures(ctx, log, 16, 64, () => {});
 * ```
 */
export class Cosignatures {
  readonly #ctx: DurableObjectState;
  readonly #log: ShardLog;
  readonly #max: number;
  readonly #recent: number;
  readonly #told: (height: number, witness: string, line: string) => void;
  #ready = false;

  /**
   * @param ctx The shard's object.
   * @param log The shard's log.
   * @param max `MAX_COSIGNATURES`.
   * @param recent `COSIGN_RECENT_BLOCKS`.
   * @param told Tells the shard's block watchers of a cosignature kept.
   */
  constructor(
    ctx: DurableObjectState,
    log: ShardLog,
    max: number,
    recent: number,
    told: (height: number, witness: string, line: string) => void,
  ) {
    this.#ctx = ctx;
    this.#log = log;
    this.#max = max;
    this.#recent = recent;
    this.#told = told;
  }

  /**
   * Checks a witness's cosignature of a recent block's checkpoint, tells it to the shard's block
   * watchers, and keeps it if the checkpoint holds fewer than `MAX_COSIGNATURES` witnesses' (or
   * this witness's own already). Past the bound it is told and not kept: a client that follows
   * the shard's blocks hears every witness, whoever took the kept places.
   *
   * @param witness The peer that sent it: its key must be the cosignature's.
   * @param height The block, one of the last `COSIGN_RECENT_BLOCKS`.
   * @param line The signature line.
   * @returns Whether it was kept, or why it was refused: `CHECKPOINT_NOT_FOUND` (no such block,
   *   or an older one), `COSIGNATURE_INVALID`.
   */
  async add(witness: string, height: number, line: string): Promise<Refusal | { kept: boolean }> {
    const head = this.#log.checkpoint()?.height ?? 0;
    const oldest = head - this.#recent + 1;
    if (height < oldest) {
      const which = `the last ${this.#recent} blocks' checkpoints (from ${Math.max(1, oldest)})`;
      return refusal("CHECKPOINT_NOT_FOUND", `Cosignatures are taken for ${which}`);
    }
    const found = this.#log.checkpoint(height);
    if (!found) return refusal("CHECKPOINT_NOT_FOUND", `No checkpoint at height ${height}`);
    const note = found.checkpoint.note;
    const text = note.slice(0, note.indexOf("\n\n") + 1);
    const clean = line.endsWith("\n") ? line : `${line}\n`;
    const split = splitNote(`${text}\n${clean}`);
    const sig = split.ok && split.signatures.length === 1 ? split.signatures[0] : undefined;
    const invalid = refusal(
      "COSIGNATURE_INVALID",
      "Not a cosignature of that checkpoint by your key",
    );
    if (!sig) return invalid;
    const key = noteKey(sig.name, publicKeyFromPeerId(witness), NOTE_TYPE_COSIGNATURE);
    if (await verifyCosignature(text, sig, key) === undefined) return invalid;
    const sql = this.#sql();
    const held = sql.exec<{ n: number; mine: number }>(
      "SELECT count(*) AS n, sum(witness = ?) AS mine FROM ledger_cosignature WHERE height = ?",
      witness,
      height,
    ).one();
    const kept = Boolean(held.mine) || held.n < this.#max;
    if (kept) {
      sql.exec(
        "INSERT OR REPLACE INTO ledger_cosignature (height, witness, line) VALUES (?, ?, ?)",
        height,
        witness,
        clean,
      );
      // Older checkpoints take no more: their rows go.
      sql.exec("DELETE FROM ledger_cosignature WHERE height < ?", oldest);
    }
    this.#told(height, witness, clean);
    return { kept };
  }

  /**
   * The cosignature lines kept for a block's checkpoint, to add to its note.
   *
   * @param height The block.
   * @returns The lines, each ending in a newline.
   */
  lines(height: number): string[] {
    return this.#sql().exec<{ line: string }>(
      "SELECT line FROM ledger_cosignature WHERE height = ? ORDER BY witness",
      height,
    ).toArray().map((r) => r.line);
  }

  #sql() {
    const sql = this.#ctx.storage.sql;
    if (!this.#ready) {
      sql.exec(SCHEMA);
      this.#ready = true;
    }
    return sql;
  }
}
