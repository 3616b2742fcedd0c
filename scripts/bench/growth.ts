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
import { Identity, Peer } from "../../mod.ts";
import { signTransfer, transferToJson } from "../../src/ledger/mod.ts";
import { SlotMap } from "../../src/routing/mod.ts";
import { startNetwork } from "../local_network.ts";
import { identityWhere, median, quantile, type SectionResult, UNTHROTTLED } from "./common.ts";
import { type EchoStart, type EchoTrip, GAP_MS } from "./growth_echo.ts";
import { pinApart, unpinSelf } from "./pin_cores.ts";

const ACCOUNTS = 2_048;
const MAILBOXES = 256;
const MAIL_EACH = 4;
const SUBSCRIBERS = 64;
/** How long each rate is measured, ms. */
const RATE_MS = 2_000;
const TOKEN = "bench-operator";
/** After the rates, before the pair is timed, ms. */
const SETTLE_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The echoing pair, on a thread of its own (`growth_echo.ts`). */
class EchoThread {
  readonly #worker = new Worker(new URL("./growth_echo.ts", import.meta.url), { type: "module" });
  readonly #answers: unknown[] = [];
  #wake: (() => void) | undefined;

  constructor() {
    this.#worker.onmessage = (e) => {
      this.#answers.push(e.data);
      this.#wake?.();
    };
  }

  /** Connects the pair. */
  async start(start: EchoStart): Promise<void> {
    this.#worker.postMessage(start);
    await this.#next();
  }

  /** Labels the trips from now on. */
  phase(phase: string): void {
    this.#worker.postMessage({ phase });
  }

  /** Ends the trips and returns them. */
  async done(): Promise<EchoTrip[]> {
    this.phase("done");
    const { trips } = await this.#next() as { trips: EchoTrip[] };
    this.#worker.terminate();
    return trips;
  }

  async #next(): Promise<unknown> {
    while (this.#answers.length === 0) await new Promise<void>((r) => this.#wake = r);
    return this.#answers.shift();
  }
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

/**
 * One network grown 8 → 16. With `peersMove`, the 64 subscribers are homed anywhere (about half
 * of them in slots that move, so they are sent away and reconnect during the growth), and the
 * relay and ledger rates are measured before and after; without, every connected peer is homed
 * in a slot that stays, so what the pair meets is the growth's own work.
 */
async function round(
  samples: Record<string, number[]>,
  log: (s: string) => void,
  peersMove: boolean,
): Promise<void> {
  const [eight, sixteen] = [SlotMap.initial(8), SlotMap.initial(16)];
  const stays = (id: string) => sixteen.shardOf(id) === eight.shardOf(id);
  const anyHome = async () => await Identity.generate();
  const homeStays = () => identityWhere(stays);
  const accounts = await Promise.all(Array.from({ length: ACCOUNTS }, () => Identity.generate()));
  const genesis = Object.fromEntries(accounts.map((a) => [a.peerId, 1_000_000]));
  const echo = new EchoThread();
  const net = await startNetwork({
    shards: 8,
    network: "bench",
    limits: UNTHROTTLED,
    vars: { GENESIS: JSON.stringify(genesis), ADMIN_TOKEN: TOKEN },
    // The trips after the growth started its shards are those while slots move.
    logs: (line) => {
      if (line.includes('"growth.prepared"')) echo.phase("moving");
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
    log(`growth: ${await pinApart()}`);
    // State for the growth to move: mail waiting for offline peers, subscribers.
    const mailer = await open(await homeStays());
    for (let m = 0; m < MAILBOXES; m++) {
      const to = (await Identity.generate()).peerId;
      await Promise.all(Array.from({ length: MAIL_EACH }, (_, i) => mailer.sendMail(to, `m${i}`)));
    }
    const subs = await Promise.all(
      Array.from(
        { length: SUBSCRIBERS },
        async () => await open(await (peersMove ? anyHome : homeStays)()),
      ),
    );
    await Promise.all(subs.map((s, i) => s.subscribe(`topic-${i % 16}`)));
    // The echoing pair, homed on two shards that keep them.
    const pair = [1, 2].map(async (k) =>
      JSON.stringify(await identityWhere((id) => stays(id) && eight.shardOf(id) === k))
    );
    const [a, b] = await Promise.all(pair);
    await echo.start({ url: net.url, network: net.network, a, b });
    const push = (name: string, v: number) => (samples[name] ??= []).push(v);
    // Steady for RATE_MS, then the growth; the phases label the pair's trips.
    const measureGrowth = async (): Promise<void> => {
      echo.phase("warm-up");
      await sleep(500);
      echo.phase("steady");
      await sleep(RATE_MS);
      echo.phase("starting");
      const t0 = performance.now();
      const res = await net.grow(16, TOKEN);
      const seconds = (performance.now() - t0) / 1_000;
      const report = await res.json() as {
        slots: number;
        steps: number;
        longestPauseMs: number;
        medianPauseMs: number;
      };
      const trips = await echo.done();
      const of = (phase: string) => trips.filter((t) => t.phase === phase).map((t) => t.ms);
      const [steady, starting, moving] = [of("steady"), of("starting"), of("moving")];
      const prefix = peersMove ? "growth" : "growth.peers_stay";
      push(`${prefix}.pause.median`, report.medianPauseMs);
      push(`${prefix}.pause.longest`, report.longestPauseMs);
      push(`${prefix}.slots_per_second`, report.slots / seconds);
      push(`${prefix}.relay.steady.p99`, quantile(steady, 0.99));
      push(`${prefix}.relay.starting.max`, Math.max(0, ...starting));
      push(`${prefix}.relay.moving.p99`, quantile(moving, 0.99));
      log(
        `${prefix} 8 → 16: ${report.steps} steps, ${report.slots} slots in ${
          seconds.toFixed(2)
        } s; pause median ${report.medianPauseMs} ms, longest ${report.longestPauseMs} ms; ` +
          `relay p99 ${quantile(steady, 0.99).toFixed(2)} ms steady (${steady.length} trips), ${
            quantile(moving, 0.99).toFixed(2)
          } ms moving (${moving.length} trips), longest ${
            Math.max(0, ...starting).toFixed(2)
          } ms while shards started (${starting.length} trips)`,
      );
    };
    let rates = "";
    if (peersMove) {
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
      const relay8 = await relayRate(ratePairs);
      const ledger8 = await ledgerRate(net.url, net.network, payers, nonces, payee);
      // The transfers' receipts and blocks are worked off before the pair is timed.
      await sleep(SETTLE_MS);
      await measureGrowth();
      const relay16 = await relayRate(ratePairs);
      const ledger16 = await ledgerRate(net.url, net.network, payers, nonces, payee);
      push("growth.relay_rate.8", relay8);
      push("growth.relay_rate.16", relay16);
      push("growth.ledger_rate.8", ledger8);
      push("growth.ledger_rate.16", ledger16);
      rates = `; relay ${Math.round(relay8)}/s on 8, ${Math.round(relay16)}/s on 16; ledger ${
        Math.round(ledger8)
      }/s on 8, ${Math.round(ledger16)}/s on 16`;
    } else {
      await sleep(SETTLE_MS);
      await measureGrowth();
    }

    if (rates) log(`growth rates${rates}`);
  } finally {
    await unpinSelf();
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
  for (let r = 0; r < rounds; r++) {
    await round(samples, log, true);
    await round(samples, log, false);
  }
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
      `Each round two fresh local networks of 8 shards (limits raised as for the throughput sections), each holding ${state}, grow to 16 (\`POST /v1/admin/grow\`: 2,048 slots in 32 steps of 64, paced by \`GROWTH_REST_RATIO\`). In the first, the subscribers are homed anywhere: about half of them are in slots that move, so they are sent away (\`4004\`) and reconnect while the slots move. In the second (\`growth.peers_stay.*\`), every connected peer is homed in a slot that stays, so the figures are the growth's own work. A pair of peers homed on shards 1 and 2, which keep them, echo a message through the relay ${GAP_MS} ms after each answer, from a worker thread of their own (so a trip times the network, not this process's other peers): for ${
        RATE_MS / 1_000
      } s just before the growth (steady), while the growth wakes every shard, one at a time, before any slot is frozen (starting: on one process a shard's start holds every shard's thread), and from then on while the slots move (moving). workerd is pinned to the machine's last core and this process to the others where \`taskset\` can (\`pin_cores.ts\`), as a deployed shard does not share its core with its peers. In the first network, before and after the growth, four pairs on different shards relay flat out for ${
        RATE_MS / 1_000
      } s, and eight payers submit batches of 64 signed transfers over HTTP (8 each): the rates on 16 shards against 8. A step's pause runs from its slots' freeze to their release: what waits for them waits at most that long. Everything runs on one workerd process here, so more shards cannot add cores, and every shard's work (a step's, a reconnecting peer's welcome at its new home) holds the pair's shards too: the 16-shard rates show what the move and the larger map cost, not the spread a deployment gets.`,
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
          "the same pair's longest round trip while the growth woke every shard, before any slot moved",
        baseline: "growth.relay.steady.p99",
      },
      {
        name: "growth.relay.moving.p99",
        unit: "ms",
        what:
          "the same pair's round trip, p99, while the slots move (after every shard was woken), about half the subscribers sent away and reconnecting meanwhile",
        baseline: "growth.relay.steady.p99",
        target: "<= 2x",
      },
      {
        name: "growth.peers_stay.pause.median",
        unit: "ms",
        what: "a step's write pause, median, with no connected peer homed in a moving slot",
        baseline: null,
      },
      {
        name: "growth.peers_stay.relay.steady.p99",
        unit: "ms",
        what: "the echoing pair's round trip, p99, just before that growth",
        baseline: null,
      },
      {
        name: "growth.peers_stay.relay.moving.p99",
        unit: "ms",
        what:
          "the pair's round trip, p99, while the slots move, no connected peer sent away: the growth's own work",
        baseline: "growth.peers_stay.relay.steady.p99",
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
