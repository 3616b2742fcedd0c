// The stand-ins a peer hands out before the ledger's and file sharing's code is loaded: they
// offer every method of what they stand for, load it once, and keep what came meanwhile.
import { LEDGER_METHODS } from "../../src/client/lazy_ledger.ts";
import { lazyMethods, once } from "../../src/client/lazy.ts";
import { LazySwarm } from "../../src/client/lazy_swarm.ts";
import { PeerLedger } from "../../src/client/peer_ledger.ts";
import { PeerSwarm } from "../../src/swarm/peer_swarm.ts";
import { decodeSwarm, encodeSwarm, SWARM } from "../../src/swarm/wire.ts";
import { type ContentId, parseContentId } from "../../src/swarm/content_id.ts";
import { assertEquals, assertRejects } from "../support/assert.ts";

const publicOf = (proto: object) =>
  Object.getOwnPropertyNames(proto).filter((n) => n !== "constructor").sort();

Deno.test("peer.ledger offers every method of the ledger client", () => {
  assertEquals([...LEDGER_METHODS].sort(), publicOf(PeerLedger.prototype));
});

Deno.test("peer.swarm offers every method and figure of the swarm", () => {
  assertEquals(publicOf(LazySwarm.prototype), publicOf(PeerSwarm.prototype));
});

Deno.test("a part is made once; a failed load is tried again", async () => {
  let tries = 0;
  const part = once(() =>
    ++tries === 1 ? Promise.reject(new Error("offline")) : Promise.resolve(7)
  );
  assertEquals(String(await assertRejects(part())), "Error: offline");
  assertEquals([await part(), await part(), tries], [7, 7, 2]);
  let made = 0;
  const standIn = lazyMethods(() =>
    Promise.resolve({
      n: ++made,
      get() {
        return Promise.resolve(this.n);
      },
    }), [
    "get",
  ]);
  assertEquals([await standIn.get(), await standIn.get(), made], [1, 1, 1]);
});

Deno.test("swarm messages that come before the module are answered once it is, in order", async () => {
  const sent: Uint8Array[] = [];
  const swarm = new LazySwarm({
    sendSwarm: (_to, bytes) => (sent.push(bytes), "sent"),
    request: () => Promise.resolve({ t: "provided", expires: Date.now() + 60_000 } as never),
    connected: true,
  });
  assertEquals([swarm.uploaded, swarm.peersServed, swarm.downloaded], [0, 0, {
    relay: 0,
    direct: 0,
  }]);
  // Two requests for pieces of content this peer does not hold, before anything is loaded:
  // each is refused NOT_HELD once the swarm is there, in the order they came.
  const id = (parseContentId(`${"ab".repeat(32)}.100000`) as { id: ContentId }).id;
  for (const index of [3, 5]) {
    swarm.receive("6Mkpeer", encodeSwarm({ type: SWARM.REQUEST, id, index }));
  }
  assertEquals(sent.length, 0, "nothing answered before the module is there");
  await swarm.share(new Uint8Array(10)); // waits for the same load
  const answers = sent.map((b) => decodeSwarm(b)!);
  assertEquals(
    answers.map((m) => [m.type, "index" in m ? m.index : -1]),
    [[SWARM.REJECT, 3], [SWARM.REJECT, 5]],
  );
  swarm.close();
});
