// Refusals as docs/PROTOCOL.md promises them, seen by a bare client on real workerd: one shape
// everywhere, the request's id on every refusal of a request, the destination on refusals of
// frames whose header parses, shards in HTTP paths, the plain GET after a replayed hello.
import { Identity } from "../../../mod.ts";
import { encodeFrame, FRAME_SEND } from "../../../src/protocol/mod.ts";
import { connectUrl, signHello } from "../../../src/protocol/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { openBareSocket, UPGRADE_HEADERS, waitUntil } from "../../support/peers.ts";
import { assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test(
  "refusals: every refusal of a request carries its id, in the one shape",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      const heard: string[] = [];
      const ws = await openBareSocket(net, await Identity.generate(), heard);
      await waitUntil(() => heard.length >= 1);
      const requests = [
        { t: "nope", id: 1 },
        { t: "tx", id: 2, txs: Array(257).fill({}) },
        { t: "sub", id: 3 },
        { t: "blocks", id: 4, shard: 99 },
        { t: "lookup", id: 5, peer: "not-a-peer" },
        { t: "pub", id: 6, topic: "$presence", n: 1, data: "x" },
        { t: "account", id: 7, account: "not-an-account" },
      ];
      for (const r of requests) ws.send(JSON.stringify(r));
      ws.send("not json");
      await waitUntil(() => heard.length >= 1 + requests.length + 1);
      const errors = heard.slice(1).map((t) => JSON.parse(t));
      const byId = new Map(errors.filter((e) => e.id !== undefined).map((e) => [e.id, e]));
      assertEquals(
        requests.map((r) => byId.get(r.id)?.code),
        [
          "UNKNOWN_FRAME_TYPE",
          "TX_BATCH_TOO_LARGE",
          "BAD_FRAME",
          "BAD_REQUEST",
          "BAD_REQUEST",
          "RESERVED_TOPIC",
          "BAD_REQUEST",
        ],
      );
      for (const e of errors) {
        assertEquals([e.t, e.ok, typeof e.code, typeof e.message], [
          "error",
          false,
          "string",
          "string",
        ]);
      }
      assertEquals(errors.find((e) => e.id === undefined)?.code, "BAD_FRAME", "not JSON: no id");
      ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("refusals: a frame refused whole still names its destination", opts, async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const heard: string[] = [];
    const ws = await openBareSocket(net, await Identity.generate(), heard);
    await waitUntil(() => heard.length >= 1);
    const to = (await Identity.generate()).peerId;
    ws.send(encodeFrame(FRAME_SEND, to, 7, new Uint8Array(70_000)));
    await waitUntil(() => heard.length >= 2);
    const error = JSON.parse(heard[1]);
    assertEquals([error.code, error.seq, error.peer], ["FRAME_TOO_LARGE", 7, to]);
    ws.close();
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "refusals: over HTTP, one shape; a shard the network lacks is not found",
  opts,
  async () => {
    const net = await startNetwork({ shards: 8 });
    try {
      for (const path of ["/v1/shards/13/head", "/v1/shards/abc/head", "/v1/shards/8/stats"]) {
        const res = await fetch(`${net.url}${path}`);
        assertEquals([res.status, await res.json()], [404, {
          ok: false,
          code: "NOT_FOUND",
          message: (await (await fetch(`${net.url}${path}`)).json()).message,
        }], path);
      }
      // A replayed hello: the upgrade and the plain GET that explains it give the same code.
      const url = connectUrl(
        net.url,
        await signHello(await Identity.generate(), net.network, net.url),
      )
        .replace(/^ws/, "http");
      const first = await fetch(url, { headers: UPGRADE_HEADERS });
      await first.body?.cancel();
      const upgrade = await fetch(url, { headers: UPGRADE_HEADERS });
      const plain = await fetch(url);
      assertEquals(
        [upgrade.status, (await upgrade.json()).code, plain.status, (await plain.json()).code],
        [401, "HELLO_REPLAYED", 401, "HELLO_REPLAYED"],
      );
    } finally {
      await net.dispose();
    }
  },
);
