import { localLedger } from "../../../../workers/super_peer/ledger/local_ledger.ts";
import type { LedgerHost } from "../../../../workers/super_peer/ledger/ledger_host.ts";
import { assertEquals } from "../../../support/assert.ts";

Deno.test("localLedger: a transfer waits while its payee's slot is frozen, not only its payer's", async () => {
  const submitted: unknown[][] = [];
  const host = {
    submit: (txs: unknown[]) => (submitted.push(txs), Promise.resolve([])),
  } as unknown as LedgerHost;
  // The payee's slot is frozen until `thaw` is called; the payer's is held.
  let thaw!: (to: "held" | "gone") => void;
  const frozen = new Promise<"held" | "gone">((r) => thaw = r);
  const moves = {
    gate: (key: string) => key === "payee" ? frozen : "held" as const,
    track: <T>(work: Promise<T>) => work,
  };
  const ledger = localLedger(() => host, 256, moves);
  const done = ledger.ledgerSubmit([{ from: "payer", to: "payee" }]);
  await new Promise((r) => setTimeout(r, 20));
  assertEquals(submitted.length, 0, "not applied while the payee's slot is frozen");
  thaw("gone");
  await done;
  assertEquals(submitted, [[{ from: "payer", to: "payee" }]]);
});
