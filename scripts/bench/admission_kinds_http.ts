/**
 * The HTTP request kinds the admission benchmark measures: the routes that make a shard work,
 * each priced as the edge charges it from the address's HTTP budget (`transferPrice` for
 * `POST /v1/tx`, `COST_HTTP_READ` and `COST_HTTP_TX_LOOKUP` for the reads, `COST_FAUCET` for the faucet).
 *
 * @module
 */
import { DEFAULT_LIMITS, transferPrice } from "../../src/protocol/mod.ts";
import type { HttpCall } from "./admission_drive.ts";
import {
  json,
  type Kind,
  type KindContext,
  randomAccount,
  range,
  signFor,
} from "./admission_kind_base.ts";

const L = DEFAULT_LIMITS;

/**
 * The HTTP kinds, in report order.
 *
 * @example Usage
 * ```ts
 * import { HTTP_KINDS } from "./admission_kinds_http.ts";
 * console.assert(HTTP_KINDS.every((k) => k.http !== undefined));
 * ```
 */
export const HTTP_KINDS: Kind[] = [
  {
    name: "http.tx.1",
    what: "`POST /v1/tx`, 1 signed transfer (applied)",
    items: 1,
    price: transferPrice(1, L),
    http: {
      build: async (ctx, lane, n) =>
        (await signFor(ctx, lane, n)).map((t) => ({
          url: `${ctx.url}/v1/tx`,
          init: { method: "POST", body: json(t) },
        })),
      onBody: keepApplied,
    },
  },
  {
    name: `http.tx.${L.MAX_TX_BATCH}`,
    what: `\`POST /v1/tx\`, ${L.MAX_TX_BATCH} signed transfers (applied)`,
    items: L.MAX_TX_BATCH,
    price: transferPrice(L.MAX_TX_BATCH, L),
    http: {
      build: async (ctx, lane, n) => {
        const out: HttpCall[] = [];
        for (let i = 0; i < n; i++) {
          const body = json(await signFor(ctx, lane, L.MAX_TX_BATCH));
          out.push({ url: `${ctx.url}/v1/tx`, init: { method: "POST", body } });
        }
        return out;
      },
    },
  },
  {
    name: "http.account",
    what: "`GET /v1/accounts/:id`",
    items: 1,
    price: L.COST_HTTP_READ,
    http: {
      build: (ctx, _l, n) =>
        Promise.resolve(range(n).map(() => ({ url: `${ctx.url}/v1/accounts/${ctx.recipient}` }))),
    },
  },
  {
    name: "http.tx_status",
    what: "`GET /v1/tx/:hash` with its proof",
    items: 1,
    price: L.COST_HTTP_TX_LOOKUP,
    http: {
      build: (ctx, _l, n) =>
        Promise.resolve(
          range(n).map((i) => {
            const hash = ctx.applied[i % Math.max(1, ctx.applied.length)] ?? "0".repeat(64);
            return { url: `${ctx.url}/v1/tx/${hash}` };
          }),
        ),
    },
  },
  {
    name: "http.faucet",
    what: "`POST /v1/faucet` to a new account",
    items: 1,
    price: L.COST_FAUCET,
    http: {
      build: (ctx, _l, n) =>
        Promise.resolve(
          range(n).map(() => ({
            url: `${ctx.url}/v1/faucet`,
            // A new account each time (an account may use the faucet once an interval): the id
            // of random key bytes, which nobody holds, is an account all the same.
            init: { method: "POST", body: json({ account: randomAccount() }) },
          })),
        ),
    },
  },
];

function keepApplied(ctx: KindContext, body: string): void {
  const results = (JSON.parse(body) as { results?: { ok: boolean; hash?: string }[] }).results;
  for (const r of results ?? []) {
    if (r.ok && r.hash && ctx.applied.length < 4_096) {
      ctx.applied.push(r.hash);
    }
  }
}
