/**
 * Many sockets on one local workerd: 10,000 connected, idle peers subscribed to one topic.
 * What each socket costs in the workerd process's resident memory, and how long one publish
 * takes to reach all of them; beside a bare Durable Object holding as many sockets.
 *
 * @module
 */
import { Miniflare } from "miniflare";
import { Identity } from "../../src/identity/mod.ts";
import { connectUrl, signHello } from "../../src/protocol/mod.ts";
import { COMPATIBILITY_DATE, startNetwork } from "../local_network.ts";
import { type SectionResult, UNTHROTTLED } from "./common.ts";
import { openSockets } from "./sockets.ts";

const SOCKETS = Number(Deno.env.get("SCALE_SOCKETS") ?? 10_000);
const WARM = 100;
const SHARDS = 8;
/** Idle time before memory is read, for the objects to settle (and hibernate). */
const IDLE_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The workerd processes this process started. */
async function workerdPids(): Promise<Set<number>> {
  const pids = new Set<number>();
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^[0-9]+$/.test(entry.name)) continue;
    try {
      const stat = (await Deno.readTextFile(`/proc/${entry.name}/stat`)).trim();
      const [, comm, rest] = stat.match(/^\d+ \((.*)\) (.*)$/)!;
      const ppid = Number(rest.split(" ")[1]);
      if (comm === "workerd" && ppid === Deno.pid) pids.add(Number(entry.name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

async function rssBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/VmRSS:\s+(\d+) kB/)![1]) * 1024;
}

async function startedPid(before: Set<number>): Promise<number> {
  const pid = [...await workerdPids()].find((p) => !before.has(p));
  if (pid === undefined) throw new Error("Cannot find the workerd process");
  return pid;
}

/** Time from a broadcast until every socket has it. */
function broadcastMs(sender: WebSocket, sockets: WebSocket[], message: string): Promise<number> {
  let left = sockets.length;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Timed out: ${left} not reached`)), 120_000);
    const start = performance.now();
    for (const ws of sockets) {
      ws.onmessage = (e) => {
        if (typeof e.data !== "string" || e.data === "pong") return;
        ws.onmessage = null;
        if (--left > 0) return;
        clearTimeout(timer);
        resolve(performance.now() - start);
      };
    }
    sender.send(message);
  });
}

/** One system measured: memory per socket and the broadcast time. */
async function measure(
  pid: number,
  url: () => Promise<string>,
  subscribe: ((ws: WebSocket) => void) | undefined,
  ready: ((text: string) => boolean) | undefined,
  message: string | undefined,
): Promise<{ perSocket: number; broadcast: number }> {
  const warm = await openSockets(WARM, url, subscribe, ready);
  await sleep(2_000);
  const before = await rssBytes(pid);
  const sockets = await openSockets(SOCKETS, url, subscribe, ready);
  await sleep(IDLE_MS);
  const after = await rssBytes(pid);
  const [sender] = await openSockets(1, url);
  const broadcast = message === undefined
    ? NaN
    : await broadcastMs(sender, [...warm, ...sockets], message);
  for (const ws of [...warm, ...sockets, sender]) ws.close();
  return { perSocket: (after - before) / SOCKETS, broadcast };
}

/**
 * Runs the scale section (one round: it is long).
 *
 * @returns The samples.
 */
export async function scaleBench(): Promise<SectionResult> {
  const samples: Record<string, number[]> = {
    "scale.sockets": [],
    "scale.sockets_bare_do": [],
    "scale.broadcast_ms": [],
    "scale.broadcast_bare_do_ms": [],
    "scale.sockets_floor": [],
  };
  let pids = await workerdPids();
  const net = await startNetwork({
    shards: SHARDS,
    network: "bench",
    // Idle sockets send no keepalive here: the presence sweep must not close them meanwhile.
    limits: { ...UNTHROTTLED, PRESENCE_TIMEOUT_MS: 3_600_000 },
  });
  try {
    const pid = await startedPid(pids);
    const url = net.url.replace("http:", "ws:");
    const ours = await measure(
      pid,
      async () => connectUrl(url, await signHello(await Identity.generate(), "bench")),
      (ws) => ws.send(JSON.stringify({ t: "sub", id: 1, topic: "all" })),
      (text) => text.includes("sub.result"),
      JSON.stringify({ t: "pub", id: 1, topic: "all", n: 1, data: "to everyone" }),
    );
    samples["scale.sockets"].push(ours.perSocket);
    samples["scale.broadcast_ms"].push(ours.broadcast);
    console.log(
      `superpeer: ${Math.round(ours.perSocket)} bytes/socket, broadcast ${
        Math.round(ours.broadcast)
      } ms`,
    );
  } finally {
    await net.dispose();
  }
  pids = await workerdPids();
  const bareOptions = {
    host: "127.0.0.1",
    port: 0,
    modules: true,
    scriptPath: new URL("./bare_broadcast.js", import.meta.url).pathname,
    compatibilityDate: COMPATIBILITY_DATE,
    durableObjects: { BARE: { className: "BareBroadcast", useSQLite: true } },
  };
  const bare = new Miniflare(bareOptions);
  try {
    const bareUrl = (await bare.ready).toString().replace(/^http/, "ws");
    const pid = await startedPid(pids);
    const theirs = await measure(
      pid,
      () => Promise.resolve(bareUrl),
      undefined,
      undefined,
      JSON.stringify({ t: "topic", topic: "all", from: "x".repeat(47), n: 1, data: "to everyone" }),
    );
    samples["scale.sockets_bare_do"].push(theirs.perSocket);
    samples["scale.broadcast_bare_do_ms"].push(theirs.broadcast);
    console.log(
      `bare: ${Math.round(theirs.perSocket)} bytes/socket, broadcast ${
        Math.round(theirs.broadcast)
      } ms`,
    );
  } finally {
    await bare.dispose();
  }
  // The floor in a fresh process of its own, so the bare object's sockets are not in it.
  pids = await workerdPids();
  const floor = new Miniflare(bareOptions);
  try {
    const floorUrl = new URL("/floor", await floor.ready).toString().replace(/^http/, "ws");
    const pid = await startedPid(pids);
    const { perSocket } = await measure(
      pid,
      () => Promise.resolve(floorUrl),
      undefined,
      undefined,
      undefined,
    );
    samples["scale.sockets_floor"].push(perSocket);
    console.log(`floor: ${Math.round(perSocket)} bytes/socket`);
  } finally {
    await floor.dispose();
  }
  return {
    title: "Sockets at scale",
    method: [
      `${SOCKETS} peers connect to one local workerd (${SHARDS} shards), each with its own signed`,
      "hello, and subscribe to one topic; after",
      `${IDLE_MS / 1000} s idle, the growth of the workerd process's resident memory (VmRSS) since`,
      `${WARM} peers were connected, divided by ${SOCKETS}, is the cost of a socket (everything: the`,
      "runtime's socket, the hibernatable WebSocket, the subscription). Then one publish on the",
      "topic: the time until every socket has it. The same is measured for a bare Durable Object",
      "that accepts hibernatable sockets and sends each message to all of them, and, as the",
      "floor, for a Worker that accepts the sockets itself with no object at all: what the local",
      "runtime spends on a connected WebSocket before any code of ours or any object runs. One",
      "round: the figures are single measurements. The peers send no keepalive meanwhile, so",
      "the presence timeout is raised for this run. Target: at most 4,096 bytes per socket more",
      "than the bare object. Where the extra bytes go, measured once each with 5,000 peers (noise",
      "about 3 KB): 143 KB per socket as built, bare object 115 KB; the same without the",
      "subscription, with 1 shard instead of 8, and after 60 s idle instead of 15 s, so the bytes",
      "come with each connection, not with topics or shards and not as garbage yet to collect;",
      "about 4 KB go with the edge's call to the address gate, 3 KB with its hello check, 3 KB",
      "with presence, and the remaining 18 KB with the session's acceptance (tagged hibernatable",
      "socket, its attachment, the nonce row); a 9-byte welcome instead of the full one changed",
      "nothing.",
    ].join(" "),
    samples,
    entries: [
      {
        name: "scale.sockets",
        unit: "bytes/socket",
        what: `resident memory per connected, subscribed peer (${SOCKETS} peers)`,
        baseline: "scale.sockets_bare_do",
        target: "<= +4096 bytes",
      },
      {
        name: "scale.sockets_bare_do",
        unit: "bytes/socket",
        what: `resident memory per socket, bare Durable Object (${SOCKETS} sockets)`,
        baseline: null,
      },
      {
        name: "scale.broadcast_ms",
        unit: "ms",
        what: `one publish until all ${SOCKETS + WARM} subscribers have it`,
        baseline: "scale.broadcast_bare_do_ms",
      },
      {
        name: "scale.broadcast_bare_do_ms",
        unit: "ms",
        what: `one message until all ${SOCKETS + WARM} sockets of a bare object have it`,
        baseline: null,
      },
      {
        name: "scale.sockets_floor",
        unit: "bytes/socket",
        what: `resident memory per socket accepted by a Worker, no object (${SOCKETS} sockets)`,
        baseline: null,
      },
    ],
  };
}
