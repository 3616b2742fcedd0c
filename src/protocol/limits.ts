/**
 * Every limit of the protocol in one table. The same table is in `docs/PROTOCOL.md`, is
 * served at `GET /v1/limits`, and is sent in every welcome. A network may override a value
 * in its config (`LIMIT_OVERRIDES`); what it serves is always the value in force.
 *
 * @module
 */
import { LIMIT_TABLE, type LimitUnit } from "./limit_table.ts";
import { LIMIT_VALUES, type LimitName } from "./limit_values.ts";

export { LIMIT_TABLE, type LimitRow, type LimitUnit } from "./limit_table.ts";
export type { LimitName } from "./limit_values.ts";

/** The protocol version this code speaks. */
export const PROTOCOL_VERSION = 2;

/** One row of the limits table, as served and documented. */
export interface LimitSpec {
  /** The limit's name, as served and documented. */
  readonly name: LimitName;
  /** The default value. */
  readonly value: number;
  /** The unit of the value. */
  readonly unit: LimitUnit;
  /** What the limit bounds, and what happens past it. */
  readonly description: string;
}

/** The values in force, by name. */
export type Limits = Readonly<Record<LimitName, number>>;

/**
 * The limits table with descriptions, in documentation order.
 *
 * @example Usage
 * ```ts
 * import { LIMIT_SPECS } from "./limits.ts";
 * console.assert(LIMIT_SPECS.some((l) => l.name === "MAX_FRAME_BYTES"));
 * ```
 */
export const LIMIT_SPECS: readonly LimitSpec[] = /* @__PURE__ */ specsOf(LIMIT_TABLE);

// Marked pure above so that a bundle that never reads the specs (the client) drops the table
// and its texts.
function specsOf(table: typeof LIMIT_TABLE): LimitSpec[] {
  return Object.entries(table).map(([name, spec]) => ({ name: name as LimitName, ...spec }));
}

/**
 * The default value of every limit, by name: the constants code reads (from
 * `limit_values.ts`, the table's values alone, so that the client carries no texts).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "./limits.ts";
 * console.assert(DEFAULT_LIMITS.MAX_FRAME_BYTES === 65536);
 * ```
 */
export const DEFAULT_LIMITS: Limits = Object.freeze({ ...LIMIT_VALUES });

/**
 * Applies a network's overrides to the defaults.
 *
 * @param overrides Values by limit name; each a positive whole number.
 * @returns The limits in force.
 * @throws {RangeError} For an unknown name or a value that is not a positive whole number.
 *
 * @example Usage
 * ```ts
 * import { resolveLimits } from "./limits.ts";
 * const limits = resolveLimits({ RATE_LIMIT_FRAMES_PER_SECOND: 100 });
 * console.assert(limits.RATE_LIMIT_FRAMES_PER_SECOND === 100);
 * ```
 */
export function resolveLimits(overrides: Readonly<Record<string, unknown>> = {}): Limits {
  const limits: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in DEFAULT_LIMITS)) {
      throw new RangeError(`Cannot override limit "${name}": no such limit`);
    }
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(
        `Cannot override limit "${name}": value is ${
          JSON.stringify(value)
        }, expected a positive whole number`,
      );
    }
    limits[name] = value;
  }
  return Object.freeze(limits) as Limits;
}
