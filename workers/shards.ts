/**
 * The one place that makes stubs of shards' super-peers and calls them: for the edge (which
 * routes a request to its home) and for a super-peer (which calls its peers' homes, topics'
 * homes and receipts' destinations).
 *
 * @module
 */
import type { DurableObjectStub } from "cloudflare:workers";
import { shardName } from "../src/routing/mod.ts";
import type { Env, NetworkConfig } from "./config.ts";
import type { SuperPeerRpc } from "./rpc.ts";

/** First wait before a call is tried again, in ms; it doubles with each attempt. */
const RETRY_BASE_MS = 25;

/**
 * The shards of a network, as stubs.
 *
 * @example Usage
 * ```ts
 * import { type Env, networkConfig } from "./config.ts";
 * import { Shards } from "./shards.ts";
 * export async function account(env: Env, id: string) {
 *   const shards = new Shards(env, networkConfig(env));
 *   return await shards.call(3, (s) => s.ledgerAccount(id)); // retried with backoff
 * }
 * ```
 */
export class Shards {
  readonly #env: Env;
  readonly #network: string;
  readonly #stubs = new Map<number, DurableObjectStub<SuperPeerRpc>>();

  /**
   * @param env The Worker's env (the namespace binding).
   * @param config The network's config.
   */
  constructor(env: Env, config: NetworkConfig) {
    this.#env = env;
    this.#network = config.network;
  }

  /**
   * A shard's stub, kept for reuse.
   *
   * @param shard The shard.
   * @returns Its super-peer's stub.
   */
  stub(shard: number): DurableObjectStub<SuperPeerRpc> {
    let stub = this.#stubs.get(shard);
    if (!stub) {
      const ns = this.#env.SUPER_PEER;
      stub = ns.get(ns.idFromName(shardName(this.#network, shard)));
      this.#stubs.set(shard, stub);
    }
    return stub;
  }

  /**
   * Drops a shard's stub after it failed: a stub that saw an exception may stay broken, so the
   * next call gets a fresh one.
   *
   * @param shard The shard.
   */
  broken(shard: number): void {
    this.#stubs.delete(shard);
  }

  /**
   * Calls a shard. A failed call gets a fresh stub and is tried again, up to `attempts` times
   * in all, with backoff: more than one attempt only for calls whose repeat does no harm.
   *
   * @param shard The shard.
   * @param fn The call.
   * @param attempts Attempts in all. @default 1
   * @returns What the call returns.
   * @throws Whatever the last attempt threw.
   */
  async call<T>(
    shard: number,
    fn: (stub: DurableObjectStub<SuperPeerRpc>) => Promise<T>,
    attempts = 1,
  ): Promise<T> {
    for (let attempt = 1;; attempt++) {
      try {
        return await fn(this.stub(shard));
      } catch (error) {
        this.broken(shard);
        if (attempt >= attempts) throw error;
        await new Promise((r) => setTimeout(r, RETRY_BASE_MS * 2 ** attempt));
      }
    }
  }
}
