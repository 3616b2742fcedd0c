/**
 * A Worker whose Durable Object runs the ledger storage contract on its own SQLite storage:
 * the same `SqlLedgerStorage` and adapter as the SuperPeer, on the real thing. One object
 * per clause, so each starts empty.
 *
 * @module
 */
import { DurableObject, type DurableObjectNamespace } from "cloudflare:workers";
import { SqlLedgerStorage } from "../../src/ledger/mod.ts";
import { STORAGE_CONTRACT } from "../ledger/storage_contract.ts";

interface Env {
  CONTRACT: DurableObjectNamespace<ContractObject>;
}

/** Runs one clause of the contract on this object's storage. */
export class ContractObject extends DurableObject<Env> {
  run(name: string): string | null {
    const clause = STORAGE_CONTRACT.find((c) => c.name === name);
    if (!clause) return `No clause "${name}"`;
    const sql = this.ctx.storage.sql;
    const storage = new SqlLedgerStorage({
      exec: (query, ...bindings) => sql.exec(query, ...bindings).toArray(),
      transaction: (fn) => this.ctx.storage.transactionSync(fn),
    });
    try {
      clause.run(storage);
      return null;
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const name = new URL(request.url).searchParams.get("clause") ?? "";
    const error = await env.CONTRACT.get(env.CONTRACT.idFromName(name)).run(name);
    return Response.json({ error });
  },
};
