/**
 * Where a shard's time per transfer goes: a Worker whose Durable Object (SQLite storage, as a
 * shard's) runs a batch of transfers up to one stage of the ledger's work and stops there:
 * `json` (the body read), `parse` (shape checks), `hash` (canonical bytes and SHA-256),
 * `verify` (Ed25519), `apply` (nonce, balance and the SQLite writes of `LedgerShard`), `seal`
 * (the block: Merkle root, header, signature, writes). Each request goes to a new object, so
 * every stage pays the same start-up; the time a stage adds is measured from outside as the
 * difference to the stage before (workerd's clock does not move during a request's CPU work).
 *
 * @module
 */
import { DurableObject, type DurableObjectNamespace } from "cloudflare:workers";
import { sha256 } from "@noble/hashes/sha2.js";
import { hex } from "../../src/encoding/mod.ts";
import { Identity } from "../../src/identity/mod.ts";
import {
  LedgerShard,
  parseTransfer,
  SqlLedgerStorage,
  transferBytes,
  verifyTransfer,
} from "../../src/ledger/mod.ts";

import { STAGES } from "./ledger_stage_names.ts";
import type { Verdict } from "../../src/ledger/mod.ts";

interface Env {
  STAGES: DurableObjectNamespace<{ fetch(request: Request): Promise<Response> }>;
}

/** Runs one batch up to one stage. */
export class Stages extends DurableObject<Env> {
  override async fetch(request: Request): Promise<Response> {
    const stage = new URL(request.url).searchParams.get("stage") ?? "json";
    const { txs, genesis, network, verdicts } = await request.json() as {
      txs: unknown[];
      genesis: Record<string, number>;
      network: string;
      verdicts?: Verdict[];
    };
    const floor = stage === "floor";
    const upTo = floor ? STAGES.indexOf("verify") : STAGES.indexOf(stage as typeof STAGES[number]);
    // Every stage opens the shard and writes its genesis, so that the differences leave it out.
    const sql = this.ctx.storage.sql;
    const ledger = new LedgerShard(
      new SqlLedgerStorage({
        exec: (query, ...bindings) => sql.exec(query, ...bindings).toArray(),
        transaction: (fn) => this.ctx.storage.transactionSync(fn),
      }),
      { network, shard: 0, shards: 1, maxAmount: 1e15, maxBlockEntries: 4_096, genesis },
    );
    const signer = await Identity.generate();
    if (stage === "elsewhere") {
      // Verified elsewhere: the shard's reads, then the verdicts (here ready, as a verifier
      // beside it would hand them back), then it applies and seals; no signature, no hash here.
      const results = await ledger.submitBatch(txs, () => Promise.resolve(verdicts!));
      if (!results.every((r) => r.ok)) return Response.json(results.find((r) => !r.ok));
      await ledger.seal(signer);
      return Response.json({ ok: true });
    }
    if (upTo >= STAGES.indexOf("apply")) {
      const results = await ledger.submitBatch(txs);
      if (!results.every((r) => r.ok)) return Response.json(results.find((r) => !r.ok));
      if (upTo >= STAGES.indexOf("seal")) await ledger.seal(signer);
      return Response.json({ ok: true });
    }
    let ok = 0;
    const rows: [string, string][] = [];
    for (const tx of txs) {
      if (upTo < 1) continue;
      const parsed = parseTransfer(tx);
      if (!parsed.ok) continue;
      if (upTo < 2) {
        ok++;
        continue;
      }
      const bytes = transferBytes(parsed.transfer);
      const hash = sha256(bytes);
      if (upTo < 3 || await verifyTransfer(parsed.transfer)) ok++;
      if (floor) rows.push([hex.encode(hash), JSON.stringify(tx)]);
    }
    // The floor: what any durable shard writes per transfer, however lean its code: the
    // transfer and its sender's balance, one statement per table in one transaction, no
    // checks, no pending list, no block.
    if (floor) {
      this.ctx.storage.transactionSync(() => {
        sql.exec(
          "CREATE TABLE IF NOT EXISTS floor_tx (hash TEXT PRIMARY KEY, record TEXT NOT NULL)",
        );
        sql.exec(
          "CREATE TABLE IF NOT EXISTS floor_account (id TEXT PRIMARY KEY, balance TEXT, nonce INTEGER)",
        );
        sql.exec(
          "INSERT INTO floor_tx (hash, record) SELECT value->>0, value->>1 FROM json_each(?)",
          JSON.stringify(rows),
        );
        // One row per account, as the ledger writes them (a batch's last state of each).
        const senders = new Map(txs.map((tx) => [(tx as { from: string }).from, "0"]));
        const accounts = [...senders].map(([id, balance], i) => [id, balance, i]);
        sql.exec(
          "INSERT OR REPLACE INTO floor_account (id, balance, nonce) " +
            "SELECT value->>0, value->>1, value->>2 FROM json_each(?)",
          JSON.stringify(accounts),
        );
      });
    }
    return Response.json({ ok: upTo < 1 || ok === txs.length });
  }
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return env.STAGES.get(env.STAGES.idFromName(crypto.randomUUID())).fetch(request);
  },
};
