/**
 * Hello nonces, kept at the peer's home: the edge is stateless, so a replayed hello is caught
 * here, where every hello of one peer lands. A nonce is kept until its hello would be stale
 * anyway (`HELLO_MAX_AGE_MS` + `MAX_CLOCK_SKEW_MS`), then deleted.
 *
 * @module
 */
import type { SqlStorage } from "cloudflare:workers";
import type { HelloRefusal } from "../rpc.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS hello_nonce (nonce TEXT PRIMARY KEY, expires INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS hello_nonce_expires ON hello_nonce (expires);
`;

const REPLAYED: HelloRefusal = {
  ok: false,
  status: 401,
  code: "HELLO_REPLAYED",
  message: "This hello was already used",
};

/**
 * The used nonces of the peers homed on one shard.
 *
 * @example Usage
 * ```ts
 * import type { DurableObjectState } from "cloudflare:workers";
 * import { HelloNonces } from "./hello_nonces.ts";
 * export function claim(ctx: DurableObjectState, nonce: string) {
 *   const nonces = new HelloNonces(ctx.storage.sql);
 *   return nonces.claim(nonce, Date.now() + 90_000); // null the first time, then HELLO_REPLAYED
 * }
 * ```
 */
export class HelloNonces {
  readonly #sql: SqlStorage;

  /** @param sql The shard's SQLite storage. */
  constructor(sql: SqlStorage) {
    this.#sql = sql;
    sql.exec(SCHEMA);
  }

  /**
   * Claims a hello's nonce, and forgets those whose hellos are stale.
   *
   * @param nonce The nonce.
   * @param expires When its hello is stale, ms since the epoch.
   * @returns `null` if it was free, else `HELLO_REPLAYED`.
   */
  claim(nonce: string, expires: number): HelloRefusal | null {
    this.#sql.exec("DELETE FROM hello_nonce WHERE expires < ?", Date.now());
    const claimed =
      this.#sql.exec("INSERT OR IGNORE INTO hello_nonce VALUES (?, ?)", nonce, expires)
        .rowsWritten;
    return claimed === 0 ? REPLAYED : null;
  }

  /**
   * Whether a hello's nonce was used already (for a client asking why its upgrade failed).
   *
   * @param nonce The nonce.
   * @returns `HELLO_REPLAYED` if it was, else `null`.
   */
  refusal(nonce: string): HelloRefusal | null {
    const used = this.#sql.exec(
      "SELECT 1 FROM hello_nonce WHERE nonce = ? AND expires >= ?",
      nonce,
      Date.now(),
    ).toArray().length > 0;
    return used ? REPLAYED : null;
  }
}
