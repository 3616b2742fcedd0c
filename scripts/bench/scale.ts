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
import { freePort, startNetwork } from "../local_network.ts";
import { bareObjectOptions } from "./bare_object.ts";
import { type SectionResult, UNTHROTTLED } from "./common.ts";
import { openLiveHeap } from "./live_heap.ts";
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

/** What one system costs per socket. */
interface Measured {
  /** Resident memory per socket, sockets open. */
  perSocket: number;
  /** Resident memory per socket still held once every socket has closed. */
  afterClose: number;
  /** Live JavaScript heap per socket, sockets open. */
  live: number;
  /** One broadcast to every socket, ms. */
  broadcast: number;
}

/** One system measured: memory per socket and the broadcast time. */
async function measure(
  pid: number,
  inspectorPort: number,
  url: () => Promise<string>,
  subscribe: ((ws: WebSocket) => void) | undefined,
  ready: ((text: string) => boolean) | undefined,
  message: string | undefined,
): Promise<Measured> {
  const heap = await openLiveHeap(inspectorPort);
  try {
    const warm = await openSockets(WARM, url, subscribe, ready);
    await sleep(2_000);
    const before = await rssBytes(pid);
    let sockets = await openSockets(SOCKETS, url, subscribe, ready);
    await sleep(IDLE_MS);
    const after = await rssBytes(pid);
    for (const ws of sockets) ws.close();
    await sleep(IDLE_MS);
    const closed = await rssBytes(pid);
    // The heap is read after every resident figure, since a snapshot allocates as it is
    // written out: with the sockets closed, then with as many open again.
    const liveClosed = await heap.bytes();
    sockets = await openSockets(SOCKETS, url, subscribe, ready);
    await sleep(IDLE_MS);
    const live = (await heap.bytes() - liveClosed) / SOCKETS;
    const [sender] = await openSockets(1, url);
    const broadcast = message === undefined
      ? NaN
      : await broadcastMs(sender, [...warm, ...sockets], message);
    for (const ws of [...warm, ...sockets, sender]) ws.close();
    return {
      perSocket: (after - before) / SOCKETS,
      afterClose: (closed - before) / SOCKETS,
      live,
      broadcast,
    };
  } finally {
    heap.close();
  }
}

const ENTRIES: SectionResult["entries"] = [
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
    name: "scale.sockets_after_close",
    unit: "bytes/socket",
    what: "of the peers' resident memory, what is still held once all of them have closed",
    baseline: "scale.sockets_bare_do_after_close",
  },
  {
    name: "scale.sockets_bare_do_after_close",
    unit: "bytes/socket",
    what: "the same for the bare object's sockets",
    baseline: null,
  },
  {
    name: "scale.live_heap",
    unit: "bytes/socket",
    what: "live JavaScript heap per connected, subscribed peer (after a full collection)",
    baseline: "scale.live_heap_bare_do",
  },
  {
    name: "scale.live_heap_bare_do",
    unit: "bytes/socket",
    what: "live JavaScript heap per socket, bare Durable Object",
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
];

const METHOD = [
  `${SOCKETS} peers connect to one local workerd (${SHARDS} shards), each with its own signed`,
  `hello, and subscribe to one topic; after ${IDLE_MS / 1000} s idle, the growth of the workerd`,
  `process's resident memory (VmRSS) since ${WARM} peers were connected, divided by ${SOCKETS},`,
  "is the cost of a socket (everything: the runtime's socket, the hibernatable WebSocket, the",
  "subscription). The sockets then close, and after as long again what is still resident is",
  "read (`_after_close`). Then the live JavaScript heap, read over workerd's inspector as the",
  "objects a heap snapshot finds reachable after a full collection: with the sockets closed,",
  `then with ${SOCKETS} open again; the difference per socket is \`scale.live_heap\`. Last, one`,
  "publish on the topic: the time until every socket has it. The same is measured for a bare",
  "Durable Object that accepts hibernatable sockets and sends each message to all of them, and,",
  "as the floor, for a Worker that accepts the sockets itself with no object at all. One round:",
  "single measurements. The peers send no keepalive meanwhile, so the presence timeout is",
  "raised. Target: at most 4,096 bytes per socket more than the bare object. Where the bytes",
  "go: what a peer holds in the JavaScript heap is about 0.6 KB more than a bare socket (the",
  "session's attachment, its rate limiter, its entry in the topic). The heap V8 has committed",
  "grows more, 4-8 KB a peer against 2 KB a bare socket: garbage of the connection's work that",
  "no full collection has reclaimed yet (workerd's inspector does not answer a request to",
  "collect, and a heap snapshot, which collects, allocates more than it frees). The rest is",
  "native memory of the runtime. Measured part by part with builds that leave one part out,",
  "8,000 peers, two or three runs each (noise about 2 KB): a peer's first frame handled in",
  "JavaScript about 4 KB (a bare object's echo of one frame 1 KB), its admission and parsing",
  "about 1 KB of that; the subscription itself about 1 KB; the edge's call to the address gate",
  "about 3 KB, the same when the peer's home makes the call instead of the edge (so the edge's",
  "request, which lives as long as its socket, is not what holds it); the nonce row, the",
  "socket's tag and the limits in the welcome each within the noise; a ping and its pong cost",
  "a bare socket 0.7 KB. Measured earlier with 5,000 peers: 3 KB with the hello check, 3 KB",
  "with presence. About 10 KB of the gap is given back when the sockets close (the bare object",
  "gives back nothing: a resident figure is partly the allocator's high-water mark). No one",
  "part holds the gap: meeting the target would take accepting a connection without the checks",
  "that keep a network open to the internet safe (the address gate, the hello check, presence,",
  "admission). They stay.",
].join(" ");

/**
 * Runs the scale section (one round: it is long).
 *
 * @returns The samples.
 */
export async function scaleBench(): Promise<SectionResult> {
  const samples: Record<string, number[]> = {};
  const keep = (prefix: string, m: Measured) => {
    samples[prefix] = [m.perSocket];
    samples[`${prefix}_after_close`] = [m.afterClose];
    samples[prefix.replace("sockets", "live_heap")] = [m.live];
    console.log(
      `${prefix}: ${Math.round(m.perSocket)} bytes/socket, ${
        Math.round(m.afterClose)
      } still held after close, live heap ${Math.round(m.live)}, broadcast ${
        Math.round(m.broadcast)
      } ms`,
    );
  };
  let pids = await workerdPids();
  let inspectorPort = freePort();
  const net = await startNetwork({
    shards: SHARDS,
    network: "bench",
    // Idle sockets send no keepalive here: the presence sweep must not close them meanwhile.
    limits: { ...UNTHROTTLED, PRESENCE_TIMEOUT_MS: 3_600_000 },
    inspectorPort,
  });
  try {
    const pid = await startedPid(pids);
    const url = net.url.replace("http:", "ws:");
    const ours = await measure(
      pid,
      inspectorPort,
      async () => connectUrl(url, await signHello(await Identity.generate(), "bench", url)),
      (ws) => ws.send(JSON.stringify({ t: "sub", id: 1, topic: "all" })),
      (text) => text.includes("sub.result"),
      JSON.stringify({ t: "pub", id: 1, topic: "all", n: 1, data: "to everyone" }),
    );
    keep("scale.sockets", ours);
    samples["scale.broadcast_ms"] = [ours.broadcast];
  } finally {
    await net.dispose();
  }
  const bareOptions = () => ({
    ...bareObjectOptions("bare_broadcast.js", "BARE", "BareBroadcast"),
    inspectorPort: inspectorPort = freePort(),
  });
  pids = await workerdPids();
  const bare = new Miniflare(bareOptions());
  try {
    const bareUrl = (await bare.ready).toString().replace(/^http/, "ws");
    const pid = await startedPid(pids);
    const theirs = await measure(
      pid,
      inspectorPort,
      () => Promise.resolve(bareUrl),
      undefined,
      undefined,
      JSON.stringify({ t: "topic", topic: "all", from: "x".repeat(47), n: 1, data: "to everyone" }),
    );
    keep("scale.sockets_bare_do", theirs);
    samples["scale.broadcast_bare_do_ms"] = [theirs.broadcast];
  } finally {
    await bare.dispose();
  }
  // The floor in a fresh process of its own, so the bare object's sockets are not in it.
  pids = await workerdPids();
  const floor = new Miniflare(bareOptions());
  try {
    const floorUrl = new URL("/floor", await floor.ready).toString().replace(/^http/, "ws");
    const pid = await startedPid(pids);
    keep(
      "scale.sockets_floor",
      await measure(
        pid,
        inspectorPort,
        () => Promise.resolve(floorUrl),
        undefined,
        undefined,
        undefined,
      ),
    );
  } finally {
    await floor.dispose();
  }
  return {
    title: "Sockets at scale",
    method: METHOD,
    samples,
    entries: ENTRIES,
  };
}
