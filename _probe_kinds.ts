// One-off: part one of the admission bench for the log's kinds only (and what they need before
// them), to set their prices; not committed.
import { KINDS } from "./scripts/bench/admission_kinds.ts";
import { measureKinds } from "./scripts/bench/admission_kinds_run.ts";
const keep = new Set(["tx.1", "account", "lookup", "http.account", "cosign", "evidence", "log", "http.checkpoint", "http.consistency", "http.inclusion", "http.tile", "http.balance_proof"]);
KINDS.splice(0, KINDS.length, ...KINDS.filter((k) => keep.has(k.name)));
const rounds = Number(Deno.args[0] ?? 1);
const m = await measureKinds(rounds, () => {});
for (const k of KINDS) {
  const s = m.get(k.name)!;
  const us = s.map((x) => x.us);
  const paced = s.map((x) => x.paced);
  const cost = s.map((x) => Number.isNaN(x.paced) ? x.us : Math.max(x.us, x.paced));
  console.log(`${k.name.padEnd(20)} price ${String(k.price).padStart(4)}  flat ${us.map((x) => x.toFixed(0)).join("/")} µs  paced ${paced.map((x) => x.toFixed(0)).join("/")} µs  per unit ${cost.map((c) => (c / k.price).toFixed(2)).join("/")}`);
}
Deno.exit(0);
