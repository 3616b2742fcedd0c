/**
 * The baseline of `ledger.transfers`: a Worker that only checks the signatures of the
 * transfers posted to it, with the same code the ledger uses, and applies nothing. What a
 * shard does per transfer beyond this is the ledger's own cost.
 *
 * @module
 */
import { parseTransfer, verifyTransfer } from "../../src/ledger/mod.ts";

export default {
  async fetch(request: Request): Promise<Response> {
    const txs = await request.json() as unknown[];
    let valid = 0;
    for (const tx of txs) {
      const parsed = parseTransfer(tx);
      if (parsed.ok && await verifyTransfer(parsed.transfer)) valid++;
    }
    return Response.json({ valid });
  },
};
