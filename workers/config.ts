/**
 * The network's config, read once per isolate from the Worker's vars.
 *
 * @module
 */
import { z } from "zod";
import type { DurableObjectNamespace } from "cloudflare:workers";
import { type Limits, NETWORK_ID_PATTERN, resolveLimits } from "../src/protocol/mod.ts";
import { assertShardCount } from "../src/routing/mod.ts";
import type { SuperPeer } from "./super_peer.ts";

/** The Worker's bindings and vars (see `wrangler.toml`). */
export interface Env {
  /** The super-peer Durable Object namespace. */
  SUPER_PEER: DurableObjectNamespace<SuperPeer>;
  /** The network id, e.g. `dev`. */
  NETWORK_ID: string;
  /** The fixed shard count of the network, as text. */
  SHARD_COUNT: string;
  /** Optional JSON object of limit overrides, e.g. `{"RATE_LIMIT_FRAMES_PER_SECOND":5000}`. */
  LIMIT_OVERRIDES?: string;
}

/** The parsed config. */
export interface NetworkConfig {
  /** The network id. */
  readonly network: string;
  /** The shard count. */
  readonly shards: number;
  /** The limits in force. */
  readonly limits: Limits;
}

const VarsSchema = z.object({
  NETWORK_ID: z.string().regex(NETWORK_ID_PATTERN),
  SHARD_COUNT: z.string().regex(/^[0-9]+$/),
  LIMIT_OVERRIDES: z.string().optional(),
});

let cached: { key: string; config: NetworkConfig } | undefined;

/**
 * Parses and caches the network's config.
 *
 * @param env The Worker's env.
 * @returns The config.
 * @throws {RangeError} If a var is malformed; the message names it.
 *
 * @example Usage
 * ```ts ignore
 * const { network, shards } = networkConfig(env);
 * ```
 */
export function networkConfig(env: Env): NetworkConfig {
  const key = `${env.NETWORK_ID}|${env.SHARD_COUNT}|${env.LIMIT_OVERRIDES ?? ""}`;
  if (cached?.key === key) return cached.config;
  const parsed = VarsSchema.safeParse(env);
  if (!parsed.success) {
    throw new RangeError(`Cannot start the network: bad config: ${parsed.error.message}`);
  }
  const shards = Number(parsed.data.SHARD_COUNT);
  assertShardCount(shards);
  const overrides = parsed.data.LIMIT_OVERRIDES ? JSON.parse(parsed.data.LIMIT_OVERRIDES) : {};
  const config = { network: parsed.data.NETWORK_ID, shards, limits: resolveLimits(overrides) };
  cached = { key, config };
  return config;
}

/** Headers by which the edge tells a super-peer who connects; the edge overwrites them. */
export const INTERNAL_HEADERS = {
  peer: "x-superpeer-peer",
  shard: "x-superpeer-shard",
  nonce: "x-superpeer-nonce",
  ts: "x-superpeer-ts",
} as const;
