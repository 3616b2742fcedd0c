/**
 * Growing a live network: an 8-shard network holding state (accounts, mail waiting, topic
 * subscriptions) grows to 16 shards while a pair of peers whose homes stay put echo messages
 * through the relay. Reported: each step's write pause (from its slots' freeze to their
 * release), slots moved per second, the pair's relay round trip p99 during the growth against
 * the same pair just before it, and the relay's and the ledger's rates on 16 shards against 8
 * on the same machine, in the same run.
 *
 * @module
 */
import { Identity, Peer, type PeerMessage } from "../../mod.ts";
import { signTransfer, transferToJson } from "../../src/ledger/mod.ts";
import { SlotMap } from "../../src/routing/mod.ts";
import { startNetwork } from "../local_network.ts";
import { identityWhere, median, quantile, type SectionResult, UNTHROTTLED } from "./common.ts";

const ACCOUNTS = 2_048;
const MAILBOXES = 256;
const MAIL_EACH = 4;
const SUBSCRIBERS = 64;
/** Between two of the pair's round trips, ms. */
const GAP_MS = 5;
/** How long each rate is measured, ms. */
const RATE_MS = 2_000;
const TOKEN = "bench-operator";
/** After the rates, before the pair is timed, ms. */
const SETTLE_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A round trip: when it began (`performance.now()`) and how long it took, ms. */
interface Trip {
  at: number;
  ms: number;
}

/** One relay round trip after another, `GAP_MS` apart, until `stop()` says so. */
async function echoes(a: Peer, b: Peer, stop: () => boolean): Promise<Trip[]> {
  const trips: Trip[] = [];
  let next: ((v: unknown) => void) | undefined;
  const onEcho = () => next?.(undefined);
  a.addEventListener("message", onEcho);
  try {
    for (let k = 0; !stop(); k++) {
      const t = performance.now();
      const back = new Promise((r) => next = r);
      a.send(b.peerId, `e${k}`);
      await Promise.race([back, sleep(5_000)]);
      trips.push({ at: t, ms: performance.now() - t });
      await sleep(GAP_MS);
    }
  } finally {
    a.removeEventListener("message", onEcho);
  }
  return trips;
}

/** Messages relayed per second between pairs on different shards, flat out. */
async function relayRate(pairs: [Peer, Peer][]): Promise<number> {
  let got = 0;
  const count = () => got++;
  for (const [, b] of pairs) b.addEventListener("message", count);
  const end = Date.now() + RATE_MS;
  await Promise.all(pairs.map(async ([a, b]) => {
    while (Date.now() < end) {
      for (let i = 0; i < 64; i++) a.send(b.peerId, "r");
      await sleep(2);
    }
  }));
  await sleep(300);
  for (const [, b] of pairs) b.removeEventListener("message", count);
  return got / (RATE_MS / 1_000);
}

/** Signed transfers applied per second, in batches of 64 by 8 payers at once, over HTTP. */
async function ledgerRate(
  url: string,
  network: string,
  payers: Identity[],
  nonces: Map<string, number>,
  payee: string,
): Promise<number> {
  // Signed first: the rate is the network's, not the signer's.
  const batches = new Map<string, string[]>();
  for (const p of payers) {
    const list: string[] = [];
    for (let b = 0; b < 8; b++) {
      const txs = [];
      for (let i = 0; i < 64; i++) {
        const nonce = nonces.get(p.peerId)! + 1;
        nonces.set(p.peerId, nonce);
        txs.push(transferToJson(await signTransfer(p, { network, to: payee, amount: 1n, nonce })));
      }
      list.push(JSON.stringify(txs));
    }
    batches.set(p.peerId, list);
  }
  let applied = 0;
  const t0 = performance.now();
  await Promise.all(payers.map(async (p) => {
    for (const body of batches.get(p.peerId)!) {
      const res = await fetch(`${url}/v1/tx`, { method: "POST", body });
      const { results } = await res.json() as { results: { ok: boolean }[] };
      applied += results.filter((r) => r.ok).length;
    }
  }));
  return applied / ((performance.now() - t0) / 1_000);
}

async function round(samples: Record<string, number[]>, log: (s: string) => void): Promise<void> {
  const [eight, sixteen] = [SlotMap.initial(8), SlotMap.initial(16)];
  const stays = (id: string) => sixteen.shardOf(id) === eight.shardOf(id);
  const accounts = await Promise.all(Array.from({ length: ACCOUNTS }, () => Identity.generate()));
  const genesis = Object.fromEntries(accounts.map((a) => [a.peerId, 1_000_000]));
  // When the growth had started its new shards (its log says so), by this process's clock.
  let prepared = Infinity;
  const net = await startNetwork({
    shards: 8,
    network: "bench",
    limits: UNTHROTTLED,
    vars: { GENESIS: JSON.stringify(genesis), ADMIN_TOKEN: TOKEN },
    logs: (line) => {
      if (line.includes('"growth.prepared"')) prepared = performance.now();
    },
  });
  const peers: Peer[] = [];
  const open = async (identity: Identity) => {
    const peer = new Peer({ url: net.url, identity, network: net.network, seal: false });
    await peer.connect();
    peers.push(peer);
    return peer;
  };
  try {
    // State for the growth to move: mail waiting for offline peers, subscribers.
    const mailer = await open(await Identity.generate());
    for (let m = 0; m < MAILBOXES; m++) {
      const to = (await Identity.generate()).peerId;
      await Promise.all(Array.from({ length: MAIL_EACH }, (_, i) => mailer.sendMail(to, `m${i}`)));
    }
    const subs = await Promise.all(
      Array.from({ length: SUBSCRIBERS }, async () => await open(await Identity.generate())),
    );
    await Promise.all(subs.map((s, i) => s.subscribe(`topic-${i % 16}`)));
    // The echoing pair, homed on two shards that keep them.
    const a = await open(await identityWhere((id) => stays(id) && eight.shardOf(id) === 1));
    const b = await open(await identityWhere((id) => stays(id) && eight.shardOf(id) === 2));
    b.addEventListener("message", (e) => {
      const m = (e as CustomEvent<PeerMessage>).detail;
      b.send(m.from, m.data);
    });
    // Rate pairs across shards, and payers, all whose homes stay.
    const ratePairs: [Peer, Peer][] = [];
    for (let k = 0; k < 4; k++) {
      ratePairs.push([
        await open(await identityWhere((id) => stays(id) && eight.shardOf(id) === k)),
        await open(await identityWhere((id) => stays(id) && eight.shardOf(id) === k + 4)),
      ]);
    }
    const payers = accounts.filter((x) => stays(x.peerId)).slice(0, 8);
    const nonces = new Map(payers.map((p) => [p.peerId, 0]));
    const payee = accounts[ACCOUNTS - 1].peerId;
    await echoes(
      a,
      b,
      (() => {
        const end = Date.now() + 500;
        return () => Date.now() > end;
      })(),
    ); // warm-up
    const relay8 = await relayRate(ratePairs);
    const ledger8 = await ledgerRate(net.url, net.network, payers, nonces, payee);
    // The transfers' receipts and blocks are worked off before the pair is timed.
    await sleep(SETTLE_MS);
    const steadyEnd = Date.now() + RATE_MS;
    const steady = await echoes(a, b, () => Date.now() > steadyEnd);

    let growing = true;
    const during = echoes(a, b, () => !growing);
    const t0 = performance.now();
    const res = await net.grow(16, TOKEN);
    const seconds = (performance.now() - t0) / 1_000;
    growing = false;
    const report = await res.json() as {
      slots: number;
      steps: number;
      longestPauseMs: number;
      medianPauseMs: number;
    };
    const whole = await during;
    // Trips that began once the new shards had started: while slots move.
    const moving = whole.filter((t) => t.at >= prepared).map((t) => t.ms);
    const starting = whole.filter((t) => t.at < prepared).map((t) => t.ms);
    const relay16 = await relayRate(ratePairs);
    const ledger16 = await ledgerRate(net.url, net.network, payers, nonces, payee);
    const push = (name: string, v: number) => (samples[name] ??= []).push(v);
    push("growth.pause.median", report.medianPauseMs);
    push("growth.pause.longest", report.longestPauseMs);
    push("growth.slots_per_second", report.slots / seconds);
    push("growth.relay.steady.p99", quantile(steady.map((t) => t.ms), 0.99));
    push("growth.relay.starting.max", Math.max(0, ...starting));
    push("growth.relay.moving.p99", quantile(moving, 0.99));
    push("growth.relay_rate.8", relay8);
    push("growth.relay_rate.16", relay16);
    push("growth.ledger_rate.8", ledger8);
    push("growth.ledger_rate.16", ledger16);
    log(
      `growth 8 → 16: ${report.steps} steps, ${report.slots} slots in ${
        seconds.toFixed(2)
      } s; pause median ${report.medianPauseMs} ms, longest ${report.longestPauseMs} ms; ` +
        `relay p99 ${quantile(steady.map((t) => t.ms), 0.99).toFixed(2)} ms steady, ${
          quantile(moving, 0.99).toFixed(2)
        } ms moving (${moving.length} trips), longest ${
          Math.max(0, ...starting).toFixed(2)
        } ms while new shards started (${starting.length} trips); relay ${
          Math.round(relay8)
        }/s on 8, ${Math.round(relay16)}/s on 16; ledger ${Math.round(ledger8)}/s on 8, ${
          Math.round(ledger16)
        }/s on 16`,
    );
  } finally {
    await Promise.all(peers.map((p) => p.close().catch(() => {})));
    await net.dispose();
  }
}

/**
 * Runs the section.
 *
 * @example Usage
 * ```ts ignore
 * const section = await growthBench(3);
 * ```
 *
 * @param rounds Rounds, each a network of its own grown once.
 * @param log Where progress goes.
 * @returns The samples.
 */
export async function growthBench(
  rounds: number,
  log: (line: string) => void = console.log,
): Promise<SectionResult> {
  const samples: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) await round(samples, log);
  log(
    `growth: pause median ${median(samples["growth.pause.median"])} ms, relay p99 moving ${
      median(samples["growth.relay.moving.p99"]).toFixed(2)
    } ms vs steady ${median(samples["growth.relay.steady.p99"]).toFixed(2)} ms`,
  );
  const state =
    `${ACCOUNTS} funded accounts, ${MAILBOXES} offline peers with ${MAIL_EACH} mail each, ${SUBSCRIBERS} subscribers on 16 topics`;
  return {
    title: "Growing a live network",
    method:
      `Each round a fresh local network of 8 shards (limits raised as for the throughput sections) holding ${state} grows to 16 (\`POST /v1/admin/grow\`: 2,048 slots in 32 steps of 64). A pair of peers whose homes stay put (shards 1 and 2) echo a message through the relay ${GAP_MS} ms after each answer: for ${
        RATE_MS / 1_000
      } s just before the growth (steady) and for all of it: while the growth starts its 8 new shards, one at a time, before any slot is frozen (starting: on one process a shard's start holds every shard's thread), and from then on while the slots move (moving). Before and after the growth, in the same network, four pairs on different shards relay flat out for ${
        RATE_MS / 1_000
      } s, and eight payers submit batches of 64 signed transfers over HTTP (8 each): the rates on 16 shards against 8. A step's pause runs from its slots' freeze to their release: what waits for them waits at most that long. Everything runs on one workerd process here, so more shards cannot add cores: the 16-shard rates show what the move and the larger map cost, not the spread a deployment gets.`,
    samples,
    entries: [
      {
        name: "growth.pause.median",
        unit: "ms",
        what: "a step's write pause (64 slots frozen, copied, published, released), median",
        baseline: null,
      },
      {
        name: "growth.pause.longest",
        unit: "ms",
        what: "the longest step's write pause of the growth",
        baseline: null,
        target: "<= 1000 ms",
      },
      {
        name: "growth.slots_per_second",
        unit: "slots/s",
        what: "slots moved per second, 8 → 16 (2,048 slots)",
        baseline: null,
      },
      {
        name: "growth.relay.steady.p99",
        unit: "ms",
        what: "the echoing pair's relay round trip, p99, just before the growth",
        baseline: null,
      },
      {
        name: "growth.relay.starting.max",
        unit: "ms",
        what:
          "the same pair's longest round trip while the growth started its new shards, before any slot moved",
        baseline: "growth.relay.steady.p99",
      },
      {
        name: "growth.relay.moving.p99",
        unit: "ms",
        what:
          "the same pair's round trip, p99, while the slots move (after the new shards started)",
        baseline: "growth.relay.steady.p99",
        target: "<= 2x",
      },
      {
        name: "growth.relay_rate.8",
        unit: "msg/s",
        what: "four cross-shard pairs relaying flat out, 8 shards",
        baseline: null,
      },
      {
        name: "growth.relay_rate.16",
        unit: "msg/s",
        what: "the same pairs after the growth, 16 shards",
        baseline: "growth.relay_rate.8",
      },
      {
        name: "growth.ledger_rate.8",
        unit: "tx/s",
        what: "signed transfers applied, 8 payers × 8 batches of 64 over HTTP, 8 shards",
        baseline: null,
      },
      {
        name: "growth.ledger_rate.16",
        unit: "tx/s",
        what: "the same after the growth, 16 shards",
        baseline: "growth.ledger_rate.8",
      },
    ],
  };
}
