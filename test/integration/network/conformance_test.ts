// What docs/PROTOCOL.md and docs/LEDGER.md promise for input at the edges, on real workerd:
// methods, numbers in paths, one form per amount and per signature, destinations that are
// peer ids.
import { Identity, type TransferJson } from "../../../mod.ts";
import { encodeFrame, FRAME_SEND } from "../../../src/protocol/mod.ts";
import { signTransfer, transferToJson } from "../../../src/ledger/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { openBareSocket, waitUntil } from "../../support/peers.ts";
import { assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("conformance: a listed path with another method is 405, never 404", opts, async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const cases: [string, string][] = [
      ["GET", "/v1/tx"],
      ["PUT", "/v1/faucet"],
      ["GET", "/v1/faucet"],
      ["POST", "/v1/shards/1/head"],
      ["DELETE", "/v1/shards/1/stats"],
      ["PATCH", "/v1/shards/1/blocks/1"],
      ["OPTIONS", "/v1/connect"],
      ["POST", "/v1/health"],
      ["PUT", "/v1/accounts/x"],
      ["DELETE", "/"],
    ];
    for (const [method, path] of cases) {
      const res = await fetch(`${net.url}${path}`, { method });
      const body = await res.json();
      assertEquals(
        [res.status, body.ok, body.code],
        [405, false, "METHOD_NOT_ALLOWED"],
        method + path,
      );
    }
    const nope = await fetch(`${net.url}/v1/nope`, { method: "PUT" });
    assertEquals([nope.status, (await nope.json()).code], [404, "NOT_FOUND"]);
    for (const height of ["0x10", "1e1", "016", "0", "-1", "1.5"]) {
      const res = await fetch(`${net.url}/v1/shards/0/blocks/${height}`);
      assertEquals([res.status, (await res.json()).code], [400, "BAD_REQUEST"], height);
    }
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "conformance: one form per amount and per signature; a bad one refused, the rest applied",
  opts,
  async () => {
    const alice = await Identity.generate();
    const bob = await Identity.generate();
    const net = await startNetwork({
      shards: 1,
      vars: { GENESIS: JSON.stringify({ [alice.peerId]: 100 }) },
    });
    try {
      const sign = async (nonce: number) =>
        transferToJson(
          await signTransfer(alice, { network: net.network, to: bob.peerId, amount: 1n, nonce }),
        );
      const good = await sign(1);
      // The last of 86 characters holds 4 spare bits: set one, and the bytes are the same.
      const last = good.sig.at(-1)!;
      const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      const padded: TransferJson = {
        ...good,
        sig: good.sig.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1],
      };
      const zeros: TransferJson = { ...good, amount: "00001" };
      const res = await fetch(`${net.url}/v1/tx`, {
        method: "POST",
        body: JSON.stringify([padded, zeros, good]),
      });
      const { results } = await res.json();
      assertEquals(
        results.map((r: { ok: boolean; code?: string }) => r.ok ? "ok" : r.code),
        ["TX_MALFORMED", "TX_BAD_AMOUNT", "ok"],
      );
      const account = await (await fetch(`${net.url}/v1/accounts/${alice.peerId}`)).json();
      assertEquals([account.balance, account.nonce], ["99", 1]);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "conformance: a frame to something that is not a peer id is refused, never mailed",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1 });
    try {
      const heard: string[] = [];
      const ws = await openBareSocket(net, await Identity.generate(), heard);
      await waitUntil(() => heard.length >= 1);
      // Base58 characters, so the header parses, but no Ed25519 peer id.
      const fake = "6Mk" + "1".repeat(44);
      ws.send(encodeFrame(FRAME_SEND, fake, 3, "for later", { mailbox: true }));
      ws.send(encodeFrame(FRAME_SEND, fake, 4, "now"));
      await waitUntil(() => heard.length >= 3);
      assertEquals(
        heard.slice(1).map((t) => JSON.parse(t)).map((e) => [e.code, e.seq, e.peer]),
        [["BAD_FRAME", 3, fake], ["BAD_FRAME", 4, fake]],
      );
      ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "conformance: frames at the limit pass, at the limit + 1 and 10× are refused",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 1,
      limits: { MAX_FRAME_BYTES: 8_192, MAX_CONTROL_FRAME_BYTES: 16_384 },
    });
    try {
      const heard: string[] = [];
      const ws = await openBareSocket(net, await Identity.generate(), heard);
      await waitUntil(() => heard.length >= 1);
      const nobody = (await Identity.generate()).peerId;
      const header = encodeFrame(FRAME_SEND, nobody, 0, new Uint8Array()).length;
      for (const [seq, size] of [[1, 8_192], [2, 8_193], [3, 81_920]]) {
        ws.send(encodeFrame(FRAME_SEND, nobody, seq, new Uint8Array(size - header)));
      }
      const text = (size: number, id: number) => {
        const bare = JSON.stringify({ t: "nope", id, pad: "" });
        return JSON.stringify({ t: "nope", id, pad: "x".repeat(size - bare.length) });
      };
      for (const [id, size] of [[4, 16_384], [5, 16_385], [6, 163_840]]) ws.send(text(size, id));
      await waitUntil(() => heard.length >= 7);
      assertEquals(heard.slice(1).map((t) => JSON.parse(t).code), [
        "PEER_NOT_FOUND",
        "FRAME_TOO_LARGE",
        "FRAME_TOO_LARGE",
        "UNKNOWN_FRAME_TYPE",
        "FRAME_TOO_LARGE",
        "FRAME_TOO_LARGE",
      ]);
      ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "conformance: a socket closed with no status gets a close frame back (1000), not a wait",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1 });
    try {
      const ws = await openBareSocket(net, await Identity.generate(), []);
      const closed = new Promise<CloseEvent>((r) => ws.onclose = r);
      ws.close();
      const event = await closed;
      assertEquals([event.code, event.wasClean], [1000, true]);
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "conformance: the HTTP API answers any origin, refusals included; a preflight gets 204",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1 });
    try {
      for (const path of ["/v1/network", "/v1/limits", "/v1/tx/zz", "/v1/nothing"]) {
        const res = await fetch(`${net.url}${path}`, { headers: { origin: "http://elsewhere" } });
        await res.body?.cancel();
        assertEquals(res.headers.get("access-control-allow-origin"), "*", path);
      }
      const preflight = await fetch(`${net.url}/v1/tx`, {
        method: "OPTIONS",
        headers: {
          origin: "http://elsewhere",
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      });
      await preflight.body?.cancel();
      assertEquals(preflight.status, 204);
      assertEquals(preflight.headers.get("access-control-allow-headers"), "content-type");
      // Not a preflight: the usual answer to a method the route does not take.
      const plain = await fetch(`${net.url}/v1/connect`, { method: "OPTIONS" });
      await plain.body?.cancel();
      assertEquals(plain.status, 405);
    } finally {
      await net.dispose();
    }
  },
);
