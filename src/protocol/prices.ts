/**
 * What each request costs its sender, in admission units: one place, read by the super-peer's
 * admission step, by the edge for HTTP writes, by the benchmark that checks each price against
 * the shard time the request takes, and by the documentation's price table.
 *
 * A request that carries items (transfers in a `tx`, ids in a `mail.ack`) pays per item, so
 * that its price follows its cost whatever it carries.
 *
 * @module
 */
import type { ControlRequest, ControlType } from "./control_map.ts";
import type { LimitName, Limits } from "./limits.ts";

/** How a request kind is priced: a base, and optionally a price per item it carries. */
export interface Price {
  /** The limit that holds its base price. */
  readonly base: LimitName;
  /** The limit that holds its price per item, if it carries items. */
  readonly perItem?: LimitName;
}

/**
 * The price of every control request, by its `t`. Every text frame first pays `COST_REQUEST`
 * before it is parsed; a request whose price is higher pays the rest once parsed, before any
 * work is done for it.
 */
export const REQUEST_PRICES: Readonly<Record<ControlType, Price>> = {
  tx: { base: "COST_TX", perItem: "COST_PER_TRANSFER" },
  account: { base: "COST_ACCOUNT" },
  blocks: { base: "COST_BLOCKS" },
  cosign: { base: "COST_COSIGN" },
  evidence: { base: "COST_EVIDENCE" },
  log: { base: "COST_LOG_READ" },
  sub: { base: "COST_SUBSCRIBE" },
  unsub: { base: "COST_SUBSCRIBE" },
  pub: { base: "COST_PUBLISH" },
  "topic.ack": { base: "COST_REQUEST" },
  peers: { base: "COST_PEERS_REQUEST" },
  lookup: { base: "COST_REQUEST" },
  mail: { base: "COST_MAIL" },
  "mail.ack": { base: "COST_REQUEST", perItem: "COST_MAIL_ACK_IDS" },
  provide: { base: "COST_PROVIDE", perItem: "COST_HAVE_KIB" },
  unprovide: { base: "COST_PROVIDE" },
  providers: { base: "COST_SWARM_REQUEST" },
  routes: { base: "COST_ROUTES" },
};

/** Ids of a `mail.ack` that one item (`COST_MAIL_ACK_IDS`) pays for. */
export const ACK_IDS_PER_ITEM = 4;

/**
 * The priced items of a `mail.ack` of `ids` ids: each {@linkcode ACK_IDS_PER_ITEM} begun.
 *
 * @example Usage
 * ```ts
 * import { ackIdItems } from "./prices.ts";
 * console.assert(ackIdItems(1) === 1 && ackIdItems(4) === 1 && ackIdItems(1_024) === 256);
 * ```
 *
 * @param ids How many ids.
 * @returns Its items.
 */
export function ackIdItems(ids: number): number {
  return Math.ceil(ids / ACK_IDS_PER_ITEM);
}

/**
 * The items a request carries, as priced: transfers of a `tx` (at most `MAX_TX_BATCH`, since
 * a larger batch is refused whole), each 4 ids begun of a `mail.ack`, KiB begun of a
 * `provide`'s `have`.
 *
 * @param m The request.
 * @param limits The limits in force.
 * @returns Its item count (0 for a request priced whole).
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "./limits.ts";
 * import { requestItems } from "./prices.ts";
 * console.assert(requestItems({ t: "mail.ack", mids: ["a", "b"] }, DEFAULT_LIMITS) === 1);
 * ```
 */
export function requestItems(m: ControlRequest, limits: Limits): number {
  switch (m.t) {
    case "tx":
      return Math.min(m.txs.length, limits.MAX_TX_BATCH);
    case "mail.ack":
      return ackIdItems(m.mids.length);
    case "provide":
      // The pieces it holds: a bitfield read, decoded and counted, priced by the KiB begun.
      return m.have === undefined ? 0 : Math.ceil(m.have.length / 1024);
    default:
      return 0;
  }
}

/**
 * What a control request costs in all, base and items.
 *
 * @param m The request.
 * @param limits The limits in force.
 * @returns Its price in units.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "./limits.ts";
 * import { requestPrice } from "./prices.ts";
 * const ack = requestPrice({ t: "mail.ack", mids: ["a", "b"] }, DEFAULT_LIMITS);
 * console.assert(ack === DEFAULT_LIMITS.COST_REQUEST + DEFAULT_LIMITS.COST_MAIL_ACK_IDS);
 * ```
 */
export function requestPrice(m: ControlRequest, limits: Limits): number {
  const price = REQUEST_PRICES[m.t];
  const items = price.perItem ? requestItems(m, limits) * limits[price.perItem] : 0;
  return limits[price.base] + items;
}

/**
 * What a `tx` submission costs, by the route that does not parse it as a control request
 * (`POST /v1/tx`): `COST_HTTP_TX` and each transfer, up to `MAX_TX_BATCH`. Its base is dearer than
 * a `tx` frame's (`COST_TX`): the request is read and forwarded by the edge as well.
 *
 * @param transfers How many transfers it carries.
 * @param limits The limits in force.
 * @returns Its price in units.
 *
 * @example Usage
 * ```ts
 * import { DEFAULT_LIMITS } from "./limits.ts";
 * import { transferPrice } from "./prices.ts";
 * console.assert(transferPrice(0, DEFAULT_LIMITS) === DEFAULT_LIMITS.COST_HTTP_TX);
 * ```
 */
export function transferPrice(transfers: number, limits: Limits): number {
  const n = Math.max(0, Math.min(transfers, limits.MAX_TX_BATCH));
  return limits.COST_HTTP_TX + n * limits.COST_PER_TRANSFER;
}
