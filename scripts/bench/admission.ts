/**
 * Admission: are prices following cost? Part one measures the shard time of every kind of
 * request a client can send (µs per request, per unit of its price) against the stated unit
 * (one unit is about 10 µs of a shard's time); part two turns the dearest µs per unit into the
 * largest share of a shard one peer, and one address, can take within its budget; part three
 * measures a bystander's round trips and welcome while peers flood its shard.
 *
 * @module
 */
import { DEFAULT_LIMITS } from "../../src/protocol/mod.ts";
import {
  type BystanderFigures,
  FLAT_KINDS,
  FLOOD_KINDS,
  FLOOD_WHAT,
  floodBench,
  FLOODS,
  PACED_PASSES,
} from "./admission_flood.ts";
import type { FloodKind } from "./admission_flooder.ts";
import { KINDS, PER_ITEM } from "./admission_kinds.ts";
import {
  type KindSample,
  measureKinds,
  PACED_FLOOR_RATE,
  PASSES,
  SHARDS,
} from "./admission_kinds_run.ts";
import { PACED_MS } from "./admission_paced.ts";
import { median, type SectionResult } from "./common.ts";

/** The stated unit: one unit of price is about this many µs of a shard's time. */
export const US_PER_UNIT = 10;
/** A kind's µs per unit within this factor of the stated unit: its price follows its cost. */
const FACTOR = 3;
/** Most of a shard one peer may take at its budget, in percent. */
const PEER_SHARE_TARGET = 5;
/** Most of a shard one address may take, in percent. */
const ADDRESS_SHARE_TARGET = 15;
/**
 * Most of a shard one address's HTTP requests may take, in percent: what one peer's socket may
 * (the HTTP budget is the address's, a light client's).
 */
const HTTP_SHARE_TARGET = PEER_SHARE_TARGET;
/** A bystander's p99 and welcome under a flood, at most this many times the unloaded ones. */
const FLOOD_FACTOR = 2;

type Def = SectionResult["entries"][number];
const L = DEFAULT_LIMITS;
const pad = (x: string | number, n: number) => String(x).padStart(n);

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
  const socketKinds = KINDS.filter((k) => k.socket);
  const httpKinds = KINDS.filter((k) => k.http);
  const dearest = { socket: [] as string[], http: [] as string[] };
  for (let r = 0; r < rounds; r++) {
    const got = (name: string) => (measured.get(name) as KindSample[])[r];
    // A kind's cost is the dearer of its two figures: flat out (wall time, what the shard's
    // thread gives it) or one at a time at one peer's rate (workerd's CPU, what a peer inside
    // its limits makes it spend, each request paying a whole event).
    // A paced figure that could not be read (`NaN`) leaves the flat-out one.
    const cost = (name: string) =>
      Number.isNaN(got(name).paced) ? got(name).us : Math.max(got(name).us, got(name).paced);
    const perUnit = (k: { name: string; price: number }) => cost(k.name) / k.price;
    push("admission.unit", US_PER_UNIT);
    for (const k of KINDS) {
      push(`admission.${k.name}`, got(k.name).us);
      if (!Number.isNaN(got(k.name).paced)) push(`admission.${k.name}.paced`, got(k.name).paced);
      push(`admission.${k.name}.per_unit`, perUnit(k));
    }
    push("admission.median_per_unit", median(KINDS.map(perUnit)));
    for (const p of PER_ITEM) {
      const one = KINDS.find((k) => k.name === p.one)!;
      const max = KINDS.find((k) => k.name === p.max)!;
      // The dearer of the two differences, as for a kind: flat out, and one at a time (where
      // both could be read).
      const per = (f: (name: string) => number) => (f(p.max) - f(p.one)) / (max.items - one.items);
      const flat = per((name) => got(name).us);
      const alone = per((name) => got(name).paced);
      const us = Number.isNaN(alone) ? flat : Math.max(flat, alone);
      push(`admission.${p.name}`, us);
      push(`admission.${p.name}.per_unit`, us / L[p.limit]);
    }
  }
  // Where no round could read a kind's paced figure, the report says so (NaN).
  for (const k of KINDS) samples[`admission.${k.name}.paced`] ??= [NaN];
  // A peer at its budget spends it all on the dearest kind per unit its budget pays for (the
  // socket kinds); an address's peers share one budget at each shard; an address's HTTP
  // requests pay from a budget of their own. Each kind's median over the rounds, then the
  // dearest: the most of a round's noisy figures would read high.
  const kindPerUnit = (k: { name: string }) => median(samples[`admission.${k.name}.per_unit`]);
  const worst = (ks: typeof KINDS) => ks.reduce((a, k) => kindPerUnit(k) > kindPerUnit(a) ? k : a);
  const ws = worst(socketKinds);
  const hs = worst(httpKinds);
  dearest.socket.push(ws.name);
  dearest.http.push(hs.name);
  push("admission.share.peer", L.RATE_LIMIT_FRAMES_PER_SECOND * kindPerUnit(ws) / 1e6 * 100);
  push("admission.share.address", L.ADDRESS_UNITS_PER_SECOND * kindPerUnit(ws) / 1e6 * 100);
  push("admission.share.http", L.ADDRESS_HTTP_UNITS_PER_SECOND * kindPerUnit(hs) / 1e6 * 100);
  const m = (name: string) => median(samples[name]);
  const paced = (name: string) =>
    KINDS.some((k) => k.name === name) ? m(`admission.${name}.paced`).toFixed(1) : "";
  const row = (name: string, items: number, price: number) =>
    `${name.padEnd(22)} ${pad(m(`admission.${name}`).toFixed(1), 10)} ${pad(paced(name), 9)} ${
      pad(items, 5)
    } ${pad(price, 6)} ${pad(m(`admission.${name}.per_unit`).toFixed(2), 8)} ${
      pad((m(`admission.${name}.per_unit`) / US_PER_UNIT).toFixed(2), 7)
    }`;
  console.log([
    `kind                   µs/request    paced items  price  µs/unit  x ${US_PER_UNIT} µs`,
    ...KINDS.map((k) => row(k.name, k.items, k.price)),
    ...PER_ITEM.map((p) => row(p.name, 1, L[p.limit])),
    `median µs/unit ${m("admission.median_per_unit").toFixed(2)}; dearest socket kind per unit: ${
      dearest.socket.join(", ")
    }, HTTP: ${dearest.http.join(", ")}`,
    `one peer (${L.RATE_LIMIT_FRAMES_PER_SECOND} units/s) can take ${
      m("admission.share.peer").toFixed(1)
    }% of a shard (target <= ${PEER_SHARE_TARGET}%); one address (${L.ADDRESS_UNITS_PER_SECOND} units/s) ${
      m("admission.share.address").toFixed(1)
    }% (<= ${ADDRESS_SHARE_TARGET}%); one address's HTTP (${L.ADDRESS_HTTP_UNITS_PER_SECOND} units/s) ${
      m("admission.share.http").toFixed(1)
    }%`,
  ].join("\n"));

  const flood = await floodBench();
  const passes = [...Array(PACED_PASSES).keys()];
  const unloaded = FLOOD_KINDS.flatMap((k) => passes.map((p) => flood.get(`unloaded.${k}.${p}`)!));
  // One unloaded figure per pass of each network: each is a sample of the baseline.
  for (const u of unloaded) {
    push("admission.bystander.p99", u.p99);
    push("admission.bystander.welcome", u.welcome);
  }
  const floodRows: string[] = [];
  const said = (f: BystanderFigures) =>
    `start ${pad(f.start!.toFixed(0), 5)} ms (${
      Math.round(f.floodRate ?? 0)
    } msg/s sent, ${f.floodRefused} refused, ${f.floodOpened} sockets; cores: workerd ${
      f.cores?.workerd.toFixed(2)
    }, bench ${f.cores?.bench.toFixed(2)})`;
  for (const kind of FLOOD_KINDS) {
    for (const shape of FLOODS) {
      const name = `admission.flood.${kind}.${shape.label}`;
      for (const pass of passes) {
        const f = flood.get(`${kind}.paced.${shape.label}.${pass}`) as BystanderFigures;
        push(`${name}.p99`, f.p99);
        push(`${name}.welcome`, f.welcome);
        push(`${name}.start`, f.start!);
        push(`${name}.cores`, f.cores!.workerd + f.cores!.bench);
        floodRows.push(
          `${`${kind} × ${shape.label} #${pass + 1}`.padEnd(27)} p99 ${
            pad((f.p99 / m("admission.bystander.p99")).toFixed(2), 6)
          }x  welcome ${pad((f.welcome / m("admission.bystander.welcome")).toFixed(2), 6)}x  ${
            said(f)
          }`,
        );
      }
    }
  }
  for (const kind of FLAT_KINDS) {
    push(`admission.bare.${kind}.p99`, flood.get(`unloaded.bare.${kind}`)!.p99);
    for (const shape of FLOODS) {
      const f = flood.get(`${kind}.flat.${shape.label}`) as BystanderFigures;
      const b = flood.get(`${kind}.bare.${shape.label}`) as BystanderFigures;
      push(`admission.flat.${kind}.${shape.label}.p99`, f.p99);
      push(`admission.flat.${kind}.${shape.label}.welcome`, f.welcome);
      push(`admission.bare.${kind}.${shape.label}.p99`, b.p99);
      floodRows.push(
        `flat ${`${kind} × ${shape.label}`.padEnd(19)} p99 ${
          pad(f.p99.toFixed(1), 7)
        } ms, a bare object's ${pad(b.p99.toFixed(1), 7)} ms  ${said(f)}`,
      );
    }
  }
  console.log([
    `bystander unloaded (median of ${unloaded.length} networks): p99 ${
      m("admission.bystander.p99").toFixed(2)
    } ms, welcome ${m("admission.bystander.welcome").toFixed(2)} ms`,
    ...floodRows,
  ].join("\n"));

  return {
    title: "Admission: shard time per request kind, shares, floods",
    method: method(),
    samples,
    entries: [...kindEntries(), ...floodEntries()],
  };
}

function kindEntries(): Def[] {
  const entries: Def[] = [{
    name: "admission.unit",
    unit: "µs/unit",
    what:
      "the stated unit: one unit of price is about this much of a shard's time (`limit_table_prices.ts`)",
    baseline: null,
  }];
  for (const k of KINDS) {
    entries.push({
      name: `admission.${k.name}`,
      unit: "µs/request",
      what: `${k.what}; price ${k.price} units${k.items > 1 ? ` (${k.items} items)` : ""}`,
      baseline: null,
    }, {
      name: `admission.${k.name}.paced`,
      unit: "µs/request",
      what: `the same, one at a time at ${
        (k.http ? L.ADDRESS_HTTP_UNITS_PER_SECOND : L.RATE_LIMIT_FRAMES_PER_SECOND) / k.price >=
            PACED_FLOOR_RATE
          ? `${k.http ? "an address's HTTP budget" : "one peer's budget"} rate`
          : `${PACED_FLOOR_RATE}/s at least`
      }: workerd's CPU per request`,
      baseline: null,
    });
  }
  for (const p of PER_ITEM) {
    entries.push({
      name: `admission.${p.name}`,
      unit: "µs/item",
      what:
        `${p.what}: (\`${p.max}\` − \`${p.one}\`) per item, the dearer of flat out and one at a time; price \`${p.limit}\` (${
          L[p.limit]
        })`,
      baseline: null,
    });
  }
  for (const name of [...KINDS.map((k) => k.name), ...PER_ITEM.map((p) => p.name)]) {
    const cheaper = KINDS.find((k) => k.name === name)?.cheaperCaseOf;
    entries.push({
      name: `admission.${name}.per_unit`,
      unit: "µs/unit",
      what: `\`${name}\` per unit of its price (the dearer of its two figures)${
        cheaper ? `; a cheaper case of the request whose price \`${cheaper}\` sets` : ""
      }`,
      baseline: "admission.unit",
      ...(cheaper ? {} : { target: `within ${FACTOR}x` }),
    });
  }
  entries.push(
    {
      name: "admission.median_per_unit",
      unit: "µs/unit",
      what: "median over the kinds of µs per unit of price",
      baseline: "admission.unit",
    },
    {
      name: "admission.share.peer",
      unit: "% of a shard",
      what:
        `one peer at \`RATE_LIMIT_FRAMES_PER_SECOND\` (${L.RATE_LIMIT_FRAMES_PER_SECOND} units/s), all on the socket kind dearest per unit`,
      baseline: null,
      target: `<= ${PEER_SHARE_TARGET}`,
    },
    {
      name: "admission.share.address",
      unit: "% of a shard",
      what:
        `the peers of one address at \`ADDRESS_UNITS_PER_SECOND\` (${L.ADDRESS_UNITS_PER_SECOND} units/s), on the same kind`,
      baseline: null,
      target: `<= ${ADDRESS_SHARE_TARGET}`,
    },
    {
      name: "admission.share.http",
      unit: "% of a shard",
      what:
        `one address's HTTP requests at \`ADDRESS_HTTP_UNITS_PER_SECOND\` (${L.ADDRESS_HTTP_UNITS_PER_SECOND} units/s), all on the HTTP kind dearest per unit`,
      baseline: null,
      target: `<= ${HTTP_SHARE_TARGET}`,
    },
  );
  return entries;
}

function floodEntries(): Def[] {
  const entries: Def[] = [
    {
      name: "admission.bystander.p99",
      unit: "ms",
      what: "bystander's `lookup` round trip, p99, no flood (median over the networks)",
      baseline: null,
    },
    {
      name: "admission.bystander.welcome",
      unit: "ms",
      what:
        "bystander's new connection to its welcome, median, no flood (median over the networks)",
      baseline: null,
    },
  ];
  const who = (kind: FloodKind, shape: (typeof FLOODS)[number]) =>
    `${shape.peers} peer(s) from ${
      shape.addresses === 1 ? "one address" : `${shape.addresses} addresses`
    } flood ${FLOOD_WHAT[kind]}`;
  for (const kind of FLOOD_KINDS) {
    for (const shape of FLOODS) {
      const name = `admission.flood.${kind}.${shape.label}`;
      entries.push({
        name: `${name}.p99`,
        unit: "ms",
        what: `bystander's \`lookup\` p99 while ${who(kind, shape)}, inside their limits`,
        baseline: "admission.bystander.p99",
        target: `<= ${FLOOD_FACTOR}x`,
      }, {
        name: `${name}.welcome`,
        unit: "ms",
        what: `bystander's welcome, median, while ${who(kind, shape)}, inside their limits`,
        baseline: "admission.bystander.welcome",
        target: `<= ${FLOOD_FACTOR}x`,
      }, {
        name: `${name}.start`,
        unit: "ms",
        what: `bystander's longest round trip in the first second of that flood (their bursts)`,
        baseline: "admission.bystander.p99",
      }, {
        name: `${name}.cores`,
        unit: "cores",
        what:
          `cores busy while measured: workerd (every shard and the edge) and the bench's own process (bystander and flooders), of the machine's ${navigator.hardwareConcurrency}`,
        baseline: null,
      });
    }
  }
  for (const kind of FLAT_KINDS) {
    entries.push({
      name: `admission.bare.${kind}.p99`,
      unit: "ms",
      what: `a bare object's bystander, echo round trip p99, no flood (the network of \`${kind}\`)`,
      baseline: null,
    });
    for (const shape of FLOODS) {
      entries.push({
        name: `admission.flat.${kind}.${shape.label}.p99`,
        unit: "ms",
        what: `bystander's \`lookup\` p99 while ${who(kind, shape)}, flat out, past their limits`,
        baseline: `admission.bare.${kind}.${shape.label}.p99`,
      }, {
        name: `admission.flat.${kind}.${shape.label}.welcome`,
        unit: "ms",
        what: `bystander's welcome, median, during that flat-out flood`,
        baseline: "admission.bystander.welcome",
      }, {
        name: `admission.bare.${kind}.${shape.label}.p99`,
        unit: "ms",
        what: `a bare object's bystander, echo p99, under the same flat-out flood aimed at it`,
        baseline: `admission.bare.${kind}.p99`,
      });
    }
  }
  return entries;
}

function method(): string {
  return [
    `Part one: a network of ${SHARDS} shards on unthrottled limits (and its mailbox,`,
    "subscription, provider and faucet bounds raised, so that each request does its work),",
    "every measured peer homed on shard 0. Each kind is sent flat out, built before the clock,",
    "from 8 bare sockets (HTTP: 8 lanes, each one request at a time); the answers are counted",
    "(a kind with none, `topic.ack`, `mail.ack` or a mailed frame, is followed by a `lookup`,",
    "answered after it); µs per request is wall time over requests. A phase is sized from a",
    `warm-up to last about 0.5 s; a round is ${PASSES} passes over every kind in turn, and a`,
    "round's figure of a kind the median of its passes. Then each round sends every kind once",
    "more the way a peer inside its limits does (`.paced`): from one socket (HTTP: one lane),",
    "one request at a time at the rate its budget allows for its price",
    "(`RATE_LIMIT_FRAMES_PER_SECOND` / price; HTTP, `ADDRESS_HTTP_UNITS_PER_SECOND` / price),",
    `or ${PACED_FLOOR_RATE} a second if that is more (as long as that takes at most a tenth of a`,
    "core at the kind's flat-out cost): a flood that matters comes from many peers and keeps the",
    "runtime awake, while one peer alone on a quiet network a few times a second pays for waking",
    "it each time, which a busy shard does not;",
    `evenly spaced, for ${PACED_MS / 1000} s (and 100 requests at least, 6 s at most); its`,
    "figure is the CPU time of the network's workerd processes (each thread's `schedstat`, to",
    "the ns) over the phase and on until they are quiet again (a 250 ms window within 1% of a",
    "core of idle, 3 s at most: the block it sealed, the receipts it pushed are its own, and the",
    "next kind starts on a quiet network), less what they spend idle over the same time (the",
    "median of four 1 s windows before each pass; about 0 here), over the requests. A request that arrives alone pays the runtime's",
    "whole cost of an event (the wake, the dispatch into the object, the commit, the write",
    "back), which requests sent back to back share: flat out a `lookup` took about 45 µs, one",
    "at a time about 220 µs; a bare object that echoes each message unread took 82 µs a",
    "message at 714 a second (60 µs at 2,000, 265 µs at 100). A kind's cost is the dearer of",
    "its two figures. All shards and the edge",
    "share one workerd process, so both figures hold what a request makes other shards do (a",
    "topic's or a content's home) and the waits for durable writes. Prices are the server's own",
    "(`requestPrice`, `transferPrice`, `COST_RELAY_FRAME`, a batch message `COST_BATCH` +",
    "`COST_BATCH_ENTRY` per entry, `COST_MAIL`, `COST_HTTP_READ` for the HTTP reads and",
    "`COST_FAUCET`) with the default limits. Per-item rows are the difference between the most items",
    "and one, per item, the dearer of flat out and one at a time. `tx` kinds send each lane's",
    "batches one after another, which the shard applies in the order sent (a peer's `tx` requests",
    "are, since 2026-12-05; before, a batch sent behind another met its nonces as a gap and was",
    "refused cheaply, and the `tx` rows measured refusals). Target: a kind's cost per",
    `unit of its price within ${FACTOR}x of the stated unit,`,
    `${US_PER_UNIT} µs (\`admission.unit\`; ratio between 1/${FACTOR} and ${FACTOR}); a ratio`,
    "above 3 is a price too low for its cost, below 1/3 one too high; a kind that is a cheaper",
    "case of the same request as another (`mail` to one peer here against `mail.spread`, to a new",
    "recipient on any shard as a flood sends) has no target, since one price follows the dearer.",
    "Part two: a peer's share of a shard is",
    "`RATE_LIMIT_FRAMES_PER_SECOND` × the dearest µs per unit over the socket kinds (which",
    "its budget pays for; each kind's median over the rounds); an address's,",
    "`ADDRESS_UNITS_PER_SECOND` × the same; an address's HTTP share,",
    "`ADDRESS_HTTP_UNITS_PER_SECOND` × the dearest over the HTTP kinds. Targets:",
    `${PEER_SHARE_TARGET}%, ${ADDRESS_SHARE_TARGET}% and ${HTTP_SHARE_TARGET}% (an address's HTTP`,
    "requests held to what one peer's socket may take). Part three: a fresh network per flood kind, default limits; a bystander from an",
    "address of its own, three peers homed on shard 0 taking turns, sends a `lookup` 5 ms after",
    "each answer (about 125 a second: each peer, and their address, inside its budget; one peer",
    "alone would not be, and its refusals read as lost answers) and opens a new connection every 200 ms, for 1.5 s unloaded, then under each flood: 1, 4 or 16 peers",
    "homed on shard 0, from one client address or from one each (the local network's test",
    "header), sending one kind from a worker thread inside their limits: each its burst first,",
    "then at its rate (`RATE_LIMIT_FRAMES_PER_SECOND`, or its share of",
    "`ADDRESS_UNITS_PER_SECOND` if less), each message at the server's price, waiting out every",
    "`retryAfter` (the shard's own budget refuses the heavy spenders when they ask more than",
    "`SHARD_UNITS_PER_SECOND` together). The first second of a flood, when the bursts land at",
    "once, is reported apart (`.start`, the longest round trip in it, no target); p99 and welcome",
    "are taken over the 1.5 s after it. `tx.funded`: the flooders are paid by the network's",
    "genesis before it starts, and each batch spends fresh nonces, so every transfer is read,",
    "sent to the verifier, applied and sealed (most of them across shards, a receipt each);",
    "locally the verifier is the network's own entrypoint, on the same workerd thread as every",
    "shard, and the receipts are credited by shards on that thread too: the shard takes the",
    "bystander's frames between the parts of a batch's check and between its receipt pushes",
    "(a turn given back after each), but the apply, its commit and the credits still hold it for",
    "some ms at a time. `tx.funded.own`: the same, every payee homed on the flooders' shard,",
    "so that no receipt leaves it: the shard's own work alone, without the credits, blocks and",
    "index entries that payees anywhere give the 7 other shards (locally on the same thread as",
    "the bystander's shard; deployed, on objects of their own). The paced floods of a kind run in",
    `${PACED_PASSES} passes, each after an unloaded phase of its own; an entry is the median of`,
    "its passes (a p99 of some 250 round trips moves 2x from one pass to the next on a shared",
    "machine). Each flood says how many cores were busy meanwhile (`.cores`: workerd's and the",
    "bench's own process's, from `/proc`). Where the machine has two cores or more and",
    "`taskset`, workerd is pinned to the last core and the bench (bystander and flooders) to the",
    "others (`pin_cores.ts`), as a deployed shard does not share its core with the peers that",
    "flood it; unpinned, the flooders' own sending took the shard's cycles and a 16-peer",
    "`relay.mailed` flood read 2.0-8.6x (six passes, median 2.6x) where pinned it reads",
    "1.1-2.8x (nine passes, median 1.8x). Part four: three kinds (text, binary, large) sent flat",
    "out, past the limits, whatever `retryAfter` says, each flooder reopening its socket when it",
    "is closed for flooding (and refused for `FLOOD_COOLDOWN_MS` after); then the same floods",
    "aimed at a bare object in the same workerd, which drops every frame unread and closes no",
    "one, its own bystander's echo p99 beside. A flooded frame costs any Durable Object its",
    "dispatch before its own code runs, and frames already sent still arrive after a close (the",
    "runtime delivers a closing socket's frames until the client's close, or resets it seconds",
    "later), so past the limits the figure to beat is the bare object's, not the unloaded one.",
    "The unloaded baseline is the median over every unloaded phase of the run. Parts two and",
    "four run once.",
  ].join(" ");
}
