/**
 * Writes and the output gate: how much a Durable Object's durable writes delay the answers
 * to a socket that writes nothing. The admission benchmark's floods of writing kinds (`sub`,
 * `mail`, a mailed SEND, `provide`) stay over twice a bystander's unloaded p99 even inside
 * their limits; this measures the floor under them in a bare object on the same workerd: a
 * bystander's echo round trips while 16 sockets send 20 messages a second each (320/s) that
 * the object answers after nothing, after a row written in its own event, or after a row
 * written with the others of 25 ms in one event (group commit).
 *
 * @module
 */
import { Miniflare } from "miniflare";
import { bareObjectOptions } from "./bare_object.ts";
import { median, quantile, type SectionResult } from "./common.ts";

const FLOODERS = 16;
const RATE = 20;
const MEASURE_MS = 2_000;
/** Between two of the bystander's round trips, as the admission benchmark's bystander. */
const GAP_MS = 5;
const MODES = ["none", "read", "write", "group"] as const;
type Mode = typeof MODES[number];

const WHAT: Record<Mode, string> = {
  none: "no flood",
  read: `${FLOODERS} sockets × ${RATE}/s, each message answered at once (nothing written)`,
  write: `the same, each message a row written and committed in its own event`,
  group: `the same, the rows of each 25 ms written in one event (one commit), answers after it`,
};

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => resolve(ws);
    ws.onerror = reject;
  });

/** The bystander's round trips, ms, under one mode. */
async function phase(url: string, mode: Mode): Promise<number[]> {
  const flooders = mode === "none"
    ? []
    : await Promise.all(Array.from({ length: FLOODERS }, () => open(`${url}?role=flood`)));
  const timers = flooders.map((ws) => setInterval(() => ws.send(mode), 1_000 / RATE));
  const by = await open(`${url}?role=by`);
  const trips: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 300));
    const end = Date.now() + MEASURE_MS;
    while (Date.now() < end) {
      const t = performance.now();
      await new Promise((r) => {
        by.onmessage = r;
        by.send("p");
      });
      trips.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
  } finally {
    timers.forEach(clearInterval);
    for (const ws of [...flooders, by]) ws.close();
  }
  return trips;
}

/**
 * Runs the section.
 *
 * @example Usage
 * ```ts ignore
 * const section = await gateBench(3);
 * ```
 *
 * @param rounds Rounds, each every mode in turn.
 * @returns The samples.
 */
export async function gateBench(rounds: number): Promise<SectionResult> {
  const mf = new Miniflare({
    ...bareObjectOptions("bare_gate.js", "BARE_GATE", "BareGate"),
    durableObjectsPersist: await Deno.makeTempDir({ prefix: "superpeer-gate-" }),
  });
  const samples: Record<string, number[]> = {};
  try {
    const url = (await mf.ready).toString().replace(/^http/, "ws");
    await phase(url, "write"); // warm-up: the table, the WAL
    for (let r = 0; r < rounds; r++) {
      for (const mode of MODES) {
        const trips = await phase(url, mode);
        (samples[`gate.${mode}.p99`] ??= []).push(quantile(trips, 0.99));
        (samples[`gate.${mode}.p50`] ??= []).push(quantile(trips, 0.5));
        console.log(
          `gate ${mode.padEnd(5)} p50 ${quantile(trips, 0.5).toFixed(2)} ms, p99 ${
            quantile(trips, 0.99).toFixed(2)
          } ms (${trips.length} trips)`,
        );
      }
    }
  } finally {
    await mf.dispose();
  }
  const entries: SectionResult["entries"] = [];
  for (const mode of MODES) {
    for (const q of ["p50", "p99"] as const) {
      entries.push({
        name: `gate.${mode}.${q}`,
        unit: "ms",
        what: `bystander's echo round trip, ${q}: ${WHAT[mode]}`,
        // The writes' cost is what they add to the same flood answered without writing.
        baseline: mode === "none" ? null : mode === "read" ? `gate.none.${q}` : `gate.read.${q}`,
        // Group commit is the design the writing kinds would move to: what it adds to the
        // flood is within the noise of a round, where a commit per event multiplies it.
        ...(mode === "group" && q === "p99" ? { target: "<= 1.25x" } : {}),
      });
    }
  }
  console.log(
    `gate: p99 write ${median(samples["gate.write.p99"]).toFixed(2)} ms, group ${
      median(samples["gate.group.p99"]).toFixed(2)
    } ms, none ${median(samples["gate.none.p99"]).toFixed(2)} ms`,
  );
  return {
    title: "Writes and the output gate",
    method:
      `A bare SQLite-backed Durable Object in workerd (\`scripts/bench/bare_gate.js\`): a bystander socket sends a message ${GAP_MS} ms after each answer for ${
        MEASURE_MS / 1_000
      } s while ${FLOODERS} other sockets send ${RATE} messages a second each. Modes, in turn in each round: no flood; the flood answered at once; each flooded message a row written and committed in its own event (what the super-peer does for \`sub\`, \`mail\`, a mailed SEND or \`provide\` today); the rows of each 25 ms written in one event, one commit, each answer sent after it (group commit: an answer still means its row is durable). The runtime holds every message an object sends while a commit is not yet durable (its output gate), so the bystander, which writes nothing, waits for the flooders' commits. The flood answered without writing is the baseline of the two writing modes: what they add is the writes' cost. Target: group commit adds at most a quarter to the flood's p99 (a commit per event multiplies it). The same flood already doubles the p99 of no flood in this bare object, on 2 cores shared with the flooders: the admission benchmark's 2x bound leaves the writes nothing.`,
    samples,
    entries,
  };
}
