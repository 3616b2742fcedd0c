/**
 * A byte count as a person reads it, as the command line and the network page show sizes
 * and rates of content.
 *
 * @module
 */

/**
 * A byte count in B, KiB or MiB.
 *
 * @example Usage
 * ```ts
 * import { byteSize } from "./byte_size.ts";
 * console.assert(byteSize(512) === "512 B" && byteSize(1536) === "1.5 KiB");
 * ```
 *
 * @param bytes The count.
 * @returns It, for people.
 */
export function byteSize(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
