/**
 * One peer of the NAT matrix, run inside a lab host's namespace: a `Peer` with direct channels
 * on werift (or the native binding), driven by JSON lines on its standard input (`agent_loop.ts`).
 *
 * Commands: `{"op":"remote","id"}` names the other peer; `{"op":"stream","everyMs"}` sends it a
 * numbered message every `everyMs` until `{"op":"stop"}`; `{"op":"status"}` answers with what
 * was sent and received (in order, doubled, missing) and the pair's route now; `{"op":"quit"}`.
 *
 * Usage: `deno run -A scripts/nat/agent.ts <ws url> <network id> [native]` (`native`: on the
 * native WebRTC binding, `native_transport.ts`, rather than werift)
 *
 * @module
 */
import { Identity, Peer, type PeerMessage } from "../../mod.ts";
import { weriftTransport } from "../../src/client/direct/werift_transport.ts";
import { nativeTransport } from "../../src/client/direct/native_transport.ts";
import { serveCommands, Tally } from "./agent_loop.ts";

const [url, network, stack] = Deno.args;
const native = stack === "native" ? await nativeTransport() : undefined;
if (stack === "native" && !native) throw new Error("the native WebRTC binding did not load");
const peer = new Peer({
  url,
  network,
  identity: await Identity.generate(),
  reconnect: { minDelayMs: 100, maxDelayMs: 1_000 },
  direct: { transport: native ?? weriftTransport(), threshold: 4, retryMs: 1_000 },
});
await peer.connect();
const tally = new Tally();
peer.addEventListener("message", (e) => {
  const m = (e as CustomEvent<PeerMessage>).detail;
  tally.take(String(m.data), m.via);
});
const errors: string[] = [];
peer.addEventListener(
  "error",
  (e) => errors.push((e as CustomEvent<{ code: string }>).detail.code),
);
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
    errors,
  }),
  quit: async () => {
    clearInterval(timer);
    await peer.close();
    Deno.exit(0);
  },
});
