/**
 * The verifier: stateless code that checks transfers' signatures before a shard orders them
 * (`src/ledger/verdicts.ts`). It is this Worker's `Verifier` entrypoint
 * (`verifier_entrypoint.ts`), reached by a service binding (`VERIFIER`) and never by a URL, so
 * each call runs in an isolate of its own. A shard sends it the transfers of a batch that
 * passed its cheap reads, in parts of `VERIFY_PART` transfers, `VERIFY_IN_FLIGHT` parts per
 * binding at a time, and goes on with other work while they are checked.
 *
 * @module
 */
import { type Verdict, verifyTransfers } from "../src/ledger/verdicts.ts";
import type { Env, NetworkConfig, VerifierBinding } from "./config.ts";
import { nextTurn } from "../src/runtime/next_turn.ts";

/** Transfers per call to the verifier: a batch of 256 is checked in 8 calls. */
export const VERIFY_PART = 32;

/**
 * Calls one shard has at each verifier binding at once, across all its batches. A service
 * binding may run its callee on its caller's thread (Cloudflare's default, and always so on a
 * local network): eight parts sent at once are then one stall of the whole batch's checks
 * (about 14 ms for 256 transfers) before the shard reads its next frame. Two at a time keep
 * a verifier that runs apart busy while the shard waits for at most two parts (about 3.5 ms),
 * and a turn given back after each answer lets the shard read its sockets between them.
 */
export const VERIFY_IN_FLIGHT = 2;

/** The verifier's one path (its binding reaches nothing else). */
const VERIFY_URL = "https://verifier.internal/verify";

/**
 * Answers a verifier request: the verdicts of the transfers it carries.
 *
 * @example Usage
 * ```ts
 * import { verifyRequest } from "./verifier.ts";
 * import { networkConfig } from "./config.ts";
 * const config = networkConfig({ NETWORK_ID: "n", SHARD_COUNT: "1" } as never);
 * const r = await verifyRequest(new Request("http://v/", { method: "POST", body: "[{}]" }), config);
 * console.assert((await r.json())[0].ok === false);
 * ```
 *
 * @param request A `POST` of a JSON array of transfers.
 * @param config The network's config.
 * @returns 200 with one verdict each, or 400.
 */
export async function verifyRequest(request: Request, config: NetworkConfig): Promise<Response> {
  const { limits } = config;
  const txs = await request.json().catch(() => null);
  if (!Array.isArray(txs) || txs.length > limits.MAX_TX_BATCH) {
    return new Response("A JSON array of transfers, at most MAX_TX_BATCH", { status: 400 });
  }
  return Response.json(await verifyTransfers(txs, limits.MAX_TRANSFER_AMOUNT));
}

/**
 * How a caller gets verdicts for a batch: from the verifier binding, in parts at once, or
 * (without one) by checking the signatures itself.
 *
 * @example Usage
 * ```ts
 * import { verifierOf } from "./verifier.ts";
 * import { networkConfig } from "./config.ts";
 * const config = networkConfig({ NETWORK_ID: "n", SHARD_COUNT: "1" } as never);
 * const verify = verifierOf([], config); // no binding: checked here
 * console.assert((await verify([{}]))[0].ok === false);
 * ```
 *
 * @param bindings The verifier bindings (`VERIFIER`, and any `VERIFIER_<n>`), in turn.
 * @param config The network's config.
 * @returns A function from transfers to their verdicts; it throws if the verifier fails.
 */
export function verifierOf(
  bindings: readonly VerifierBinding[],
  config: NetworkConfig,
): (txs: readonly unknown[]) => Promise<Verdict[]> {
  const max = config.limits.MAX_TRANSFER_AMOUNT;
  if (bindings.length === 0) return (txs) => verifyTransfers(txs, max);
  let turn = 0;
  const slots = new Slots(bindings.length * VERIFY_IN_FLIGHT);
  return async (txs) => {
    const parts: unknown[][] = [];
    for (let i = 0; i < txs.length; i += VERIFY_PART) parts.push(txs.slice(i, i + VERIFY_PART));
    const answers = await Promise.all(parts.map(async (part) => {
      await slots.take();
      try {
        const binding = bindings[turn++ % bindings.length];
        const r = await binding.fetch(
          new Request(VERIFY_URL, { method: "POST", body: JSON.stringify(part) }),
        );
        if (!r.ok) throw new Error(`The verifier answered ${r.status}`);
        const verdicts = await r.json() as Verdict[];
        // A verifier on this thread answers in-process: without a turn given back between
        // parts, the shard would read none of its sockets until the whole batch is checked.
        await nextTurn();
        if (!Array.isArray(verdicts) || verdicts.length !== part.length) {
          throw new Error("The verifier's answer does not match its request");
        }
        return verdicts;
      } finally {
        slots.give();
      }
    }));
    return answers.flat();
  };
}

/** A count of calls that may be out at once; the rest wait their turn, first come first. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(count: number) {
    this.#free = count;
  }
  take(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/**
 * How a shard has its batch's signatures checked: by the verifier bindings of `env`
 * (`VERIFIER`, and any `VERIFIER_<n>`), in turn, or by itself without one.
 *
 * @example Usage
 * ```ts
 * import { shardVerify } from "./verifier.ts";
 * import { networkConfig } from "./config.ts";
 * const config = networkConfig({ NETWORK_ID: "n", SHARD_COUNT: "1" } as never);
 * const verify = shardVerify({}, config); // no binding: checked by the caller
 * console.assert((await verify([{}]))[0].ok === false);
 * ```
 *
 * @param env The Worker's env.
 * @param config The network's config.
 * @returns The shard's `verify`.
 */
export function shardVerify(
  env: Partial<Env>,
  config: NetworkConfig,
): (txs: readonly unknown[]) => Promise<Verdict[]> {
  const bindings = [env.VERIFIER, env.VERIFIER_1, env.VERIFIER_2, env.VERIFIER_3]
    .filter((b): b is VerifierBinding => b !== undefined);
  return verifierOf(bindings, config);
}
