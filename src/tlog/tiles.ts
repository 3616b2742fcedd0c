/**
 * Hash tiles' paths (C2SP `tlog-tiles`): a tile is named `tile/<L>/<N>[.p/<W>]`, its index `N`
 * written in groups of three digits, every group but the last prefixed with `x`
 * (1234067 → `x001/x234/067`), and a partial tile of `W` hashes (1 to 255) suffixed `.p/<W>`.
 *
 * @module
 */

/** A hash tile's name. */
export interface TileName {
  /** Its level: its hashes are of tree level `8 × level`. */
  level: number;
  /** Its index at its level. */
  index: number;
  /** Its hashes: 256, or fewer for a partial tile. */
  width: number;
}

/**
 * A tile's path below `tile/`.
 *
 * @param t The tile.
 * @returns The path, such as `0/x001/x234/067.p/8`.
 *
 * @example Usage
 * ```ts
 * import { tilePath } from "./tiles.ts";
 * console.assert(tilePath({ level: 0, index: 1234067, width: 8 }) === "0/x001/x234/067.p/8");
 * ```
 */
export function tilePath(t: TileName): string {
  const digits = String(t.index);
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, "0");
  const groups = padded.match(/.{3}/g)!;
  const n = groups.map((g, i) => i < groups.length - 1 ? `x${g}` : g).join("/");
  return `${t.level}/${n}${t.width < 256 ? `.p/${t.width}` : ""}`;
}

/**
 * Reads a tile's path below `tile/`: exactly the one way `tilePath` writes each tile.
 *
 * @param path The path, such as `0/x001/x234/067.p/8`.
 * @returns The tile, or `undefined` if the path names none.
 *
 * @example Usage
 * ```ts
 * import { parseTilePath } from "./tiles.ts";
 * console.assert(parseTilePath("2/x001/x234/067")?.index === 1234067);
 * console.assert(parseTilePath("0/1") === undefined);
 * ```
 */
export function parseTilePath(path: string): TileName | undefined {
  const m = /^([0-9]|[1-5][0-9]|6[0-3])\/((?:x[0-9]{3}\/)*)([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/
    .exec(path);
  if (!m) return undefined;
  const index = Number(m[2].replaceAll("x", "").replaceAll("/", "") + m[3]);
  const width = m[4] === undefined ? 256 : Number(m[4]);
  if (!Number.isSafeInteger(index) || width > 255 && m[4] !== undefined) return undefined;
  const t = { level: Number(m[1]), index, width };
  // One name per tile: no leading zero group ("x000/001" is "001").
  return tilePath(t) === path ? t : undefined;
}
