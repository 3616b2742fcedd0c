/**
 * The verifier: stateless code that checks transfers' signatures before a shard orders them
 * (`src/ledger/verdicts.ts`). It is this Worker's `Verifier` entrypoint
 * (`verifier_entrypoint.ts`), reached by a service binding (`VERIFIER`) and never by a URL, so each call runs in an isolate of its own, in
 * parallel with the shard that sequences. A super-peer sends it a peer's `tx` batch in parts
 * of `VERIFY_PART` transfers at once; the edge checks an HTTP batch itself.
 *
 * @module
 */
import { sealVerdicts, type Verdict, verdictKey, verifyTransfers } from "../src/ledger/verdicts.ts";
import type { SealedVerdicts } from "../src/ledger/verdicts.ts";
import type { Env, NetworkConfig, VerifierBinding } from "./config.ts";
import type { Verify } from "./ledger_routing.ts";

/** Transfers per call to the verifier: a batch of 256 is checked by 8 calls at once. */
export const VERIFY_PART = 32;

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
  return async (txs) => {
    const parts: unknown[][] = [];
    for (let i = 0; i < txs.length; i += VERIFY_PART) parts.push(txs.slice(i, i + VERIFY_PART));
    const answers = await Promise.all(parts.map(async (part) => {
      const binding = bindings[turn++ % bindings.length];
      const r = await binding.fetch(
        new Request(VERIFY_URL, { method: "POST", body: JSON.stringify(part) }),
      );
      if (!r.ok) throw new Error(`The verifier answered ${r.status}`);
      const verdicts = await r.json() as Verdict[];
      if (!Array.isArray(verdicts) || verdicts.length !== part.length) {
        throw new Error("The verifier's answer does not match its request");
      }
      return verdicts;
    }));
    return answers.flat();
  };
}

const keys = new Map<string, Promise<CryptoKey>>();

/**
 * The network's verdict key, derived once per isolate.
 *
 * @example Usage
 * ```ts
 * import { verdictKeyOf } from "./verifier.ts";
 * import { networkConfig } from "./config.ts";
 * const config = networkConfig({ NETWORK_ID: "n", SHARD_COUNT: "1" } as never);
 * console.assert(verdictKeyOf(config) === verdictKeyOf(config));
 * ```
 *
 * @param config The network's config.
 * @returns The key.
 */
export function verdictKeyOf(config: NetworkConfig): Promise<CryptoKey> {
  const id = `${config.network}\n${config.secret}`;
  let key = keys.get(id);
  if (!key) keys.set(id, key = verdictKey(config.secret, config.network));
  return key;
}

/**
 * Vouches for one shard's part of a batch's verdicts.
 *
 * @example Usage
 * ```ts
 * import { sealFor } from "./verifier.ts";
 * import { networkConfig } from "./config.ts";
 * const config = networkConfig({ NETWORK_ID: "n", SHARD_COUNT: "1" } as never);
 * const sealed = await sealFor(config, [{}], [{ hash: null, leaf: null, ok: false }]);
 * console.assert(typeof sealed.mac === "string");
 * ```
 *
 * @param config The network's config.
 * @param txs The transfers sent to that shard, as sent.
 * @param verdicts Their verdicts, in order.
 * @returns The verdicts with their MAC.
 */
export async function sealFor(
  config: NetworkConfig,
  txs: readonly unknown[],
  verdicts: readonly Verdict[],
): Promise<SealedVerdicts> {
  return await sealVerdicts(await verdictKeyOf(config), txs, verdicts);
}

/**
 * What a ledger router checks and vouches with: the verifier (through `binding`, else here)
 * and the network's verdict key.
 *
 * @example Usage
 * ```ts
 * import { routerVerify } from "./verifier.ts";
 * import { networkConfig } from "./config.ts";
 * const config = networkConfig({ NETWORK_ID: "n", SHARD_COUNT: "1" } as never);
 * const verify = routerVerify({}, config); // no binding: checked by the caller
 * const sealed = await verify.seal([{}], await verify.check([{}]));
 * console.assert(sealed.verdicts.length === 1);
 * ```
 *
 * @param env The Worker's env: its `VERIFIER` binding and any `VERIFIER_<n>`.
 * @param config The network's config.
 * @returns The router's `verify`.
 */
export function routerVerify(env: Partial<Env>, config: NetworkConfig): Verify {
  const bindings = [env.VERIFIER, env.VERIFIER_1, env.VERIFIER_2, env.VERIFIER_3]
    .filter((b): b is VerifierBinding => b !== undefined);
  return {
    check: verifierOf(bindings, config),
    seal: (txs, verdicts) => sealFor(config, txs, verdicts),
  };
}
