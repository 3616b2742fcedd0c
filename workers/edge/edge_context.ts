/**
 * What the edge's routes share: the per-request context (`Ctx`), the client address a request
 * counts under, admission of HTTP work by that address, and the checks of path parameters.
 *
 * @module
 */
import type { Context } from "hono";
import type { z } from "zod";
import { addressHome } from "../../src/routing/mod.ts";
import type { Env, NetworkConfig } from "../config.ts";
import { HttpError } from "../http_error.ts";
import type { LedgerRouter } from "../ledger_routing.ts";
import type { Shards } from "../shards.ts";
import { clientAddress } from "./client_address.ts";
import type { AdmissionHook } from "./operator_admission.ts";

/** The context of every edge route: the network's config, its shards, the ledger's router. */
export type Ctx = {
  Bindings: Env;
  Variables: {
    config: NetworkConfig;
    shards: Shards;
    ledger: LedgerRouter;
    admit: AdmissionHook | undefined;
  };
};

/**
 * The key the per-address limits count this request's client under (`client_address.ts`).
 *
 * @example Usage
 * ```ts
 * import type { Context } from "hono";
 * import { addressOf, type Ctx } from "./edge_context.ts";
 * export const who = (c: Context<Ctx>) => addressOf(c);
 * ```
 *
 * @param c The request's context.
 * @returns The address key.
 */
export function addressOf(c: Context<Ctx>): string {
  const config = c.var.config;
  return clientAddress(c.req.raw, {
    header: config.clientAddressHeader,
    testHeader: config.clientAddressTestHeader,
    ipv6PrefixBits: config.limits.IPV6_PREFIX_BITS,
  });
}

/**
 * Admits work that wakes a shard by the client address's HTTP budget at the address's home
 * (`address_gate.ts`), priced like the same request over a socket.
 *
 * @example Usage
 * ```ts
 * import type { Context } from "hono";
 * import { admitHttp, type Ctx } from "./edge_context.ts";
 * export const admitted = (c: Context<Ctx>) => admitHttp(c, 33);
 * ```
 *
 * @param c The request's context.
 * @param units Its price (default `COST_HTTP_READ`).
 * @throws {HttpError} 429 with the gate's code and `retryAfter` when refused.
 */
export async function admitHttp(
  c: Context<Ctx>,
  units: number = c.var.config.limits.COST_HTTP_READ,
): Promise<void> {
  const address = addressOf(c);
  const gate = c.var.shards.stub(addressHome(address, c.var.config.placement));
  const refused = await gate.addressHttp(address, units);
  if (refused) throw new HttpError(429, refused.code, refused.message, refused.retryAfter);
}

/**
 * A shard named in a path: a whole number below the shard count, else no resource of this
 * network.
 *
 * @example Usage
 * ```ts
 * import type { NetworkConfig } from "../config.ts";
 * import { shardParam } from "./edge_context.ts";
 * export const shard = (config: NetworkConfig) => shardParam(config, "0");
 * ```
 *
 * @param config The network's config.
 * @param text The path's text.
 * @returns The shard.
 * @throws {HttpError} 404 `NOT_FOUND` for anything else.
 */
export function shardParam(config: NetworkConfig, text: string): number {
  const k = Number(text);
  const { shards } = config.placement;
  // One way to write a shard: "02" is refused as a height or a size with a leading zero is.
  if (!/^(0|[1-9][0-9]{0,3})$/.test(text) || k >= shards) {
    throw new HttpError(404, "NOT_FOUND", `No shard "${text}" in a network of ${shards}`);
  }
  return k;
}

/**
 * Checks an input against its schema (the one the API's description shows).
 *
 * @example Usage
 * ```ts
 * import { z } from "zod";
 * import { check } from "./edge_context.ts";
 * console.assert(check(z.string(), "a") === "a");
 * ```
 *
 * @param schema The schema.
 * @param value The input.
 * @param message What to say when it fails (default: the schema's first issue).
 * @returns The input, typed.
 * @throws {HttpError} 400 `BAD_REQUEST` when it fails.
 */
export function check<T>(
  schema: z.ZodType<T>,
  value: unknown,
  message?: (value: string) => string,
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new HttpError(400, "BAD_REQUEST", message?.(String(value)) ?? r.error.issues[0].message);
}
