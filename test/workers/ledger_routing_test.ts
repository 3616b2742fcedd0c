import { HomeCache } from "../../src/routing/mod.ts";
import type { TxOutcome } from "../../src/protocol/mod.ts";
import { submitByHome } from "../../workers/ledger_routing.ts";
import { Identity } from "../../mod.ts";
import { assertEquals } from "../support/assert.ts";

Deno.test("submitByHome: a transfer refused for a payer that moved goes once to its new home", async () => {
  const [a, b] = [await Identity.generate(), await Identity.generate()];
  const homes = new HomeCache(8);
  const [ka, kb] = [homes.of(a.peerId), homes.of(b.peerId)];
  // a's slot moved to shard 9 (the old home names it); b's did not.
  const asked: [number, string[]][] = [];
  const answers = await submitByHome(
    [{ from: a.peerId, n: 1 }, { from: b.peerId, n: 1 }, { from: a.peerId, n: 2 }],
    homes,
    (k, txs) => {
      asked.push([k, txs.map((t) => `${(t as { n: number }).n}`)]);
      return Promise.resolve(txs.map((t): TxOutcome => {
        const { from } = t as { from: string };
        if (from === a.peerId && k === ka) {
          return { ok: false, code: "TX_WRONG_SHARD", message: "moved", home: 9 };
        }
        // At the new home a's transfers apply; a home that refuses again is not followed.
        return k === kb && from === b.peerId
          ? { ok: false, code: "TX_WRONG_SHARD", message: "loops", home: kb }
          : { ok: true, hash: "h", status: "credited", shard: k };
      }));
    },
  );
  assertEquals(answers.map((o) => o.ok ? o.shard : o.code), [9, "TX_WRONG_SHARD", 9]);
  // The moved payer's two transfers went to shard 9 in the order sent, once.
  assertEquals(asked.filter(([k]) => k === 9), [[9, ["1", "2"]]]);
  assertEquals(asked.length, ka === kb ? 2 : 3);
});
