/**
 * The SQLite connection the ledger's stores speak to: two functions, so that the same code runs
 * on a Durable Object's storage (`ctx.storage.sql` and `transactionSync`) and on any other SQLite
 * (the contract tests use `node:sqlite`).
 *
 * @module
 */

/**
 * A SQLite connection, as the ledger needs it.
 *
 * @example Usage
 * ```ts
 * import type { SqlDatabase } from "./sql_database.ts";
 * export const one = (db: SqlDatabase) => db.exec("SELECT 1 AS one")[0].one;
 * ```
 */
export interface SqlDatabase {
  /** Runs one statement with `?` bindings and returns its rows. */
  exec(query: string, ...bindings: (string | number | null)[]): Record<string, unknown>[];
  /** Runs `fn` in one transaction: committed if it returns, rolled back if it throws. */
  transaction<T>(fn: () => T): T;
}

/**
 * The longest JSON text bound to one statement, in characters. SQLite on a Durable Object
 * refuses a string or blob past about 2 MB (`SQLITE_TOOBIG`), and a character is at most 3
 * bytes of UTF-8 (4 for a pair of two), so that rows that travel with a slot, or the accounts
 * a large move brings, go in as many statements as they need.
 */
export const JSON_BIND_CHARS = 500_000;

/**
 * A JSON array of items, split into runs of at most `max` characters each (an item longer than
 * that goes alone), in order: bound one run per statement, each to `json_each(?)`. The usual
 * case is one run, the whole array as `JSON.stringify` writes it.
 *
 * @example Usage
 * ```ts
 * import { jsonRuns } from "./sql_database.ts";
 * console.assert(jsonRuns([1, 2, 3]).join() === "[1,2,3]");
 * console.assert(jsonRuns(["ab", "cd", "ef"], 12).join(" ") === '["ab","cd"] ["ef"]');
 * ```
 *
 * @param items The items.
 * @param max The longest run, in characters.
 * @returns One JSON array text per run; none for no item.
 */
export function jsonRuns(items: readonly unknown[], max: number = JSON_BIND_CHARS): string[] {
  if (items.length === 0) return [];
  const whole = JSON.stringify(items);
  if (whole.length <= max) return [whole];
  const runs: string[] = [];
  let part: string[] = [];
  let size = 2;
  for (const item of items) {
    const text = JSON.stringify(item);
    if (part.length > 0 && size + text.length + 1 > max) {
      runs.push(`[${part.join(",")}]`);
      part = [];
      size = 2;
    }
    part.push(text);
    size += text.length + 1;
  }
  runs.push(`[${part.join(",")}]`);
  return runs;
}
