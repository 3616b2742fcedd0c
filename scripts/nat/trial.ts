/**
 * One trial of the NAT matrix: two peers, each in its lab host, stream numbered messages to
 * each other through the network; the trial records whether and how fast the pair leaves the
 * relay, over which route, and whether it comes back after one side's path is lost (UDP cut
 * and its NAT's mappings dropped) and given back, with every message delivered once, in order.
 *
 * @module
 */
import { ROOT } from "../local_network.ts";
import { turnServerArgs } from "../turn_server.ts";
import { type Lab, type LabHost, SERVER_ADDRESS, TURN_ADDRESS } from "./lab.ts";

/** What an agent reports. */
export interface AgentStatus {
  sent: number;
  received: number;
  doubled: number;
  skipped: number;
  via: Record<string, number>;
  route: "direct" | "turn" | "relay";
  /** The codes of the `error` events its peer heard (a refused route report, say). */
  errors?: string[];
}

/**
 * A process in a namespace, spoken to in JSON lines.
 *
 * @example Usage
 * ```ts
 * import { NsProcess } from "./trial.ts";
 * export async function ask(ns: string) {
 *   const agent = new NsProcess(ns, ["deno", "run", "-A", "scripts/nat/agent.ts", "ws://203.0.113.1:8787", "test"]);
 *   const ready = JSON.parse(await agent.line()).ready;
 *   await agent.tell({ op: "quit" });
 *   await agent.stop();
 *   return ready;
 * }
 * ```
 */
export class NsProcess {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  /** What it wrote to its standard error, for a failure's message. */
  stderr = "";

  /**
   * Starts a program in a namespace.
   *
   * @param ns The namespace.
   * @param argv The program and its arguments.
   * @param cwd Where it runs. @default the repository's root
   */
  constructor(ns: string, argv: string[], cwd = ROOT) {
    const child = new Deno.Command("ip", {
      args: ["netns", "exec", ns, ...argv],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      cwd,
    }).spawn();
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = lines(child.stdout)[Symbol.asyncIterator]();
    const debug = Deno.env.get("NAT_DEBUG");
    void (async () => {
      for await (const text of decoded(child.stderr)) {
        this.stderr = (this.stderr + text).slice(-2000);
        // Everything it printed, kept in a file per namespace when asked (`DEBUG=werift*`).
        if (debug) Deno.writeTextFileSync(`${debug}.${ns}`, text, { append: true });
      }
    })();
  }

  /** The next line it prints (fails after `timeoutMs`, or if it ended). */
  async line(timeoutMs = 30_000): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer in ${timeoutMs} ms: ${this.stderr.slice(-800)}`)),
        timeoutMs,
      );
    });
    try {
      const next = await Promise.race([this.#lines.next(), late]);
      if (next.done) throw new Error(`ended: ${this.stderr.slice(-500)}`);
      return next.value;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Writes one line of JSON. */
  async tell(command: unknown): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
  }

  /** Closes its input and waits for it to end (killed after 5 s). */
  async stop(): Promise<void> {
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), 5_000);
    await this.#child.status;
    clearTimeout(timer);
  }
}

function decoded(stream: ReadableStream<Uint8Array>): ReadableStream<string> {
  return stream.pipeThrough(
    new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
  );
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  for await (const chunk of decoded(stream)) {
    buffer += chunk;
    let end;
    while ((end = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
    }
  }
}

/** The server and TURN server of a lab, running. */
export interface LabServices {
  /** The network's WebSocket URL. */
  url: string;
  /** Stops both. */
  stop(): Promise<void>;
}

/** The secret the lab's TURN server shares with the network. */
const TURN_SECRET = "nat-matrix-turn-secret";

/**
 * Starts coturn in the lab's TURN namespace and the network's server in its `wan` namespace.
 *
 * @example Usage
 * ```ts
 * import { buildLab } from "./lab.ts";
 * import { startServices } from "./trial.ts";
 * export async function up() {
 *   const lab = await buildLab(["public", "symmetric"]);
 *   return { lab, services: await startServices(lab) };
 * }
 * ```
 *
 * @param lab The lab.
 * @returns The URL and a stop.
 */
export async function startServices(
  lab: Lab,
  limits: Record<string, number> = {},
): Promise<LabServices> {
  const dir = await Deno.makeTempDir({ prefix: "superpeer-nat-" });
  const turn = new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      lab.turn,
      "turnserver",
      ...turnServerArgs({
        address: TURN_ADDRESS,
        port: 3478,
        secret: TURN_SECRET,
        dir,
        logFile: Deno.env.get("NAT_TURN_LOG"),
      }),
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const server = new NsProcess(lab.wan, [
    ...denoScript("serve"),
    SERVER_ADDRESS,
    TURN_ADDRESS,
    TURN_SECRET,
    JSON.stringify(limits),
  ]);
  const stop = async () => {
    await server.stop();
    turn.kill("SIGTERM");
    await turn.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  let url: string;
  try {
    url = (await server.line(120_000)).replace("http:", "ws:");
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}

/** The outcome of one trial. */
export interface TrialResult {
  /** The route the pair settled on (`relay` if no channel opened in time). */
  route: "direct" | "turn" | "relay";
  /** From the first message to both sides on that route, in ms (the relay: 0). */
  connectMs: number;
  /** After the path change: whether the pair fell back to the relay, then left it again. */
  recovered?: {
    /** Whether both sides were back on the relay, and how long after the cut, in ms. */
    fellBack: boolean;
    fellBackMs: number;
    /** The route after the path came back, and how long that took, in ms. */
    route: "direct" | "turn" | "relay";
    ms: number;
  };
  /**
   * With `leaves`: whether both sides ended on the relay (there, and still there three seconds
   * later), and after how long they came to it for good.
   */
  left?: { ok: boolean; ms: number };
  /** Messages sent both ways, and whether every one arrived once, in order. */
  sent: number;
  intact: boolean;
  /** Each side's last status. */
  sides: [AgentStatus, AgentStatus];
}

/**
 * Which client a side runs: a Deno peer (werift), one on the native binding (`native`), a page
 * in headless Chromium, or a Node program on the npm package, on werift (`node`,
 * `superpeer/werift`) or on the native binding (`node-native`, `superpeer/native`); see
 * {@linkcode TrialOptions.nodeProject}.
 */
export type AgentKind = "deno" | "native" | "chromium" | "node" | "node-native";

function denoScript(name: string): string[] {
  return [Deno.execPath(), "run", "-A", `${ROOT}scripts/nat/${name}.ts`];
}

/** Options of {@linkcode runTrial}. */
export interface TrialOptions {
  /** The client on each side. @default ["deno", "deno"] */
  agents?: [AgentKind, AgentKind];
  /** The client bundle a page loads, made once (`bundleClient("iife")`). @default made anew */
  bundleFile?: string;
  /**
   * For a `node` side: a project with the npm package and werift (and for `node-native`, the
   * native binding) installed, and `node_agent.mjs`.
   */
  nodeProject?: string;
  /** How long the pair may take to leave the relay. @default 20000 */
  connectMs?: number;
  /** Cut the first host's path once connected, then give it back. @default true */
  pathChange?: boolean;
  /** How long a lost path may take to be noticed, and a new one to be found. @default 30000 */
  changeMs?: number;
  /**
   * Instead of a path change, wait up to this long for the pair to leave its channel on its
   * own (a peer's TURN quota used up, say): `left` says whether it did.
   */
  leaves?: number;
}

const MESSAGE_EVERY_MS = 25;
const HOLD_MS = 1_000;

/**
 * Runs one trial between two hosts of a running lab.
 *
 * @example Usage
 * ```ts
 * import { buildLab } from "./lab.ts";
 * import { runTrial, startServices } from "./trial.ts";
 * export async function symmetricPair() {
 *   const lab = await buildLab(["symmetric", "symmetric"]);
 *   const services = await startServices(lab);
 *   try {
 *     return await runTrial(lab, services, [lab.hosts[0], lab.hosts[1]], { agents: ["chromium", "chromium"] });
 *   } finally {
 *     await services.stop();
 *     await lab.dispose();
 *   }
 * }
 * ```
 *
 * @param lab The lab.
 * @param services Its running services.
 * @param hosts The two hosts.
 * @param options Times and whether to change the path.
 * @returns What happened.
 */
export async function runTrial(
  lab: Lab,
  services: LabServices,
  hosts: [LabHost, LabHost],
  options: TrialOptions = {},
): Promise<TrialResult> {
  const kinds = options.agents ?? ["deno", "deno"];
  const onNode = (k: AgentKind) => k === "node" || k === "node-native";
  if (kinds.some(onNode) && !options.nodeProject) throw new Error("node needs nodeProject");
  const agents = hosts.map((h, i) => {
    const args = [services.url, "test"];
    if (onNode(kinds[i])) {
      const stack = kinds[i] === "node" ? "werift" : "native";
      return new NsProcess(h.ns, ["node", "node_agent.mjs", ...args, stack], options.nodeProject);
    }
    if (kinds[i] === "deno") return new NsProcess(h.ns, [...denoScript("agent"), ...args]);
    if (kinds[i] === "native") {
      return new NsProcess(h.ns, [...denoScript("agent"), ...args, "native"]);
    }
    const bundle = options.bundleFile ? [options.bundleFile] : [];
    return new NsProcess(h.ns, [...denoScript("browser_agent"), ...args, ...bundle]);
  });
  // What the trial changed in the lab, undone whatever happens: hosts serve the next trial.
  let moved = false;
  let cut = false;
  try {
    const ids = await Promise.all(agents.map(async (a) => JSON.parse(await a.line(60_000)).ready));
    await agents[0].tell({ op: "remote", id: ids[1] });
    await agents[1].tell({ op: "remote", id: ids[0] });
    const status = async () =>
      await Promise.all(agents.map(async (a) => {
        await a.tell({ op: "status" });
        return JSON.parse(await a.line()) as AgentStatus;
      })) as [AgentStatus, AgentStatus];
    /**
     * Polls until both sides name one route that passes `ok` (WebRTC may first select a
     * relayed pair, then a better one: both must agree), or the time is up.
     */
    const settle = async (ok: (r: string) => boolean, ms: number) => {
      const start = performance.now();
      const agreed = (s: AgentStatus[]) => s[0].route === s[1].route && ok(s[0].route);
      let last = await status();
      while (!agreed(last) && performance.now() - start < ms) {
        await new Promise((r) => setTimeout(r, 100));
        last = await status();
      }
      return { ms: Math.round(performance.now() - start), ok: agreed(last) };
    };
    /** After a second on it (each side then has messages that came by it): the route held. */
    const held = async () => {
      await new Promise((r) => setTimeout(r, HOLD_MS));
      const [a, b] = await status();
      return a.route === b.route ? a.route : "relay";
    };
    for (const a of agents) await a.tell({ op: "stream", everyMs: MESSAGE_EVERY_MS });
    const connected = await settle((r) => r !== "relay", options.connectMs ?? 20_000);
    const result: Partial<TrialResult> = {
      route: connected.ok ? await held() : "relay",
      connectMs: connected.ok ? connected.ms : 0,
    };
    if (connected.ok && options.leaves !== undefined) {
      // Until both sides are on the relay and still there three seconds later (a pair may
      // first find another way through TURN, which the other side pays for), or the time is up.
      const start = performance.now();
      result.left = { ok: false, ms: 0 };
      while (performance.now() - start < options.leaves) {
        const left = await settle(
          (r) => r === "relay",
          options.leaves - (performance.now() - start),
        );
        if (!left.ok) break;
        const at = Math.round(performance.now() - start);
        await new Promise((r) => setTimeout(r, 3 * HOLD_MS));
        if ((await status()).every((s) => s.route === "relay")) {
          result.left = { ok: true, ms: at };
          break;
        }
      }
    } else if (connected.ok && options.pathChange !== false) {
      const changeMs = options.changeMs ?? 30_000;
      cut = (await lab.cutUdp(hosts[0], true), true);
      // Behind a NAT, its mappings go too (a public host has none: its UDP is cut alone).
      if (hosts[0].router) moved = (await lab.readdress(hosts[0]), true);
      const fell = await settle((r) => r === "relay", changeMs);
      cut = (await lab.cutUdp(hosts[0], false), false);
      const back = await settle((r) => r !== "relay", changeMs);
      result.recovered = {
        fellBack: fell.ok,
        fellBackMs: fell.ms,
        route: back.ok ? await held() : "relay",
        ms: back.ms,
      };
    }
    for (const a of agents) await a.tell({ op: "stop" });
    // What is in flight lands (or is sent again by the relay after a loss).
    let last = await status();
    for (let t = 0; t < 100 && !drained(last); t++) {
      await new Promise((r) => setTimeout(r, 100));
      last = await status();
    }
    const intact = drained(last) && last.every((s) => s.doubled === 0 && s.skipped === 0);
    return {
      ...result,
      sent: last[0].sent + last[1].sent,
      intact,
      sides: last,
    } as TrialResult;
  } finally {
    for (const a of agents) {
      await a.tell({ op: "quit" }).catch(() => {});
      await a.stop();
    }
    if (cut) await lab.cutUdp(hosts[0], false);
    if (moved) await lab.readdress(hosts[0]);
  }
}

function drained([a, b]: [AgentStatus, AgentStatus]): boolean {
  return a.received === b.sent && b.received === a.sent;
}
