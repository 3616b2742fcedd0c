/**
 * The columns of the page's shard table, in order: the shell writes them as the table's head
 * and the script writes each one beside its cell, which is what a phone shows when the table's
 * columns stack. One list, so that the two never disagree.
 *
 * @module
 */

/**
 * A column: the figure's key (its cell's `data-figure`) and its heading.
 *
 * @example Usage
 * ```ts
 * import type { ShardColumn } from "./shard_columns.ts";
 * export const peers: ShardColumn = { key: "peers", label: "peers" };
 * ```
 */
export interface ShardColumn {
  /** The key, or `""` for a column that is no single figure. */
  key: string;
  /** The heading. */
  label: string;
}

/**
 * The shard table's columns after the first, which heads each row with the shard's number.
 *
 * @example Usage
 * ```ts
 * import { SHARD_COLUMNS } from "./shard_columns.ts";
 * console.assert(SHARD_COLUMNS[0].label === "peers");
 * ```
 */
export const SHARD_COLUMNS: readonly ShardColumn[] = [
  { key: "peers", label: "peers" },
  { key: "framesIn", label: "frames in" },
  { key: "delivered", label: "delivered" },
  { key: "mailWaiting", label: "mail" },
  { key: "subscriptions", label: "subscriptions" },
  { key: "load", label: "load" },
  { key: "height", label: "block" },
  { key: "", label: "latest block" },
  { key: "header", label: "header" },
];
