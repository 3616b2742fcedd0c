/**
 * Where a bystander waits while funded batches are applied: a diagnostic beside the admission
 * benchmark, not part of it. One payer sends batches of signed transfers (256 by default) a
 * second and a half apart to an 8-shard local network, while a bystander homed on the payer's
 * shard sends `lookup`s every 5 ms. For each batch it prints when its answer came and every
 * round trip past 3 ms by its offset from the batch's send: a batch's checks and apply show
 * in the first tens of ms, its block's seal and the receipts it sends to other shards about a
 * second later (`BLOCK_INTERVAL_MS`).
 *
 * Usage: `deno run -A scripts/bench/admission_timeline.ts [local|remote] [transfers]`: payees
 * on the payer's shard (`local`, no receipt leaves it) or anywhere (`remote`, the default).
 * Set `TMPDIR` to a memory filesystem to keep the network's storage off the disk.
 *
 * @module
 */
import { startNetwork, TEST_ADDRESS_HEADER } from "../local_network.ts";
import { identityOn } from "./common.ts";
import { pinApart, unpinSelf } from "./pin_cores.ts";
import { openWelcomed } from "./admission_drive.ts";
import { LOOKUP_GAP_MS, lookupTrip } from "./admission_trips.ts";
import { randomAccount } from "./admission_kind_base.ts";
import { signTransfer, transferToJson } from "../../src/ledger/mod.ts";
import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";

const SHARDS = 8;
const BATCHES = 7;
const GAP_MS = 1_500;
/** A round trip past this is printed, ms. */
const SLOW_MS = 3;

const local = Deno.args[0] === "local";
const size = Math.min(Number(Deno.args[1] ?? 256), DEFAULT_LIMITS.MAX_TX_BATCH);
const payer = await identityOn(0, SHARDS);
const payees = await Promise.all(Array.from({ length: 32 }, () => identityOn(0, SHARDS)));
const batches: string[] = [];
for (let b = 0; b < BATCHES; b++) {
  const txs = [];
  for (let i = 1; i <= size; i++) {
    const to = local ? payees[i % payees.length].peerId : randomAccount();
    const nonce = b * size + i;
    txs.push(
      transferToJson(await signTransfer(payer, { network: "bench", to, amount: 1n, nonce })),
    );
  }
  batches.push(JSON.stringify({ t: "tx", id: b + 1, txs }));
}
// The payer's budget is lifted: the point is where each batch's work falls, not its price.
const net = await startNetwork({
  shards: SHARDS,
  network: "bench",
  limits: {
    RATE_LIMIT_BURST_FRAMES: 1e6,
    RATE_LIMIT_FRAMES_PER_SECOND: 1e6,
    ADDRESS_UNITS_PER_SECOND: 1e6,
    ADDRESS_BURST_UNITS: 1e6,
  },
  vars: { GENESIS: JSON.stringify({ [payer.peerId]: 1_000_000 }) },
});
console.log(await pinApart());
try {
  const selves = await Promise.all([0, 1, 2].map(() => identityOn(0, SHARDS)));
  const bystander: WebSocket[] = [];
  for (const me of selves) {
    const from = { [TEST_ADDRESS_HEADER]: "198.51.100.7" };
    bystander.push((await openWelcomed(net.url, net.network, me, 60_000, from)).ws);
  }
  const from = { [TEST_ADDRESS_HEADER]: "203.0.113.9" };
  const { ws: sender } = await openWelcomed(net.url, net.network, payer, 60_000, from);
  const t0 = performance.now();
  const sent: number[] = [];
  const answered: number[] = [];
  sender.addEventListener("message", (e) => {
    if (typeof e.data !== "string" || !e.data.includes('"tx.result"')) return;
    // Answers by the batch's request id (1 on): one refused whole has none.
    answered[(JSON.parse(e.data) as { id: number }).id - 1] = performance.now() - t0;
  });
  const trips: [number, number][] = [];
  let stop = false;
  const tripping = (async () => {
    for (let k = 0; !stop; k++) {
      const at = performance.now() - t0;
      trips.push([at, await lookupTrip(bystander[k % 3], selves[k % 3].peerId)]);
      await new Promise((r) => setTimeout(r, LOOKUP_GAP_MS));
    }
  })();
  await new Promise((r) => setTimeout(r, GAP_MS));
  for (const batch of batches) {
    sent.push(performance.now() - t0);
    sender.send(batch);
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  stop = true;
  await tripping;
  const p99 = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length * 0.99)];
  const unloaded = trips.filter(([t]) => t < sent[0] - 100).map(([, r]) => r);
  console.log(`unloaded: p99 ${p99(unloaded).toFixed(2)} ms over ${unloaded.length} round trips`);
  for (const [i, s] of sent.entries()) {
    const during = trips.filter(([t]) => t >= s - LOOKUP_GAP_MS && t < s + GAP_MS - 100);
    const slow = during.filter(([, r]) => r > SLOW_MS)
      .map(([t, r]) => `+${(t - s).toFixed(0)}: ${r.toFixed(1)}`);
    console.log(
      `batch ${i}: ${
        answered[i] ? `answered +${(answered[i] - s).toFixed(1)} ms` : "no answer"
      }; p99 ${p99(during.map(([, r]) => r)).toFixed(2)} ms; slow (offset ms: round trip ms) ${
        slow.join(", ")
      }`,
    );
  }
  for (const ws of [...bystander, sender]) ws.close();
} finally {
  await net.dispose();
  await unpinSelf();
}
