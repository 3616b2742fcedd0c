// The log on real workerd: one JSON line per notable event, with fields a log search filters
// on: a shard's start (and its restart), a block sealed, a socket closed for flooding.
import { Identity } from "../../../mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { openBareSocket, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { logEvents } from "../../support/log_events.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("logs: starts, blocks and a flooding socket, as JSON lines", opts, async () => {
  const lines: string[] = [];
  const net = await startNetwork({
    shards: 1,
    vars: { FAUCET: "on" },
    limits: {
      BLOCK_INTERVAL_MS: 200,
      RATE_LIMIT_FRAMES_PER_SECOND: 1,
      RATE_LIMIT_BURST_FRAMES: 10,
      MAX_REFUSALS_BEFORE_CLOSE: 5,
    },
    logs: (line) => lines.push(line),
  });
  const events = () => logEvents(lines);
  try {
    const flooder = await Identity.generate();
    await fetch(`${net.url}/v1/faucet`, {
      method: "POST",
      body: JSON.stringify({ account: flooder.peerId }),
    }).then((r) => r.body?.cancel());
    await waitUntil(() => events().some((e) => e.event === "block.sealed"), 10_000);
    const block = events().find((e) => e.event === "block.sealed")!;
    assertEquals([block.level, block.shard, block.height, block.entries], ["info", 0, 1, 1]);
    assert(events().some((e) => e.event === "shard.start" && e.shard === 0));

    // A flood: what the burst holds passes, the rest is refused, and the socket is closed.
    const heard: string[] = [];
    const ws = await openBareSocket(net, flooder, heard);
    const closed = new Promise<number>((r) => ws.onclose = (e) => r(e.code));
    for (let i = 0; i < 30; i++) ws.send(JSON.stringify({ t: "nope", id: i }));
    assertEquals(await closed, 4003);
    await waitUntil(() => events().some((e) => e.event === "socket.refused"), 5_000);
    const refused = events().find((e) => e.event === "socket.refused")!;
    assertEquals([refused.level, refused.peer, refused.code], ["warn", flooder.peerId, 4003]);

    // A restart: the shard starts again, and says so.
    const starts = events().filter((e) => e.event === "shard.start").length;
    await net.restart();
    await (await fetch(`${net.url}/v1/shards/0/stats`)).body?.cancel();
    await waitUntil(() => events().filter((e) => e.event === "shard.start").length > starts);
  } finally {
    await net.dispose();
  }
});
