/**
 * One side of a trial (`trial.ts`) as an application outside this repository would be: a Node
 * program on the npm package, with direct channels on werift (`superpeer/werift`) or on the
 * transport chosen at run time (`superpeer/native`: the native binding where it loads). Its
 * source is written as `node_agent.mjs` into a project where they are installed (it resolves
 * `superpeer` there, not here); the same commands as `agent.ts`, as JSON lines.
 *
 * @module
 */

/**
 * The program's source. Usage, in the project:
 * `node node_agent.mjs <ws url> <network id> [werift|native]` (werift by default).
 *
 * @example Usage
 * ```ts
 * import { NODE_AGENT } from "./node_agent.ts";
 * console.assert(NODE_AGENT.includes('from "superpeer/werift"'));
 * ```
 */
export const NODE_AGENT = `import { createInterface } from "node:readline";
import { Identity, Peer } from "superpeer";
import { weriftTransport } from "superpeer/werift";
import { directTransport } from "superpeer/native";

const [url, network, stack = "werift"] = process.argv.slice(2);
const transport = stack === "native" ? await directTransport() : weriftTransport();
if (stack === "native" && transport?.implementation !== "native") {
  console.error(\`native WebRTC did not load: \${transport?.implementation ?? "nothing"} did\`);
  process.exit(1);
}
const peer = new Peer({
  url,
  network,
  identity: await Identity.generate(),
  reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
  direct: { transport, threshold: 4, retryMs: 1000 },
});
await peer.connect();
const state = { remote: "", sent: 0, next: 0, doubled: 0, skipped: 0, via: {} };
peer.on("message", (m) => {
  const n = Number(m.data);
  state.via[m.via] = (state.via[m.via] ?? 0) + 1;
  if (n === state.next) state.next++;
  else if (n < state.next) state.doubled++;
  else (state.skipped += n - state.next, state.next = n + 1);
});
let timer;
console.log(JSON.stringify({ ready: peer.peerId }));
for await (const line of createInterface({ input: process.stdin })) {
  const c = JSON.parse(line);
  if (c.op === "remote") state.remote = c.id;
  else if (c.op === "stream") {
    timer = setInterval(() => peer.send(state.remote, String(state.sent++)), c.everyMs);
  } else if (c.op === "stop") clearInterval(timer);
  else if (c.op === "status") {
    const { sent, next: received, doubled, skipped, via } = state;
    const route = await peer.route(state.remote);
    console.log(JSON.stringify({ sent, received, doubled, skipped, via, route }));
  } else if (c.op === "quit") break;
}
clearInterval(timer);
await peer.close();
process.exit(0);
`;
