/**
 * One peer of the NAT matrix, run inside a lab host's namespace: a `Peer` with direct channels
 * on werift, driven by JSON lines on its standard input (`agent_loop.ts`).
 *
 * Commands: `{"op":"remote","id"}` names the other peer; `{"op":"stream","everyMs"}` sends it a
 * numbered message every `everyMs` until `{"op":"stop"}`; `{"op":"status"}` answers with what
 * was sent and received (in order, doubled, missing) and the pair's route now; `{"op":"quit"}`.
 *
 * Usage: `deno run -A scripts/nat/agent.ts <ws url> <network id>`
 *
 * @module
 */
import { Identity, Peer, type PeerMessage } from "../../mod.ts";
import { weriftTransport } from "../../src/client/direct/werift_transport.ts";
import { serveCommands, Tally } from "./agent_loop.ts";

const [url, network] = Deno.args;
const peer = new Peer({
  url,
  network,
  identity: await Identity.generate(),
  reconnect: { minDelayMs: 100, maxDelayMs: 1_000 },
  direct: { transport: weriftTransport(), threshold: 4, retryMs: 1_000 },
});
await peer.connect();
const tally = new Tally();
peer.addEventListener("message", (e) => {
  const m = (e as CustomEvent<PeerMessage>).detail;
  tally.take(String(m.data), m.via);
});
let remote = "";
let sent = 0;
let timer: ReturnType<typeof setInterval> | undefined;
await serveCommands(peer.peerId, {
  remote: (id) => void (remote = id),
  stream: (everyMs) => void (timer = setInterval(() => peer.send(remote, String(sent++)), everyMs)),
  stop: () => clearInterval(timer),
  status: async () => ({
    sent,
    received: tally.next,
    doubled: tally.doubled,
    skipped: tally.skipped,
    via: tally.via,
    route: await peer.route(remote),
  }),
  quit: async () => {
    clearInterval(timer);
    await peer.close();
    Deno.exit(0);
  },
});
