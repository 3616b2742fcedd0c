/**
 * The network's server for the NAT matrix, run inside the lab's `wan` namespace: workerd on
 * the segment's address, with the lab's TURN server and its STUN service. Prints the URL on
 * one line, then serves until its standard input closes.
 *
 * Usage: `deno run -A scripts/nat/serve.ts <address> <turn address> <turn secret> [limits]`
 * (`limits`: JSON of limit overrides, as `LIMIT_OVERRIDES`)
 *
 * @module
 */
import { startNetwork } from "../local_network.ts";

const [host, turn, secret, limits] = Deno.args;
const net = await startNetwork({
  shards: 2,
  host,
  limits: limits ? JSON.parse(limits) : undefined,
  vars: {
    TURN_SECRET: secret,
    // TCP first: a stack that takes one TURN server (werift) then reaches it where UDP is
    // blocked too.
    TURN_URLS: Deno.env.get("NAT_TURN_URLS") ??
      `turn:${turn}:3478?transport=tcp,turn:${turn}:3478?transport=udp`,
    ICE_SERVERS: JSON.stringify([{ urls: [`stun:${turn}:3478`] }]),
  },
  logs: () => {},
});
console.log(net.url);
for await (const _ of Deno.stdin.readable) { /* until the driver goes */ }
await net.dispose();
