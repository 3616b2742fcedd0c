/**
 * The command line's file sharing: `share` a file and keep seeding it, `fetch` content by its
 * id (with a progress line on a terminal, plain lines otherwise), and list its `providers`.
 *
 * @module
 */
import type { DownloadProgress } from "../../mod.ts";
import { byteSize, parseContentId, PIECE_BYTES } from "../../src/swarm/mod.ts";
import { UsageError } from "./args.ts";
import { closeAndExit, type Context } from "./context.ts";
import { clock } from "./output.ts";

function contentIdArg(command: string, text: string): string {
  const parsed = parseContentId(text);
  if (!parsed.ok) {
    throw new UsageError(
      `${command}: "${text}" is not a content id (<64 hex>.<size>, as share prints)`,
    );
  }
  return parsed.id.text;
}

/** Why a path cannot be shared, in a person's words, or `undefined` if it can. */
async function unreadable(path: string): Promise<string | undefined> {
  try {
    const info = await Deno.stat(path);
    return info.isDirectory ? "a directory" : undefined;
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).message;
  }
}

/**
 * `share <file>`: shares a file (hashed, then read a piece at a time as asked for, never
 * whole) and keeps seeding it until Ctrl-C, saying what it uploaded and to how many peers.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { share } from "./swarm_commands.ts";
 * export const seed = (context: Context) => share(context, "./video.mp4", false);
 * ```
 *
 * @param c The context.
 * @param path The file.
 * @param relayOnly Whether to stay off direct channels.
 */
export async function share(c: Context, path: string, relayOnly: boolean): Promise<void> {
  const why = await unreadable(path);
  if (why) throw new UsageError(`share: cannot read ${path}: ${why}`);
  const peer = await c.peer(!relayOnly);
  await c.connect(peer, true);
  const id = await peer.swarm.share(path);
  const bytes = (await Deno.stat(path)).size;
  c.out.result(id, { ok: true, id, file: path, bytes });
  c.out.note(`sharing ${path} (${byteSize(bytes)}); Ctrl-C to stop`);
  let last = 0;
  const report = setInterval(() => {
    if (peer.swarm.uploaded === last) return;
    last = peer.swarm.uploaded;
    const peers = peer.swarm.peersServed;
    c.out.note(
      `${clock(Date.now())} uploaded ${byteSize(last)} to ${peers} peer${peers === 1 ? "" : "s"}`,
    );
  }, 2_000);
  Deno.addSignalListener("SIGINT", async () => {
    clearInterval(report);
    await peer.swarm.unshare(id).catch(() => {});
    await closeAndExit(peer, 0);
  });
  await new Promise(() => {});
}

/**
 * A progress line: a bar, bytes, rate, ETA, sources, bad pieces.
 *
 * @example Usage
 * ```ts
 * import { progressLine } from "./swarm_commands.ts";
 * const line = progressLine({ done: 5, total: 10, bytes: 81_920, bad: 0, sources: 2, dropped: 0 }, 1, 0);
 * console.assert(line.startsWith("[##########          ]  50%"));
 * ```
 *
 * @param p The download's progress.
 * @param seconds Time since it started.
 * @param resumed Pieces taken from an earlier run.
 * @returns The line.
 */
export function progressLine(p: DownloadProgress, seconds: number, resumed: number): string {
  const share = p.total === 0 ? 1 : p.done / p.total;
  const bar = "#".repeat(Math.round(share * 20)).padEnd(20, " ");
  const rate = p.bytes / Math.max(seconds, 0.001);
  const left = ((p.total - p.done) * PIECE_BYTES) / Math.max(rate, 1);
  const eta = p.done === p.total ? "done" : rate === 0 ? "ETA --" : `ETA ${Math.ceil(left)} s`;
  return `[${bar}] ${String(Math.floor(share * 100)).padStart(3)}% ` +
    `${p.done}/${p.total} pieces, ${byteSize(p.bytes)} at ${byteSize(rate)}/s, ${eta}, ` +
    `${p.sources} source${p.sources === 1 ? "" : "s"}, ${p.bad} bad` +
    (p.dropped > 0 ? ` (${p.dropped} dropped)` : "") +
    (resumed > 0 ? `, ${resumed} resumed` : "");
}

/**
 * `fetch <id>`: fetches content from its providers into a file (resumable: run it again after
 * an interruption and it fetches only what it lacks) or to stdout when it is not a terminal,
 * with a progress bar on a terminal and plain lines otherwise.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { fetchContent } from "./swarm_commands.ts";
 * export const get = (context: Context, id: string) => fetchContent(context, id, { out: "x.bin" });
 * ```
 *
 * @param c The context.
 * @param text The content id.
 * @param o `out`: the file; `range`: `a-b`, bytes a to b inclusive; `relayOnly`: no direct
 *   channels.
 */
export async function fetchContent(
  c: Context,
  text: string,
  o: { out?: string; range?: string; relayOnly?: boolean },
): Promise<void> {
  const id = contentIdArg("fetch", text);
  const total = parseContentId(id);
  const sizeOf = total.ok ? total.id.size : 0;
  let range: { offset: number; length: number } | undefined;
  if (o.range !== undefined) {
    const m = /^([0-9]{1,16})-([0-9]{1,16})$/.exec(o.range);
    const [a, b] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
    if (!m || a > b || b >= sizeOf) {
      throw new UsageError(
        `fetch: --range is first-last byte, inclusive, below ${sizeOf}; got "${o.range}"`,
      );
    }
    range = { offset: a, length: b - a + 1 };
  }
  if (o.out === undefined && Deno.stdout.isTerminal()) {
    throw new UsageError("fetch: give --out FILE (the content is bytes, not for a terminal)");
  }
  if (o.out !== undefined && (await unreadable(o.out)) === "a directory") {
    throw new UsageError(`fetch: --out ${o.out} is a directory; give a file's path`);
  }
  const peer = await c.peer(!o.relayOnly);
  await c.connect(peer);
  const started = Date.now();
  const tty = Deno.stderr.isTerminal() && !c.out.json;
  let lastLine = 0;
  let resumed = 0;
  let whole = false;
  const onProgress = (p: DownloadProgress) => {
    const line = progressLine(p, (Date.now() - started) / 1_000, resumed);
    if (tty) Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}   `));
    else if (whole) return; // the last line was said once (reports go on while it settles)
    else if (p.done === p.total || Date.now() - lastLine > 1_000) {
      whole = p.done === p.total;
      lastLine = Date.now();
      c.out.note(line);
    }
  };
  try {
    let bytes: number;
    let fetched: number | undefined;
    if (o.out !== undefined && range === undefined) {
      // Whole content to a file: resumable, never held in memory.
      const out = o.out;
      const interrupted = () => {
        if (tty) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
        c.out.note(`interrupted: the same command resumes where this one stopped (${out}.part)`);
        void closeAndExit(peer, 130);
      };
      Deno.addSignalListener("SIGINT", interrupted);
      const report = await peer.swarm.fetchFile(id, out, {
        onProgress: (p) => onProgress(p),
      });
      Deno.removeSignalListener("SIGINT", interrupted);
      resumed = report.resumed;
      fetched = report.bytes;
      bytes = sizeOf;
    } else if (o.out !== undefined) {
      const part = await peer.swarm.fetch(id, { range, onProgress });
      await Deno.writeFile(o.out, part);
      bytes = part.length;
    } else {
      // To stdout as the pieces come, in order.
      bytes = 0;
      const stream = peer.swarm.fetchStream(id, { range, onProgress });
      const reader = stream.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) {
        await writeAll(r.value);
        bytes += r.value.length;
      }
    }
    if (tty) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
    const seconds = (Date.now() - started) / 1_000;
    const where = o.out ?? "stdout";
    const { relay, direct } = peer.swarm.downloaded;
    const how = direct > 0 ? ` (${byteSize(direct)} direct, ${byteSize(relay)} by relay)` : "";
    const kept = resumed > 0
      ? `fetched ${byteSize(fetched ?? 0)} of ${
        byteSize(bytes)
      } (${resumed} pieces were there already)`
      : `fetched ${byteSize(bytes)}`;
    const line = `${kept} to ${where} in ${seconds.toFixed(1)} s${how}`;
    if (o.out !== undefined) {
      c.out.result(line, {
        ok: true,
        id,
        out: where,
        bytes,
        fetched: fetched ?? direct + relay,
        resumed,
        direct,
        relay,
      });
    } else c.out.note(line);
  } finally {
    await peer.close(); // its marks saved before the process exits
  }
}

async function writeAll(bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await Deno.stdout.write(bytes.subarray(at));
}

/**
 * `providers <id>`: who serves a content, and how much of it.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { providers } from "./swarm_commands.ts";
 * export const who = (context: Context, id: string) => providers(context, id);
 * ```
 *
 * @param c The context.
 * @param text The content id.
 */
export async function providers(c: Context, text: string): Promise<void> {
  const id = contentIdArg("providers", text);
  const total = parseContentId(id);
  const pieces = total.ok ? total.id.pieces : 0;
  const peer = await c.peer();
  await c.connect(peer);
  try {
    const answer = await peer.request({ t: "providers", root: id, count: 32 });
    const lines = answer.providers.map((p) =>
      `${p.peer} (shard ${p.shard}): ${p.pieces === pieces ? "all" : p.pieces} of ${pieces} pieces`
    );
    c.out.result(lines.length === 0 ? "no providers" : lines.join("\n"), {
      providers: answer.providers,
    });
  } finally {
    await peer.close(); // its marks saved before the process exits
  }
}
