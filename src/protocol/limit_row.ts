/**
 * The shape of one row of the limit table.
 *
 * @module
 */

/** One row of the table: a limit's default, unit and meaning. */
export interface LimitRow {
  /** The default value. */
  readonly value: number;
  /** The unit of the value. */
  readonly unit: LimitUnit;
  /** What the limit bounds, and what happens past it. */
  readonly description: string;
}

/** The unit of a limit's value. */
export type LimitUnit =
  | "bytes"
  | "ms"
  | "frames"
  | "frames/s"
  | "bytes/s"
  | "peers"
  | "chars"
  | "units"
  | "cosignatures"
  | "blocks"
  | "entries"
  | "transfers"
  | "receipts"
  | "topics"
  | "messages"
  | "shards"
  | "units/s"
  | "connections"
  | "hellos"
  | "hellos/min"
  | "accounts"
  | "bits"
  | "requests"
  | "ratio";
