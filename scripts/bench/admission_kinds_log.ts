/**
 * The admission benchmark's kinds of a shard's log (`docs/LEDGER.md`): a witness's `cosign` of
 * the measured shard's head checkpoint, an `evidence` report (a fork signed with the development
 * secret's shard key: checked in full each time, told once), and the HTTP reads of the log, each
 * made a cache miss (a query the route ignores) so that it reaches the shard.
 *
 * @module
 */
import { logOrigin } from "../../src/ledger/mod.ts";
import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
import {
  cosign,
  formatCheckpoint,
  parseCheckpoint,
  signNote,
  tilePath,
} from "../../src/tlog/mod.ts";
import { deriveShardKey, DEVELOPMENT_NETWORK_SECRET } from "../../workers/shard_keys.ts";
import {
  json,
  type Kind,
  type KindContext,
  price,
  randomHex,
  range,
} from "./admission_kind_base.ts";

const L = DEFAULT_LIMITS;

// The measured shard's head checkpoint, as signed (no cosignatures), and its height.
async function head(ctx: KindContext): Promise<{ note: string; text: string; height: number }> {
  // The shard seals its first block an interval after the transfers of the kinds before.
  let res = await fetch(`${ctx.url}/v1/shards/0/checkpoint`);
  for (let i = 0; i < 100 && res.status === 404; i++) {
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, 100));
    res = await fetch(`${ctx.url}/v1/shards/0/checkpoint`);
  }
  const all = await res.text();
  if (!res.ok) throw new Error(`no checkpoint on shard 0: ${all}`);
  const cut = all.indexOf("\n\n");
  const note = all.slice(0, cut + 2) + all.slice(cut + 2).split("\n")[0] + "\n";
  return {
    note,
    text: all.slice(0, cut + 1),
    height: Number(res.headers.get("x-superpeer-height")),
  };
}

const bust = () => `?b=${randomHex(8)}`;

/**
 * The log's kinds: two over the socket, five over HTTP.
 *
 * @example Usage
 * ```ts
 * import { LOG_KINDS } from "./admission_kinds_log.ts";
 * console.assert(LOG_KINDS.some((k) => k.name === "cosign"));
 * ```
 */
export const LOG_KINDS: Kind[] = [
  {
    name: "cosign",
    what: "`cosign` of the shard's head checkpoint by the socket's own key (kept, told)",
    items: 1,
    price: price({ t: "cosign", id: 0, shard: 0, height: 1, cosignature: "" }),
    socket: {
      counting: { binary: false, reply: "cosign.result" },
      build: async (ctx, lane, n) => {
        const { text, height } = await head(ctx);
        const id = ctx.identities[lane];
        const signer = {
          name: `w${lane}`,
          publicKey: id.publicKey,
          sign: (b: Uint8Array) => id.sign(b),
        };
        const out: string[] = [];
        // A new time in each: each line differs, and each replaces the lane's last.
        for (let i = 0; i < n; i++) {
          const cosignature = await cosign(text, signer, 1_700_000_000 + ctx.phase * 1_000_000 + i);
          out.push(json({ t: "cosign", id: i, shard: 0, height, cosignature }));
        }
        return out;
      },
    },
  },
  {
    name: "evidence",
    what:
      "`evidence`: two checkpoints of one size, both signed by the shard's key (checked in full)",
    items: 1,
    price: price({ t: "evidence", id: 0, evidence: null }),
    socket: {
      counting: { binary: false, reply: "evidence.result" },
      build: async (ctx, _lane, n) => {
        const { note, text } = await head(ctx);
        const c = parseCheckpoint(text)!;
        const key = await deriveShardKey(DEVELOPMENT_NETWORK_SECRET, ctx.network, 0);
        const origin = logOrigin(ctx.network, 0);
        const fork = await signNote(
          formatCheckpoint({ ...c, root: c.root.map((b) => b ^ 1) }),
          { name: origin, publicKey: key.publicKey, sign: (b) => key.sign(b) },
        );
        const evidence = { kind: "same-size", a: note, b: fork };
        return range(n).map((i) => json({ t: "evidence", id: i, evidence }));
      },
    },
  },
  {
    name: "log",
    what: "`log` over the socket: a consistency proof from 1 to the head's size",
    items: 1,
    price: price({ t: "log", id: 0, shard: 0, ask: { kind: "checkpoint" } }),
    socket: {
      counting: { binary: false, reply: "log.result" },
      build: async (ctx, _lane, n) => {
        const to = parseCheckpoint((await head(ctx)).text)!.size;
        return range(n).map((i) =>
          json({ t: "log", id: i, shard: 0, ask: { kind: "consistency", from: 1, to } })
        );
      },
    },
  },
  ...([
    [
      "http.checkpoint",
      "`GET /v1/shards/:k/checkpoint` (the head's, with cosignatures)",
      () => "checkpoint",
    ],
    [
      "http.consistency",
      "`GET /v1/shards/:k/consistency/1/:size` (a cache miss)",
      (s: number) => `consistency/1/${s}`,
    ],
    [
      "http.inclusion",
      "`GET /v1/shards/:k/inclusion/0/:size` (a cache miss)",
      (s: number) => `inclusion/0/${s}`,
    ],
    [
      "http.tile",
      "`GET /v1/shards/:k/tile/0/000.p/W`, the first hash tile (a cache miss)",
      (s: number) => `tile/${tilePath({ level: 0, index: 0, width: Math.min(s, 255) })}`,
    ],
  ] as const).map(([name, what, path]): Kind => ({
    name,
    what,
    items: 1,
    price: L.COST_HTTP_READ,
    http: {
      build: async (ctx, _l, n) => {
        const { text } = await head(ctx);
        const size = parseCheckpoint(text)!.size;
        return range(n).map(() => ({ url: `${ctx.url}/v1/shards/0/${path(size)}${bust()}` }));
      },
    },
  })),
  {
    name: "http.balance_proof",
    what: "`GET /v1/accounts/:id/proof` of an account on the shard",
    items: 1,
    price: L.COST_HTTP_READ,
    http: {
      build: (ctx, _l, n) =>
        Promise.resolve(
          range(n).map(() => ({ url: `${ctx.url}/v1/accounts/${ctx.recipient}/proof` })),
        ),
    },
  },
];
