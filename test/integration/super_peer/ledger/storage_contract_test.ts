// The ledger storage contract on Durable Object SQLite, in workerd.
import { Miniflare } from "miniflare";
import { bundleWorker, COMPATIBILITY_DATE, ROOT } from "../../../../scripts/local_network.ts";
import { STORAGE_CONTRACT } from "../../../ledger/storage_contract.ts";
import { assertEquals } from "../../../support/assert.ts";

Deno.test(
  "SqlLedgerStorage on Durable Object SQLite passes the storage contract",
  { sanitizeOps: false, sanitizeResources: false },
  async (t) => {
    const mf = new Miniflare({
      host: "127.0.0.1",
      port: 0,
      modules: true,
      scriptPath: await bundleWorker(
        `${ROOT}test/support/contract_worker.ts`,
        `${ROOT}.build/test/contract.js`,
      ),
      compatibilityDate: COMPATIBILITY_DATE,
      durableObjects: { CONTRACT: { className: "ContractObject", useSQLite: true } },
    });
    try {
      const url = await mf.ready;
      for (const clause of STORAGE_CONTRACT) {
        await t.step(clause.name, async () => {
          const res = await fetch(new URL(`/?clause=${encodeURIComponent(clause.name)}`, url));
          assertEquals(await res.json(), { error: null });
        });
      }
    } finally {
      await mf.dispose();
    }
  },
);
