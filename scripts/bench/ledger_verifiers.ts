/**
 * The ledger's scaling with its verifier: signed transfers applied per second on one shard
 * when their signatures are checked by 0 (the peer's home itself), 1, 2 or 4 verifier
 * processes beside it. Peers send `tx` batches over their sockets; their home hands each batch
 * to the verifier in parts of `VERIFY_PART`, then the payers' home orders what was verified.
 *
 * @module
 */
import { Miniflare } from "miniflare";
import type { Identity } from "../../src/identity/mod.ts";
import { signTransfer, transferToJson } from "../../src/ledger/mod.ts";
import type { TransferJson } from "../../src/protocol/mod.ts";
import { bundleWorker, COMPATIBILITY_DATE, ROOT, startNetwork } from "../local_network.ts";
import { openWelcomed } from "./admission_drive.ts";
import { identityOn, UNTHROTTLED } from "./common.ts";
import { cpuShare, cpuTimes } from "./cpu_times.ts";

const SHARDS = 8;
/** Sockets sending at once, each its own payers, one batch in flight each. */
const SOCKETS = 4;
/** Payers per socket; a batch holds `NONCES` transfers of each (256 a batch). */
const PAYERS = 64;
const NONCES = 4;
/** Batches per socket per round. */
const BATCHES = 4;

/** The verifier counts measured: 0 is the peer's home checking the signatures itself. */
export const VERIFIER_COUNTS = [0, 1, 2, 4] as const;

/**
 * Measures transfers applied per second with each count of verifier processes.
 *
 * @example Usage
 * ```ts ignore
 * const rates = await verifierScaling(3); // { 0: [..], 1: [..], 2: [..], 4: [..] }
 * ```
 *
 * @param rounds Rounds after the warm-up, per count.
 * @returns Transfers/s per round, by count.
 */
export async function verifierScaling(
  rounds: number,
): Promise<Record<number, { rates: number[]; cores: number[] }>> {
  const payers: Identity[][] = [];
  for (let s = 0; s < SOCKETS; s++) {
    const own: Identity[] = [];
    for (let i = 0; i < PAYERS; i++) own.push(await identityOn(0, SHARDS));
    payers.push(own);
  }
  const sockets = await Promise.all([...Array(SOCKETS)].map(() => identityOn(0, SHARDS)));
  const payee = await identityOn(0, SHARDS);
  const genesis = Object.fromEntries(payers.flat().map((p) => [p.peerId, 1_000_000_000]));
  const script = await bundleWorker(
    `${ROOT}scripts/bench/verifier_process.ts`,
    `${ROOT}.build/bench/verifier_process.js`,
  );
  const processes: Miniflare[] = [];
  const urls: string[] = [];
  for (let i = 0; i < Math.max(...VERIFIER_COUNTS); i++) {
    const mf = new Miniflare({
      host: "127.0.0.1",
      port: 0,
      modules: true,
      scriptPath: script,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { NETWORK_ID: "bench", SHARD_COUNT: String(SHARDS) },
    });
    processes.push(mf);
    urls.push((await mf.ready).toString());
  }
  const out: Record<number, { rates: number[]; cores: number[] }> = {};
  try {
    for (const count of VERIFIER_COUNTS) {
      // One binding per process, straight from workerd to it (`VERIFIER`, `VERIFIER_1`, …),
      // which the peers' home calls in turn, as Cloudflare spreads one binding's calls.
      const bindings = Object.fromEntries(
        urls.slice(0, count).map((url, i) => [
          i === 0 ? "VERIFIER" : `VERIFIER_${i}`,
          { external: { address: new URL(url).host, http: {} } },
        ]),
      );
      const net = await startNetwork({
        shards: SHARDS,
        network: "bench",
        limits: UNTHROTTLED,
        vars: { GENESIS: JSON.stringify(genesis) },
        verifier: bindings,
      });
      try {
        out[count] = await measure(net.url, payers, sockets, payee, rounds);
        console.log(
          `verifiers ${count}: ${
            out[count].rates.map((r) => Math.round(r)).join(", ")
          } transfers/s; cores busy ${out[count].cores.map((c) => c.toFixed(2)).join(", ")}`,
        );
      } finally {
        await net.dispose();
      }
    }
  } finally {
    for (const mf of processes) await mf.dispose();
  }
  return out;
}

async function measure(
  url: string,
  payers: Identity[][],
  sockets: Identity[],
  payee: Identity,
  rounds: number,
): Promise<{ rates: number[]; cores: number[] }> {
  const opened = await Promise.all(
    sockets.map(async (id) => (await openWelcomed(url, "bench", id)).ws),
  );
  const nonce = new Map<string, number>();
  // Signed before the clock: a round's batches, per socket.
  const signRound = async (own: Identity[]) => {
    const batches: TransferJson[][] = [];
    for (let b = 0; b < BATCHES; b++) {
      const batch: TransferJson[] = [];
      for (let k = 0; k < NONCES; k++) {
        for (const p of own) {
          const n = (nonce.get(p.peerId) ?? 0) + 1;
          nonce.set(p.peerId, n);
          const t = await signTransfer(p, {
            network: "bench",
            to: payee.peerId,
            amount: 1n,
            nonce: n,
          });
          batch.push(transferToJson(t));
        }
      }
      batches.push(batch);
    }
    return batches;
  };
  const rates: number[] = [];
  const cores: number[] = [];
  try {
    for (let round = -1; round < rounds; round++) {
      const work = await Promise.all(payers.map(signRound));
      const cpu = cpuTimes();
      const start = performance.now();
      await Promise.all(opened.map((ws, s) => sendAll(ws, work[s])));
      const seconds = (performance.now() - start) / 1000;
      const used = cpuShare(cpu, cpuTimes(), seconds);
      if (round < 0) continue;
      rates.push(SOCKETS * BATCHES * PAYERS * NONCES / seconds);
      cores.push(used.workerd + used.bench);
    }
  } finally {
    for (const ws of opened) ws.close();
  }
  return { rates, cores };
}

/** Sends a socket's batches one after another, each once the last one's results came. */
async function sendAll(ws: WebSocket, batches: TransferJson[][]): Promise<void> {
  for (const [i, txs] of batches.entries()) {
    const answer = new Promise<string>((resolve) => {
      ws.onmessage = (e) => {
        if (typeof e.data === "string" && e.data.includes('"tx.result"')) resolve(e.data);
        else if (typeof e.data === "string" && e.data.includes('"error"')) resolve(e.data);
      };
    });
    ws.send(JSON.stringify({ t: "tx", id: i + 1, txs }));
    const reply = JSON.parse(await answer) as { results?: { ok: boolean; code?: string }[] };
    const refused = reply.results?.find((r) => !r.ok) ?? (reply.results ? undefined : reply);
    if (refused) throw new Error(`refused: ${JSON.stringify(refused)}`);
  }
}
