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
 *   new Cosignatures(ctx, log, 16, () => {});
 * ```
 */
export class Cosignatures {
  readonly #ctx: DurableObjectState;
  readonly #log: ShardLog;
  readonly #max: number;
  readonly #told: (height: number, witness: string, line: string) => void;
  #ready = false;

  /**
   * @param ctx The shard's object.
   * @param log The shard's log.
   * @param max `MAX_COSIGNATURES`.
   * @param told Tells the shard's block watchers of a cosignature kept.
   */
  constructor(
    ctx: DurableObjectState,
    log: ShardLog,
    max: number,
    told: (height: number, witness: string, line: string) => void,
  ) {
    this.#ctx = ctx;
    this.#log = log;
    this.#max = max;
    this.#told = told;
  }

  /**
   * Checks and keeps a witness's cosignature of a block's checkpoint.
   *
   * @param witness The peer that sent it: its key must be the cosignature's.
   * @param height The block.
   * @param line The signature line.
   * @returns `null` once kept, or why not: `CHECKPOINT_NOT_FOUND`, `COSIGNATURE_INVALID`,
   *   `RESOURCE_LIMIT_EXCEEDED` past `MAX_COSIGNATURES` witnesses.
   */
  async add(witness: string, height: number, line: string): Promise<Refusal | null> {
    const found = this.#log.checkpoint(height);
    if (!found) return refusal("CHECKPOINT_NOT_FOUND", `No checkpoint at height ${height}`);
    const note = found.checkpoint.note;
    const text = note.slice(0, note.indexOf("\n\n") + 1);
    const split = splitNote(`${text}\n${line.endsWith("\n") ? line : `${line}\n`}`);
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
    if (!held.mine && held.n >= this.#max) {
      return refusal(
        "RESOURCE_LIMIT_EXCEEDED",
        `Checkpoint ${height} holds ${this.#max} witnesses' cosignatures`,
      );
    }
    const clean = line.endsWith("\n") ? line : `${line}\n`;
    sql.exec(
      "INSERT OR REPLACE INTO ledger_cosignature (height, witness, line) VALUES (?, ?, ?)",
      height,
      witness,
      clean,
    );
    this.#told(height, witness, clean);
    return null;
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
