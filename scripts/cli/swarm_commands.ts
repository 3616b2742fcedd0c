/**
 * The command line's file sharing: `share` a file and keep seeding it, `fetch` content by its
 * id (with a progress line on a terminal, plain lines otherwise), and list its `providers`.
 *
 * @module
 */
import { type DownloadProgress, parseContentId, PIECE_BYTES } from "../../mod.ts";
import { UsageError } from "./args.ts";
import type { Context } from "./context.ts";

function contentIdArg(command: string, text: string): string {
  const parsed = parseContentId(text);
  if (!parsed.ok) {
    throw new UsageError(
      `${command}: "${text}" is not a content id (<64 hex>.<size>, as share prints)`,
    );
  }
  return parsed.id.text;
}

function size(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
    ? `${(bytes / 1024).toFixed(1)} KiB`
    : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/**
 * `share <file>`: shares a file and keeps seeding it until Ctrl-C, saying what it uploaded.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { share } from "./swarm_commands.ts";
 * export const seed = (context: Context) => share(context, "./video.mp4");
 * ```
 *
 * @param c The context.
 * @param path The file.
 */
export async function share(c: Context, path: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.IsADirectory
      ? "a directory"
      : (error as Error).message;
    throw new UsageError(`share: cannot read ${path}: ${why}`);
  }
  const peer = await c.peer();
  await c.connect(peer, true);
  const id = await peer.swarm.share(bytes);
  c.out.result(id, { ok: true, id, file: path, bytes: bytes.length });
  c.out.note(`sharing ${path} (${size(bytes.length)}); Ctrl-C to stop`);
  let last = 0;
  const report = setInterval(() => {
    if (peer.swarm.uploaded === last) return;
    last = peer.swarm.uploaded;
    c.out.note(`uploaded ${size(last)}`);
  }, 2_000);
  Deno.addSignalListener("SIGINT", async () => {
    clearInterval(report);
    await peer.swarm.unshare(id).catch(() => {});
    peer.close();
    Deno.exit(0);
  });
  await new Promise(() => {});
}

/**
 * `fetch <id>`: fetches content from its providers into a file (or stdout when it is not a
 * terminal), with its progress.
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
 * @param o `out`: the file; `range`: `a-b`, bytes a to b inclusive.
 */
export async function fetchContent(
  c: Context,
  text: string,
  o: { out?: string; range?: string },
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
  const peer = await c.peer();
  await c.connect(peer);
  const started = Date.now();
  const tty = Deno.stderr.isTerminal() && !c.out.json;
  let lastLine = 0;
  const onProgress = (p: DownloadProgress) => {
    const seconds = (Date.now() - started) / 1_000;
    const rate = p.bytes / Math.max(seconds, 0.001);
    const left = ((p.total - p.done) * PIECE_BYTES) / Math.max(rate, 1);
    const line = `${p.done}/${p.total} pieces, ${size(p.bytes)}, ${size(rate)}/s, ` +
      `ETA ${Math.ceil(left)} s, ${p.sources} sources, ${p.bad} bad`;
    if (tty) Deno.stderr.writeSync(new TextEncoder().encode(`\r${line}   `));
    else if (p.done === p.total || Date.now() - lastLine > 1_000) {
      lastLine = Date.now();
      c.out.note(line);
    }
  };
  try {
    const bytes = await peer.swarm.fetch(id, { range, onProgress });
    if (tty) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
    if (o.out !== undefined) await Deno.writeFile(o.out, bytes);
    else await Deno.stdout.write(bytes);
    const seconds = (Date.now() - started) / 1_000;
    const where = o.out ?? "stdout";
    const text = `fetched ${size(bytes.length)} to ${where} in ${seconds.toFixed(1)} s`;
    if (o.out !== undefined) c.out.result(text, { ok: true, id, out: where, bytes: bytes.length });
    else c.out.note(text);
  } finally {
    peer.close();
  }
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
    peer.close();
  }
}
