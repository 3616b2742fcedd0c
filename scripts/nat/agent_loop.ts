/**
 * The command loop every matrix agent shares: JSON lines on standard input, answers as JSON
 * lines on standard output (see `agent.ts` for the commands).
 *
 * @module
 */

/** What an agent does for each command. */
export interface AgentHandlers {
  /** Names the other peer. */
  remote(id: string): void | Promise<void>;
  /** Starts sending it a numbered message every `everyMs`. */
  stream(everyMs: number): void | Promise<void>;
  /** Stops sending. */
  stop(): void | Promise<void>;
  /** What was sent and received, and the route now. */
  status(): unknown;
  /** Ends the peer. */
  quit(): void | Promise<void>;
}

/**
 * Prints `{"ready": id}`, then serves commands until `quit` or the end of input.
 *
 * @example Usage
 * ```ts
 * import { type AgentHandlers, serveCommands } from "./agent_loop.ts";
 * export const serve = (id: string, h: AgentHandlers) => serveCommands(id, h);
 * ```
 *
 * @param id The peer's id.
 * @param handlers What to do.
 */
export async function serveCommands(id: string, handlers: AgentHandlers): Promise<void> {
  const say = (m: unknown) => console.log(JSON.stringify(m));
  say({ ready: id });
  let buffer = "";
  const text = Deno.stdin.readable.pipeThrough(
    new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
  );
  for await (const chunk of text) {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf("\n")) >= 0) {
      const c = JSON.parse(buffer.slice(0, end));
      buffer = buffer.slice(end + 1);
      if (c.op === "remote") await handlers.remote(c.id);
      else if (c.op === "stream") await handlers.stream(c.everyMs);
      else if (c.op === "stop") await handlers.stop();
      else if (c.op === "status") say(await handlers.status());
      else if (c.op === "quit") return await handlers.quit();
    }
  }
  await handlers.quit();
}

/**
 * Counts numbered messages as they arrive: in order, doubled or missing, and by which path.
 *
 * @example Usage
 * ```ts
 * import { Tally } from "./agent_loop.ts";
 * const tally = new Tally();
 * tally.take("0", "relay");
 * tally.take("1", "direct");
 * console.assert(tally.next === 2 && tally.via.direct === 1);
 * ```
 */
export class Tally {
  /** The next number expected: how many arrived in order. */
  next = 0;
  /** Numbers that came again. */
  doubled = 0;
  /** Numbers jumped over. */
  skipped = 0;
  /** Count by path. */
  via: Record<string, number> = {};

  /**
   * Counts one message.
   *
   * @param data Its text (its number).
   * @param via The path it came by.
   */
  take(data: string, via: string): void {
    const n = Number(data);
    this.via[via] = (this.via[via] ?? 0) + 1;
    if (n === this.next) this.next++;
    else if (n < this.next) this.doubled++;
    else (this.skipped += n - this.next, this.next = n + 1);
  }
}
