/**
 * Admission: are prices following cost? Part one measures the shard time of every kind of
 * request a peer can send (µs per request, per unit of its price); part two turns that into
 * the largest share of a shard one peer, and one address, can take within its limits; part
 * three measures a bystander's round trips and welcome while peers flood its shard.
 *
 * @module
 */
import { DEFAULT_LIMITS, type LimitName } from "../../src/protocol/mod.ts";
import { type BystanderFigures, FLOOD_KINDS, floodBench, FLOODERS } from "./admission_flood.ts";
import { KINDS, PER_ITEM } from "./admission_kinds.ts";
import { type KindSample, measureKinds, SHARDS } from "./admission_kinds_run.ts";
import { median, type SectionResult } from "./common.ts";

/** Within this factor of the median µs per unit, a kind's price follows its cost. */
const FACTOR = 3;
/** A bystander's p99 and welcome under a flood, at most this many times the unloaded ones. */
const FLOOD_FACTOR = 2;

type Def = SectionResult["entries"][number];

/** The address budget, if the limits have one: a rate of units per address and shard. */
function addressBudget(): { name: string; value: number } | undefined {
  const name = (Object.keys(DEFAULT_LIMITS) as LimitName[]).find((n) =>
    n.startsWith("ADDRESS_") && !n.includes("HELLO") && n.endsWith("_PER_SECOND")
  );
  return name ? { name, value: DEFAULT_LIMITS[name] } : undefined;
}

/**
 * Runs the admission section.
 *
 * @example Usage
 * ```ts ignore
 * const section = await admissionBench(1);
 * ```
 *
 * @param rounds Rounds of part one after its warm-up (parts two and three run once).
 * @returns The samples.
 */
export async function admissionBench(rounds: number): Promise<SectionResult> {
  const measured = await measureKinds(rounds);
  const samples: Record<string, number[]> = {};
  const push = (name: string, v: number) => (samples[name] ??= []).push(v);
  const rate = DEFAULT_LIMITS.RATE_LIMIT_FRAMES_PER_SECOND;
  const budget = addressBudget();
  const perAddress = budget ? budget.value / rate : DEFAULT_LIMITS.MAX_CONNECTIONS_PER_ADDRESS;
  const dearest: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const at = (name: string) => (measured.get(name) as KindSample[])[r].us;
    const perUnit: number[] = [];
    for (const k of KINDS) {
      push(`admission.${k.name}`, at(k.name));
      push(`admission.${k.name}.per_unit`, at(k.name) / k.price);
      if (!k.uncharged) perUnit.push(at(k.name) / k.price);
    }
    push("admission.median_per_unit", median(perUnit));
    for (const p of PER_ITEM) {
      const one = KINDS.find((k) => k.name === p.one)!;
      const max = KINDS.find((k) => k.name === p.max)!;
      const us = (at(p.max) - at(p.one)) / (max.items - one.items);
      push(`admission.${p.name}`, us);
      push(`admission.${p.name}.per_unit`, us / DEFAULT_LIMITS[p.limit]);
    }
    // A peer within its limits spends `rate` units a second, all on the dearest kind it pays
    // for from its own budget (HTTP requests are not charged to a peer).
    const worst = KINDS.filter((k) => k.socket).reduce((a, k) =>
      at(k.name) / k.price > at(a.name) / a.price ? k : a
    );
    dearest.push(worst.name);
    const share = rate * at(worst.name) / worst.price / 1e6 * 100;
    push("admission.share.peer", share);
    push("admission.share.address", share * perAddress);
  }
  const m = (name: string) => median(samples[name]);

  const lines = [
    "kind                  µs/request  items  price  µs/unit  x median",
    ...KINDS.map((k) =>
      `${k.name.padEnd(20)} ${m(`admission.${k.name}`).toFixed(1).padStart(11)} ${
        String(k.items).padStart(6)
      } ${String(k.price).padStart(6)} ${
        m(`admission.${k.name}.per_unit`).toFixed(2).padStart(8)
      } ${
        (m(`admission.${k.name}.per_unit`) / m("admission.median_per_unit")).toFixed(2).padStart(9)
      }`
    ),
    ...PER_ITEM.map((p) =>
      `${p.name.padEnd(20)} ${m(`admission.${p.name}`).toFixed(1).padStart(11)} ${
        "1".padStart(6)
      } ${String(DEFAULT_LIMITS[p.limit]).padStart(6)} ${
        m(`admission.${p.name}.per_unit`).toFixed(2).padStart(8)
      } ${
        (m(`admission.${p.name}.per_unit`) / m("admission.median_per_unit")).toFixed(2).padStart(9)
      }`
    ),
    `median µs/unit ${m("admission.median_per_unit").toFixed(2)}; one peer at ${rate} units/s ` +
    `can take ${m("admission.share.peer").toFixed(0)}% of a shard (${
      dearest.join(", ")
    }); one address ${m("admission.share.address").toFixed(0)}% (${
      budget ? budget.name : `× ${perAddress} connections, no address budget yet`
    })`,
  ];
  console.log(lines.join("\n"));

  const flood = await floodBench();
  const unloaded = flood.get("unloaded")!;
  push("admission.bystander.p99", unloaded.p99);
  push("admission.bystander.welcome", unloaded.welcome);
  const floodRows: string[] = [];
  for (const kind of FLOOD_KINDS) {
    for (const n of FLOODERS) {
      const f = flood.get(`${kind}.${n}`) as BystanderFigures;
      push(`admission.flood.${kind}.${n}.p99`, f.p99);
      push(`admission.flood.${kind}.${n}.welcome`, f.welcome);
      floodRows.push(
        `${`${kind} × ${n}`.padEnd(22)} p99 ${(f.p99 / unloaded.p99).toFixed(2)}x  welcome ${
          (f.welcome / unloaded.welcome).toFixed(2)
        }x  (flooders ${Math.round(f.floodRate ?? 0)} msg/s, ${f.floodOpened} sockets)`,
      );
    }
  }
  console.log(
    [
      `bystander unloaded: p99 ${unloaded.p99.toFixed(2)} ms, welcome ${
        unloaded.welcome.toFixed(2)
      } ms`,
      ...floodRows,
    ].join("\n"),
  );

  const entries: Def[] = [];
  for (const k of KINDS) {
    entries.push({
      name: `admission.${k.name}`,
      unit: "µs/request",
      what: `${k.what}; price ${k.price} units${k.items > 1 ? ` (${k.items} items)` : ""}`,
      baseline: null,
    });
  }
  for (const p of PER_ITEM) {
    entries.push({
      name: `admission.${p.name}`,
      unit: "µs/item",
      what: `${p.what}: (\`${p.max}\` − \`${p.one}\`) per item; price \`${p.limit}\``,
      baseline: null,
    });
  }
  entries.push({
    name: "admission.median_per_unit",
    unit: "µs/unit",
    what: "median over the kinds the server charges of µs per unit of price",
    baseline: null,
  });
  for (const name of [...KINDS.map((k) => k.name), ...PER_ITEM.map((p) => p.name)]) {
    entries.push({
      name: `admission.${name}.per_unit`,
      unit: "µs/unit",
      what: `\`${name}\` per unit of its price`,
      baseline: "admission.median_per_unit",
      target: `within ${FACTOR}x`,
    });
  }
  entries.push(
    {
      name: "admission.share.peer",
      unit: "% of a shard",
      what:
        `one peer at \`RATE_LIMIT_FRAMES_PER_SECOND\` (${rate} units/s) on the dearest socket kind per unit`,
      baseline: null,
    },
    {
      name: "admission.share.address",
      unit: "% of a shard",
      what: budget
        ? `one address at \`${budget.name}\` (${budget.value} units/s)`
        : `every peer of one address: per peer × \`MAX_CONNECTIONS_PER_ADDRESS\` (${perAddress}; no address budget in the limits yet)`,
      baseline: null,
    },
    {
      name: "admission.bystander.p99",
      unit: "ms",
      what: "bystander's `lookup` round trip, p99, no flood",
      baseline: null,
    },
    {
      name: "admission.bystander.welcome",
      unit: "ms",
      what: "bystander's new connection to its welcome, median, no flood",
      baseline: null,
    },
  );
  for (const kind of FLOOD_KINDS) {
    for (const n of FLOODERS) {
      entries.push({
        name: `admission.flood.${kind}.${n}.p99`,
        unit: "ms",
        what: `bystander's \`lookup\` p99 while ${n} peer(s) flood \`${kind}\``,
        baseline: "admission.bystander.p99",
        target: `<= ${FLOOD_FACTOR}x`,
      }, {
        name: `admission.flood.${kind}.${n}.welcome`,
        unit: "ms",
        what: `bystander's welcome, median, while ${n} peer(s) flood \`${kind}\``,
        baseline: "admission.bystander.welcome",
        target: `<= ${FLOOD_FACTOR}x`,
      });
    }
  }
  return {
    title: "Admission: shard time per request kind, shares, floods",
    method: [
      `Part one: a network of ${SHARDS} shards on unthrottled limits (and its mailbox,`,
      "subscription, provider and faucet bounds raised, so that each request does its work),",
      "every measured peer homed on shard 0. Each kind is sent flat out, built before the clock,",
      "from 8 bare sockets (HTTP: 8 lanes, each one request at a time); the answers are counted",
      "(a kind with none, `topic.ack`, `mail.ack` or a mailed frame, is followed by a `lookup`,",
      "answered after it); µs per request is wall time over requests. A phase is sized from a",
      "warm-up to last about 0.7 s. All shards and the edge share one workerd process, so the",
      "figure holds what a request makes other shards do (a topic's or a content's home) and the",
      "waits for durable writes. Prices are the server's own (`requestPrice`, `transferPrice`,",
      "`COST_RELAY_FRAME`, `COST_MAIL`, `COST_REQUEST`) with the default limits; the HTTP reads",
      "and the faucet are not charged today and are shown at `COST_REQUEST`. Per-item rows are",
      "the difference between the most items and one, per item. Target: µs per unit within",
      `${FACTOR}x of the median over kinds (\`within ${FACTOR}x\`: ratio between 1/${FACTOR} and`,
      `${FACTOR}). Part two: a peer's share of a shard is \`RATE_LIMIT_FRAMES_PER_SECOND\` ×`,
      "the dearest µs per unit; an address's, that times its budget over the peer's rate (or",
      "times `MAX_CONNECTIONS_PER_ADDRESS` while there is no address budget). Part three: default",
      "limits but the per-address ones; a bystander homed on shard 0 sends a `lookup` 5 ms after",
      "each answer and opens a new connection every 200 ms, for 3 s unloaded, then under each",
      "flood (peers homed on shard 0 sending one kind flat out from a worker thread, reopening",
      "their socket when it is closed for flooding; `sub`/`unsub` and `provide`/`unprovide` in",
      "turn, mail to a new peer each time, transfers signed by an unfunded account). Parts two",
      "and three run once; ratios are to the unloaded figures of the same run.",
    ].join(" "),
    samples,
    entries,
  };
}
