/**
 * Ledger benchmarks: signed transfers applied per second on one shard, beside the Ed25519
 * verification ceiling measured inside workerd with the same batches over the same HTTP
 * path; and cross-shard transfers credited per second.
 *
 * @module
 */
import { Miniflare } from "miniflare";
import type { Identity } from "../../src/identity/mod.ts";
import { signTransfer, transferToJson } from "../../src/ledger/mod.ts";
import type { TransferJson } from "../../src/protocol/mod.ts";
import { bundleWorker, COMPATIBILITY_DATE, ROOT, startNetwork } from "../local_network.ts";
import { identityOn, type SectionResult } from "./common.ts";

const SHARDS = 8;
/** Paying accounts, all homed on shard 0; one batch holds one transfer of each. */
const SENDERS = 64;
/** Batches per round: transfers per round = SENDERS × BATCHES. */
const BATCHES = 8;

/**
 * Runs the ledger section.
 *
 * @param rounds Rounds after the warm-up.
 * @returns The samples.
 */
export async function ledgerBench(rounds: number): Promise<SectionResult> {
  const senders: Identity[] = [];
  for (let i = 0; i < SENDERS; i++) senders.push(await identityOn(0, SHARDS));
  const local = await identityOn(0, SHARDS);
  const remote = await Promise.all([1, 2, 3, 4, 5, 6, 7].map((k) => identityOn(k, SHARDS)));
  const genesis = Object.fromEntries(senders.map((s) => [s.peerId, 1_000_000_000]));
  const net = await startNetwork({
    shards: SHARDS,
    network: "bench",
    vars: { GENESIS: JSON.stringify(genesis) },
  });
  const verifier = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: await bundleWorker(
      `${ROOT}scripts/bench/verify_worker.ts`,
      `${ROOT}.build/bench/verify.js`,
    ),
    compatibilityDate: COMPATIBILITY_DATE,
  });
  const verifyUrl = (await verifier.ready).toString();
  const nonces = new Map<string, number>();

  // Signed before the clock starts: signing is the client's cost, not the network's.
  async function signRound(to: (i: number) => Identity): Promise<TransferJson[][]> {
    const batches: TransferJson[][] = [];
    for (let b = 0; b < BATCHES; b++) {
      const batch: TransferJson[] = [];
      for (const [i, s] of senders.entries()) {
        const nonce = (nonces.get(s.peerId) ?? 0) + 1;
        nonces.set(s.peerId, nonce);
        batch.push(
          transferToJson(
            await signTransfer(s, { network: "bench", to: to(i).peerId, amount: 1n, nonce }),
          ),
        );
      }
      batches.push(batch);
    }
    return batches;
  }

  async function post(url: string, body: unknown): Promise<unknown> {
    const res = await fetch(url, { method: "POST", body: JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(JSON.stringify(json));
    return json;
  }

  const allApplied = (body: unknown) => {
    const results = (body as { results: { ok: boolean }[] }).results;
    if (!results.every((r) => r.ok)) {
      throw new Error(`refused: ${JSON.stringify(results.find((r) => !r.ok))}`);
    }
  };
  const allValid = (body: unknown) => {
    if ((body as { valid: number }).valid !== SENDERS) {
      throw new Error("a signature did not verify");
    }
  };

  async function credited(): Promise<bigint> {
    let sum = 0n;
    for (const r of remote) {
      sum += BigInt((await (await fetch(`${net.url}/v1/accounts/${r.peerId}`)).json()).balance);
    }
    return sum;
  }

  const samples: Record<string, number[]> = {
    "ledger.transfers": [],
    "ledger.verify_ceiling": [],
    "ledger.cross_shard": [],
  };
  try {
    // The same batches to the shard and to the verifier, alternating batch by batch, so both
    // see the same machine.
    const ledger = (txs: TransferJson[]) => post(`${net.url}/v1/tx`, txs);
    const verify = (txs: TransferJson[]) => post(verifyUrl, txs);
    for (let round = -1; round < rounds; round++) {
      const same = await signRound(() => local);
      let applyMs = 0;
      let verifyMs = 0;
      for (const batch of same) {
        let t = performance.now();
        allApplied(await ledger(batch));
        applyMs += performance.now() - t;
        t = performance.now();
        allValid(await verify(batch));
        verifyMs += performance.now() - t;
      }
      const total = SENDERS * BATCHES;
      const cross = await signRound((i) => remote[i % remote.length]);
      const before = await credited();
      const start = performance.now();
      for (const batch of cross) {
        allApplied(await ledger(batch));
      }
      const want = before + BigInt(total);
      while (await credited() < want) await new Promise((r) => setTimeout(r, 10));
      const crossRate = total / ((performance.now() - start) / 1000);
      if (round < 0) continue; // warm-up
      samples["ledger.transfers"].push(total / (applyMs / 1000));
      samples["ledger.verify_ceiling"].push(total / (verifyMs / 1000));
      samples["ledger.cross_shard"].push(crossRate);
      console.log(
        `round ${round + 1}: ledger.transfers ${Math.round(total / (applyMs / 1000))}/s, ` +
          `verify ${Math.round(total / (verifyMs / 1000))}/s, cross-shard credited ${
            Math.round(crossRate)
          }/s`,
      );
    }
  } finally {
    await net.dispose();
    await verifier.dispose();
  }
  return {
    title: "Ledger",
    method: [
      `A round submits ${SENDERS * BATCHES} pre-signed transfers from ${SENDERS} accounts homed on`,
      `one shard, in ${BATCHES} batches of ${SENDERS} over \`POST /v1/tx\`, one batch after another.`,
      "`ledger.transfers` pays accounts on the same shard; the rate is transfers applied (verified,",
      "checked, written to SQLite, answered) per second. `ledger.verify_ceiling` posts the same",
      "batches, alternating batch by batch, to a Worker on the same workerd that only verifies their",
      "signatures. `ledger.cross_shard` pays accounts on the 7 other shards and counts until every",
      "credit has landed on the receiving shards (receipts pushed by RPC, applied once, acknowledged).",
    ].join(" "),
    samples,
    entries: [
      {
        name: "ledger.transfers",
        unit: "transfers/s",
        what: "signed transfers applied on one shard",
        baseline: "ledger.verify_ceiling",
        target: ">= 0.6",
      },
      {
        name: "ledger.verify_ceiling",
        unit: "verifies/s",
        what: "Ed25519 transfer verification alone, in workerd, same batches",
        baseline: null,
      },
      {
        name: "ledger.cross_shard",
        unit: "transfers/s",
        what: "cross-shard transfers, submitted until credited on the other shards",
        baseline: "ledger.transfers",
      },
    ],
  };
}
