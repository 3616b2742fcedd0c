/**
 * A verifier in a workerd process of its own, for the ledger benchmark's scaling figures: the
 * network's `VERIFIER` binding reaches 1, 2 or 4 of these in turn, as Cloudflare would spread
 * the verifier's calls over isolates of its own.
 *
 * @module
 */
import { networkConfig } from "../../workers/config.ts";
import { verifyRequest } from "../../workers/verifier.ts";

export default {
  fetch(request: Request, env: Record<string, string>): Promise<Response> {
    return verifyRequest(request, networkConfig(env as never));
  },
};
