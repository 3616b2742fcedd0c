// Shedding at the edge, on real workerd (Miniflare runs the Rate Limiting binding): past
// EDGE_REQUESTS_PER_10_SECONDS from one address, hellos and HTTP writes are refused 429 by the
// edge itself. And the faucet answers no page of another origin.
import { Identity } from "../../../mod.ts";
import { connectUrl, signHello } from "../../../src/protocol/mod.ts";
import {
  type LocalNetwork,
  startNetwork,
  TEST_ADDRESS_HEADER,
} from "../../../scripts/local_network.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const RATE = 5;

async function helloUrl(net: LocalNetwork): Promise<string> {
  return connectUrl(net.url, await signHello(await Identity.generate(), net.network, net.url))
    .replace(/^ws/, "http");
}

Deno.test(
  "edge: a burst of hellos over the edge rate is refused before the gate is asked",
  opts,
  async () => {
    // The gate caps the address at one connection, held below: every hello that reaches the
    // gate is refused TOO_MANY_CONNECTIONS; one shed at the edge is RATE_LIMITED.
    const net = await startNetwork({
      shards: 2,
      limits: { EDGE_REQUESTS_PER_10_SECONDS: RATE, MAX_CONNECTIONS_PER_ADDRESS: 1 },
    });
    try {
      const from = (address: string) => ({ [TEST_ADDRESS_HEADER]: address, upgrade: "websocket" });
      const held = new WebSocket(
        connectUrl(net.url, await signHello(await Identity.generate(), net.network, net.url)),
        { headers: { [TEST_ADDRESS_HEADER]: "203.0.113.1" } } as unknown as string[],
      );
      await new Promise((resolve) => held.onmessage = resolve);
      const urls = await Promise.all(Array.from({ length: 30 }, () => helloUrl(net)));
      const codes: string[] = [];
      for (const url of urls) {
        const res = await fetch(url, { headers: from("203.0.113.1") });
        const body = await res.json();
        assertEquals(res.status, 429);
        codes.push(body.code);
        if (body.code === "RATE_LIMITED") {
          assert(body.retryAfter > 0 && res.headers.get("retry-after") !== null);
        }
      }
      const asked = codes.filter((c) => c === "TOO_MANY_CONNECTIONS").length;
      const shed = codes.filter((c) => c === "RATE_LIMITED").length;
      assertEquals(asked + shed, 30);
      // One 10 s window, or two if the burst straddles a boundary.
      assert(asked <= 2 * RATE, `the gate was asked ${asked} times`);
      assert(shed >= 30 - 2 * RATE, `${shed} shed at the edge`);
      // The observer's hello refusal counts say the same.
      const metrics = await (await fetch(`${net.url}/v1/metrics`)).text();
      const count = (code: string) =>
        Number(new RegExp(`hello_refusals_total\\{code="${code}"\\} ([0-9]+)`).exec(metrics)?.[1]);
      assertEquals([count("TOO_MANY_CONNECTIONS"), count("RATE_LIMITED")], [asked, shed]);
      // Another address is counted apart.
      const other = await fetch(await helloUrl(net), {
        headers: { [TEST_ADDRESS_HEADER]: "203.0.113.2" },
      });
      assertEquals(other.status, 426);
      await other.body?.cancel();
      console.log(
        `30 hellos from one address: ${shed} shed at the edge, ${asked} reached the gate`,
      );
      held.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("edge: HTTP writes over the edge rate are refused 429 RATE_LIMITED", opts, async () => {
  const net = await startNetwork({
    shards: 2,
    vars: { FAUCET: "on" },
    limits: { EDGE_REQUESTS_PER_10_SECONDS: RATE },
  });
  try {
    const statuses: string[] = [];
    for (let i = 0; i < 3 * RATE; i++) {
      const res = await fetch(`${net.url}/v1/tx`, {
        method: "POST",
        headers: { [TEST_ADDRESS_HEADER]: "198.51.100.1" },
        body: "[]",
      });
      statuses.push(`${res.status} ${(await res.json()).code ?? ""}`.trim());
    }
    const shed = statuses.filter((s) => s === "429 RATE_LIMITED").length;
    assert(shed >= RATE, `${shed} of ${3 * RATE} writes shed: ${statuses}`);
    assertEquals(statuses.filter((s) => s === "200").length, 3 * RATE - shed);
    // Reads are not counted by the edge.
    const head = await fetch(`${net.url}/v1/shards/0/head`, {
      headers: { [TEST_ADDRESS_HEADER]: "198.51.100.1" },
    });
    assertEquals(head.status, 200);
    await head.body?.cancel();
  } finally {
    await net.dispose();
  }
});

Deno.test("edge: the faucet answers no page of another origin", opts, async () => {
  const net = await startNetwork({ shards: 2, vars: { FAUCET: "on" } });
  try {
    const elsewhere = "https://elsewhere.example";
    const preflight = await fetch(`${net.url}/v1/faucet`, {
      method: "OPTIONS",
      headers: {
        origin: elsewhere,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    await preflight.body?.cancel();
    assertEquals(preflight.headers.get("access-control-allow-origin"), null);
    assert(preflight.status >= 400, `preflight answered ${preflight.status}`);
    // A simple POST needs no preflight: the route refuses it by its Origin, and pays nothing.
    const account = (await Identity.generate()).peerId;
    const simple = await fetch(`${net.url}/v1/faucet`, {
      method: "POST",
      headers: { origin: elsewhere, "content-type": "text/plain" },
      body: JSON.stringify({ account }),
    });
    assertEquals([simple.status, (await simple.json()).code], [403, "BAD_REQUEST"]);
    assertEquals(simple.headers.get("access-control-allow-origin"), null);
    const balance = await (await fetch(`${net.url}/v1/accounts/${account}`)).json();
    assertEquals(balance.balance, "0");
    // The network's own page, and a tool with no Origin, are paid.
    for (const origin of [net.url, undefined]) {
      const res = await fetch(`${net.url}/v1/faucet`, {
        method: "POST",
        headers: origin ? { origin } : {},
        body: JSON.stringify({ account: (await Identity.generate()).peerId }),
      });
      assertEquals([res.status, (await res.json()).ok], [200, true]);
    }
    // The rest of the API stays open to every origin.
    const tx = await fetch(`${net.url}/v1/tx`, {
      method: "OPTIONS",
      headers: { origin: elsewhere, "access-control-request-method": "POST" },
    });
    await tx.body?.cancel();
    assertEquals(tx.headers.get("access-control-allow-origin"), "*");
  } finally {
    await net.dispose();
  }
});
