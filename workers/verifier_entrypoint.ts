/**
 * The verifier's entrypoint (`workers/verifier.ts`): a class of the runtime's, apart from the
 * verifier's functions, which the edge and the super-peers call and tests load without it.
 *
 * @module
 */
import { WorkerEntrypoint } from "cloudflare:workers";
import { type Env, networkConfig } from "./config.ts";
import { verifyRequest } from "./verifier.ts";

/**
 * The verifier entrypoint: `POST` a JSON array of transfers (at most `MAX_TX_BATCH`), answered
 * with a JSON array of verdicts.
 *
 * @example Usage
 * ```ts ignore
 * // wrangler.toml: [[services]] binding = "VERIFIER", service = "superpeer", entrypoint = "Verifier"
 * const verdicts = await (await env.VERIFIER.fetch(new Request(url, { method: "POST", body }))).json();
 * ```
 */
export class Verifier extends WorkerEntrypoint<Env> {
  /** Checks a batch. */
  override async fetch(request: Request): Promise<Response> {
    return await verifyRequest(request, networkConfig(this.env));
  }
}
