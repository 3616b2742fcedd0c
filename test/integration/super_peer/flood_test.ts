// Fairness under flood, on real workerd: one peer floods its home with each kind of frame,
// cheap and dear, text and binary, as fast as its socket goes; a bystander homed on the same
// shard connects and sends pings through the relay meanwhile. Admission keeps the flooder to
// its share, so the bystander's welcome and round trips stay within a bound. The figures are
// printed; the bound is wide because the machine is shared and slow, and the failure it
// guards against was tens of seconds.
import { Identity, type PeerMessage } from "../../../mod.ts";
import { encodeFrame, FRAME_SEND } from "../../../src/protocol/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, openBareSocket } from "../../support/peers.ts";
import { assert } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
/** The bound: a bystander's welcome and relay round trips under any single-peer flood. */
const BOUND_MS = 2_000;
const FLOOD_MS = 1_500;

function p99(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
}

Deno.test("flood: a bystander keeps service while one peer floods each kind", opts, async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const nobody = (await Identity.generate()).peerId;
    const forged = {
      network: "test",
      from: nobody,
      to: nobody,
      amount: "1",
      nonce: 1,
      sig: "A".repeat(86),
    };
    const floods: [string, (() => string | Uint8Array) | undefined][] = [
      ["junk text", () => "not json"],
      ["peers", () => JSON.stringify({ t: "peers", id: 1, count: 64 })],
      ["tx of 256 forged", () => JSON.stringify({ t: "tx", id: 1, txs: Array(256).fill(forged) })],
      ["mail", () => JSON.stringify({ t: "mail", id: 1, to: nobody, data: "x".repeat(1024) })],
      [
        "pub",
        () => JSON.stringify({ t: "pub", id: 1, topic: "t", n: Date.now() * 1000, data: "x" }),
      ],
      ["relay frames", () => encodeFrame(FRAME_SEND, nobody, 1, new Uint8Array(1024))],
    ];
    const figures: string[] = [];
    // Unloaded first, for reference.
    floods.unshift(["nothing (unloaded)", undefined]);
    for (const [kind, frame] of floods) {
      const flooder = await openBareSocket(net, await identityOnShard(0, 2), []);
      let sent = 0;
      const stop = Date.now() + FLOOD_MS;
      const pump = (async () => {
        while (Date.now() < stop) {
          if (frame) { for (let i = 0; i < 200; i++) flooder.send(frame()); }
          if (frame) sent += 200;
          await new Promise((r) => setTimeout(r, 0));
        }
      })();
      await new Promise((r) => setTimeout(r, 200)); // the flood is on
      const t0 = Date.now();
      const bystander = await connectPeer(net, { identity: await identityOnShard(0, 2) });
      const welcome = Date.now() - t0;
      const echo = await connectPeer(net, { identity: await identityOnShard(0, 2) });
      echo.addEventListener("message", (e) => {
        const m = (e as CustomEvent<PeerMessage>).detail;
        echo.send(m.from, m.data);
      });
      const rtts: number[] = [];
      const inbox = bystander.messages();
      for (let i = 0; i < 10; i++) {
        const start = Date.now();
        bystander.send(echo.peerId, `ping ${i}`);
        await inbox.next();
        rtts.push(Date.now() - start);
      }
      await pump;
      flooder.close();
      bystander.close();
      echo.close();
      figures.push(`${kind}: ${sent} frames sent, welcome ${welcome} ms, rtt p99 ${p99(rtts)} ms`);
      assert(welcome < BOUND_MS, `${kind}: welcome took ${welcome} ms`);
      assert(p99(rtts) < BOUND_MS, `${kind}: round trip p99 ${p99(rtts)} ms`);
    }
    console.log(`flood, bound ${BOUND_MS} ms:\n  ${figures.join("\n  ")}`);
  } finally {
    await net.dispose();
  }
});
