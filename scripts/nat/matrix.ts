/**
 * The NAT matrix: every pair of NAT kinds (`nat_kinds.ts`), each side behind its own router in
 * the lab (`lab.ts`), with a real TURN server (coturn) and the network on workerd; for each
 * pair and each client (Deno on werift, Chromium), whether the pair leaves the relay, by which
 * route, how fast, and whether it comes back after one side's path is lost, with every message
 * delivered once and in order. Writes `docs/NAT.md`.
 *
 * Usage: `deno task nat [--clients deno,native,chromium] [--kinds public,symmetric,…] [--out file]`
 * (`deno,chromium` by default)
 * (as root: it makes network namespaces).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { bundleClient, ROOT } from "../local_network.ts";
import { ensureTools, TOOLS } from "../system_tools.ts";
import { buildLab } from "./lab.ts";
import { NAT_KINDS, type NatKind } from "./nat_kinds.ts";
import { type AgentKind, runTrial, startServices, type TrialResult } from "./trial.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "deno,chromium" },
    kinds: { type: "string", default: NAT_KINDS.join(",") },
    out: { type: "string", default: `${ROOT}docs/NAT.md` },
  },
});
const clients = values.clients.split(",") as AgentKind[];
const kinds = values.kinds.split(",") as NatKind[];
const wrong = (what: string, all: readonly string[]) => {
  console.error(`unknown ${what}; choose among: ${all.join(", ")}`);
  Deno.exit(2);
};
for (const k of kinds) if (!NAT_KINDS.includes(k)) wrong(`NAT kind "${k}"`, NAT_KINDS);
const CLIENTS = ["deno", "native", "chromium"];
for (const c of clients) if (!CLIENTS.includes(c)) wrong(`client "${c}"`, CLIENTS);
if (Deno.uid?.() !== 0) {
  console.error("the NAT matrix makes network namespaces: run it as root");
  Deno.exit(1);
}
await ensureTools([TOOLS.ip, TOOLS.nft, TOOLS.conntrack, TOOLS.turnserver, TOOLS.chromium]);

/** One row of the results. */
interface Row {
  client: AgentKind;
  a: NatKind;
  b: NatKind;
  result?: TrialResult;
  error?: string;
}

// Side a's hosts first, then side b's: a pair of one kind is two routers, not one.
const bundleFile = await Deno.makeTempFile({ suffix: ".js" });
await Deno.writeTextFile(bundleFile, await bundleClient("iife"));
const lab = await buildLab([...kinds, ...kinds]);
const rows: Row[] = [];
const started = Date.now();
// Interrupted, the lab is taken down all the same (its namespaces would outlive the task).
const interrupted = () => lab.dispose().finally(() => Deno.exit(130));
Deno.addSignalListener("SIGINT", interrupted);
Deno.addSignalListener("SIGTERM", interrupted);
try {
  const services = await startServices(lab);
  try {
    for (const client of clients) {
      for (const [i, a] of kinds.entries()) {
        for (const [j, b] of kinds.entries()) {
          if (j < i) continue;
          const row: Row = { client, a, b };
          try {
            row.result = await runTrial(
              lab,
              services,
              [lab.hosts[i], lab.hosts[kinds.length + j]],
              {
                agents: [client, client],
                bundleFile,
              },
            );
          } catch (error) {
            row.error = String(error).split("\n")[0].slice(0, 200);
          }
          rows.push(row);
          console.log(`${client} ${a} × ${b}: ${cell(row)}`);
        }
      }
    }
  } finally {
    await services.stop();
  }
} finally {
  await lab.dispose();
  await Deno.remove(bundleFile).catch(() => {});
}
await Deno.writeTextFile(values.out, report(rows, Math.round((Date.now() - started) / 1000)));
// Formatted as every document of the repository is.
await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", values.out] }).output();
console.log(`wrote ${values.out}`);
const lost = rows.filter((r) => !r.result?.intact);
if (lost.length > 0) {
  console.error(`${lost.length} pair(s) lost or doubled a message, or failed: see the report`);
  Deno.exit(1);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A matrix cell: the route and the time to it. */
function cell(row: Row): string {
  const r = row.result;
  if (!r) return `error: ${row.error}`;
  const main = r.route === "relay" ? "relay" : `${r.route} ${seconds(r.connectMs)}`;
  return r.intact ? main : `${main}, messages NOT intact`;
}

/** After the path change: fell back in, came back to. */
function change(r: TrialResult): string {
  const c = r.recovered;
  if (!c) return "—";
  const fell = c.fellBack ? `relay after ${seconds(c.fellBackMs)}` : "did not fall back";
  const back = c.route === "relay"
    ? "stayed on the relay"
    : `${c.route} again ${seconds(c.ms)} later`;
  return `${fell}, ${back}`;
}

function report(rows: Row[], seconds: number): string {
  const out: string[] = [
    "# The NAT matrix",
    "",
    "Written by `deno task nat` (as root) on this machine; do not edit by hand. What a pair of",
    "peers gets when each is behind a NAT of a kind: whether it leaves the network's relay for a",
    "direct channel, by which route, how long that takes from its first message, and what",
    "happens when one side's path is lost and comes back. Whatever no channel carries, the",
    "network's relay does: a pair always reaches the other side.",
    "",
    "## How it runs",
    "",
    "- **The lab** (`scripts/nat/lab.ts`): network namespaces on one machine, made by the task and",
    '  removed after it. An "internet" segment 203.0.113.0/24 holds the network\'s server (workerd,',
    "  `.1`) and a TURN server (Debian's coturn, `.3`, STUN and TURN on port 3478, UDP and TCP,",
    "  credentials per peer as the network mints them). Each peer is in a namespace of its own",
    "  behind a router namespace with the NAT rules of its kind (nftables), or on the segment",
    "  (`public`). Nothing leaves the machine.",
    "- **The kinds** (`scripts/nat/nat_kinds.ts`, RFC 4787's terms): `public` (no NAT);",
    "  `full-cone` (endpoint-independent mapping and filtering); `restricted` (endpoint-independent",
    "  mapping, address-dependent filtering); `port-restricted` (endpoint-independent mapping,",
    "  address and port-dependent filtering: Linux's masquerade); `symmetric` (address and",
    "  port-dependent mapping: a new outside port per destination); `no-udp` (UDP dropped, TCP",
    "  only).",
    "- **A trial** (`scripts/nat/trial.ts`): two peers, each sending the other a numbered message",
    "  every 25 ms. *Route* is what both sides' WebRTC statistics say of the selected candidate",
    "  pair: `direct` (host, server-reflexive or peer-reflexive candidates on both ends: straight",
    "  through the NATs), `turn` (one end's candidate is the TURN server's), or `relay` (no channel",
    "  opened in 20 s; the network's relay carries it all). The time runs from the first",
    "  message until both sides name that route, read every 0.1 s; an upgrade starts after 4",
    "  messages (100 ms). A pair that needed a second try after its first failed takes 15 s",
    "  (`DEFAULT_DIRECT_TIMEOUT_MS`) more.",
    "- **The path change**: once on a channel, the first side's UDP is cut both ways and, behind",
    "  a NAT, its router's outside address changes (a phone moving between networks: every",
    "  mapping is gone, and its connection to the network too, which it makes again).",
    "  The channel's keepalive (`DIRECT_SILENCE_MS`) notices, the pair falls back to the relay,",
    "  and once UDP is back the pair tries a channel again (a new ICE session: new candidates,",
    "  new credentials). Every message sent meanwhile must arrive once, in order.",
    "- **Clients**: `deno` is the Deno client on werift (`weriftTransport()`); `native` the Deno",
    "  client on the native binding of libwebrtc (`nativeTransport()`, `@roamhq/wrtc`); `chromium`",
    "  is a page in headless Chromium with the browser's own WebRTC (`browserTransport()`).",
    "",
  ];
  for (const client of new Set(rows.map((r) => r.client))) {
    const mine = rows.filter((r) => r.client === client);
    const ks = [...new Set(mine.flatMap((r) => [r.a, r.b]))];
    out.push(`## ${client}`, "");
    out.push(`| A \\ B | ${ks.map((k) => `\`${k}\``).join(" | ")} |`);
    out.push(`| --- | ${ks.map(() => "---").join(" | ")} |`);
    for (const a of ks) {
      const cells = ks.map((b) => {
        const row = mine.find((r) => (r.a === a && r.b === b) || (r.a === b && r.b === a));
        return row ? cell(row) : "";
      });
      out.push(`| \`${a}\` | ${cells.join(" | ")} |`);
    }
    out.push("", "| A | B | route | path lost, then back | messages | intact |");
    out.push("| --- | --- | --- | --- | ---: | --- |");
    for (const r of mine) {
      const res = r.result;
      out.push(
        `| \`${r.a}\` | \`${r.b}\` | ${cell(r)} | ${res ? change(res) : "—"} | ${
          res?.sent ?? 0
        } | ${res?.intact ? "yes" : "**no**"} |`,
      );
    }
    out.push("");
  }
  const total = rows.length;
  const direct = rows.filter((r) => r.result?.route === "direct").length;
  const turn = rows.filter((r) => r.result?.route === "turn").length;
  const intact = rows.filter((r) => r.result?.intact).length;
  out.push(
    "## Summary",
    "",
    `${total} pairs: ${direct} direct, ${turn} over TURN, ${
      total - direct - turn
    } on the relay; ${intact} of ${total} delivered every message once and in order. The run took ${seconds} s.`,
    "",
  );
  return out.join("\n");
}
