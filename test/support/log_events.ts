// The log's JSON lines among what workerd printed: the events a test looks for.

/** One event of the log: `event`, `level` and its fields. */
export type LogLine = { event: string; level: string; [k: string]: unknown };

/**
 * The log events among printed lines, in order; other lines are skipped.
 *
 * @param lines What workerd printed, a line each.
 * @returns The events.
 */
export function logEvents(lines: string[]): LogLine[] {
  return lines.flatMap((l) => {
    try {
      const e = JSON.parse(l) as LogLine;
      return typeof e.event === "string" ? [e] : [];
    } catch {
      return [];
    }
  });
}
