// `waitForBlock(hash)` after one's own transfer asks the payer's home, which holds the record
// the moment it is applied: no 404 while the hash's index catches up (a page's console showed
// each as a red error).
import { Identity } from "../../../../mod.ts";
import { startNetwork } from "../../../../scripts/local_network.ts";
import { connectPeer } from "../../../support/peers.ts";
import { assert, assertEquals } from "../../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "ledger: waitForBlock on one's own transfer asks its payer's home, and meets no 404",
  opts,
  async () => {
    const payer = await Identity.generate();
    const net = await startNetwork({
      shards: 4,
      vars: { GENESIS: JSON.stringify({ [payer.peerId]: 100 }) },
      limits: { BLOCK_INTERVAL_MS: 200 },
    });
    try {
      const asked: { url: string; status: number }[] = [];
      const recording: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        asked.push({ url: String(input), status: res.status });
        return res;
      };
      const peer = await connectPeer(net, { identity: payer, fetch: recording });
      const payee = (await Identity.generate()).peerId;
      for (let i = 1; i <= 3; i++) {
        const r = await peer.ledger.transfer(payee, i);
        assert(r.ok, JSON.stringify(r));
        const status = await peer.ledger.waitForBlock(r.hash);
        assert(status.proof, "sealed, with its proof");
      }
      const lookups = asked.filter((a) => a.url.includes("/v1/tx/"));
      assert(lookups.length >= 3, `${lookups.length} lookups`);
      assertEquals(lookups.filter((a) => a.status !== 200), [], "no lookup answered but 200");
      assert(
        lookups.every((a) => a.url.includes(`from=${payer.peerId}`)),
        "each asked the payer's home",
      );
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);
