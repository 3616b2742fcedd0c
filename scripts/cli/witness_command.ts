/**
 * The command line's `witness` (and `deno task witness`): this identity witnesses shards' logs
 * (`docs/LEDGER.md`, "Witnesses and evidence") until Ctrl-C, printing its key for clients'
 * policies first and then what it does with each checkpoint. What it last cosigned per shard is
 * kept in a file beside the identity, so that a restart goes on from there and a fork shown
 * after it is still caught.
 *
 * @module
 */
import { base64 } from "@scure/base";
import { type NetworkInfo, type PeerEvents, ProtocolError } from "../../mod.ts";
import { UsageError } from "./args.ts";
import type { WitnessedHead, WitnessStore } from "../../src/tlog/witness.ts";
import { closeAndExit, type Context, wholeArg } from "./context.ts";
import { clock } from "./output.ts";

/**
 * A witness's heads in a JSON file, written whole after each change (one small file per
 * witness; its only writer is this process).
 *
 * @example Usage
 * ```ts
 * import { fileWitnessStore } from "./witness_command.ts";
 * const store = fileWitnessStore(await Deno.makeTempFile());
 * console.assert(await store.get("log") === undefined);
 * ```
 *
 * @param path The file (created on first write).
 * @returns The store.
 */
export function fileWitnessStore(path: string): WitnessStore {
  let heads: Map<string, WitnessedHead> | undefined;
  // One write at a time: shards are witnessed side by side, and all of them share the file.
  let writing: Promise<void> = Promise.resolve();
  const load = async () => {
    if (heads) return heads;
    const text = await Deno.readTextFile(path).catch(() => "{}");
    const raw = JSON.parse(text.trim() === "" ? "{}" : text) as Record<
      string,
      { size: number; root: string; note?: string }
    >;
    heads = new Map(
      Object.entries(raw).map(([o, h]) => [o, { ...h, root: base64.decode(h.root) }]),
    );
    return heads;
  };
  return {
    get: async (origin) => (await load()).get(origin),
    swap: async (origin, from, to) => {
      const all = await load();
      if (all.get(origin)?.size !== from) return false;
      all.set(origin, to);
      const out = Object.fromEntries(
        [...all].map(([o, h]) => [o, { ...h, root: base64.encode(h.root) }]),
      );
      const text = JSON.stringify(out, null, 1);
      writing = writing.then(async () => {
        const tmp = `${path}.${crypto.randomUUID()}.tmp`;
        await Deno.writeTextFile(tmp, text);
        await Deno.rename(tmp, path);
      });
      await writing;
      return true;
    },
  };
}

/**
 * `witness`: watches the shards given (all by default), cosigns each checkpoint that extends
 * the last one it cosigned, reports one that does not, until Ctrl-C.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "./context.ts";
 * import { witness } from "./witness_command.ts";
 * export const all = (c: Context) => witness(c, [], {}); // until Ctrl-C
 * ```
 *
 * @param c The context.
 * @param shardArgs The shards, as given.
 * @param o The key's name (default: the peer id) and the state file (default: beside the
 *   identity, `<identity>.witness.json`).
 */
export async function witness(
  c: Context,
  shardArgs: string[],
  o: { name?: string; state?: string },
): Promise<void> {
  const shards = shardArgs.map((s) => wholeArg("a shard", s, 0, 1023));
  if (shards.length > 0) {
    // Said now, not found out later as a watch the network refuses while nothing is printed.
    const url = c.api("/v1/network");
    const info = await fetch(url).then((r) => r.json() as Promise<NetworkInfo>, () => {
      throw new ProtocolError("UNREACHABLE", `Cannot reach ${url.origin}: is the network up?`);
    });
    const bad = shards.find((k) => k >= info.shards);
    if (bad !== undefined) {
      throw new UsageError(
        `no shard ${bad}: the network has ${info.shards} (0 to ${info.shards - 1})`,
      );
    }
  }
  const state = o.state ?? c.identityPath.replace(/(\.json)?$/, ".witness.json");
  const peer = await c.peer(false, {
    witness: {
      ...(shards.length > 0 ? { shards } : {}),
      ...(o.name ? { name: o.name } : {}),
      store: fileWitnessStore(state),
    },
  });
  peer.on("witness", (d: PeerEvents["witness"]) => {
    const what = d.outcome === "refused"
      ? `refused (${d.code})`
      : d.outcome === "evidence"
      ? "NOT cosigned: it does not extend what was cosigned; evidence reported"
      : "cosigned";
    c.out.result(`${clock(Date.now())} shard ${d.shard} block ${d.height}: ${what}`, { ...d });
  });
  peer.on("distrust", (d: PeerEvents["distrust"]) => {
    c.out.result(
      `${clock(Date.now())} shard ${d.shard}'s key signed two histories: distrusted`,
      { t: "distrust", shard: d.shard },
    );
  });
  await c.connect(peer, true);
  const key = await peer.ledger.witnessKey();
  c.out.result(`witness key (for clients' trust policies): ${key}`, { t: "witness", key, state });
  c.out.note("witnessing; Ctrl-C to stop");
  Deno.addSignalListener("SIGINT", () => void closeAndExit(peer, 0));
  await new Promise(() => {});
}
