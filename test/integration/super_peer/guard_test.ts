// The super-peer's doors are guarded: a room that throws (made to, by a failpoint) is logged
// as one `door.error` line and answered in the door, and the peer's socket and the object go
// on. Without the guard, the request would get no answer and nothing would be logged.
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, take, waitUntil } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { logEvents as eventsOf } from "../../support/log_events.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "guard: a control handler that throws is answered INTERNAL, the socket goes on",
  opts,
  async () => {
    const lines: string[] = [];
    const net = await startNetwork({
      shards: 2,
      vars: { FAILPOINTS: "control" },
      logs: (line) => lines.push(line),
    });
    try {
      const alice = await connectPeer(net);
      const bob = await connectPeer(net);
      const dropped: string[] = [];
      for (const type of ["close", "reconnecting", "open"]) {
        alice.addEventListener(type, () => dropped.push(type));
      }
      const inbox = bob.messages();

      // Every text frame meets the failpoint: the request is refused, by its id, with INTERNAL.
      const refused = await alice.subscribe("news").then(() => undefined, (e) => e);
      assertEquals((refused as { code?: string })?.code, "INTERNAL", String(refused));
      const error = eventsOf(lines).find((e) => e.event === "door.error");
      assert(error, "a door.error line is logged");
      assertEquals([error.level, error.door, error.peer], [
        "error",
        "webSocketMessage",
        alice.peerId,
      ]);
      assert(String(error.error).includes('Failpoint "control"'), String(error.error));

      // The same socket still carries frames both ways: relay is binary, no failpoint there.
      alice.send(bob.peerId, "still here");
      assertEquals((await take(inbox, 1))[0].data, "still here");
      assertEquals(dropped, [], "alice's socket was neither closed nor opened again");
      alice.close();
      bob.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "guard: an alarm whose ledger part throws logs it, and the block follows",
  opts,
  async () => {
    const lines: string[] = [];
    const net = await startNetwork({
      shards: 1,
      vars: { FAILPOINTS: "ledger.alarm:1", FAUCET: "on" },
      limits: { BLOCK_INTERVAL_MS: 200 },
      logs: (line) => lines.push(line),
    });
    try {
      const account = (await connectPeer(net)).peerId;
      const paid = await fetch(`${net.url}/v1/faucet`, {
        method: "POST",
        body: JSON.stringify({ account }),
      });
      assertEquals(paid.status, 200, await paid.text());
      await waitUntil(() => eventsOf(lines).some((e) => e.event === "block.sealed"), 10_000);
      const error = eventsOf(lines).find((e) => e.event === "door.error");
      assert(error, "the failed alarm is logged");
      assertEquals([error.door, error.step, error.shard], ["alarm", "ledger", 0]);
      const sealed = eventsOf(lines).find((e) => e.event === "block.sealed")!;
      assertEquals([sealed.height, sealed.entries], [1, 1]);
    } finally {
      await net.dispose();
    }
  },
);
