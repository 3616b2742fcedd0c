// Limits per client address on real workerd: the edge reads the client's address (here the
// test header a local network trusts, since all traffic stays on loopback; on Cloudflare the
// `cf-connecting-ip` the edge writes) and asks the address's home before any peer's home is
// woken.
import { Identity } from "../../../mod.ts";
import { connectUrl, DEFAULT_LIMITS, signHello } from "../../../src/protocol/mod.ts";
import {
  type LocalNetwork,
  startNetwork,
  TEST_ADDRESS_HEADER,
} from "../../../scripts/local_network.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const FIRST = "203.0.113.1";
const SECOND = "203.0.113.2";

async function helloUrl(net: LocalNetwork): Promise<string> {
  return connectUrl(net.url, await signHello(await Identity.generate(), net.network, net.url));
}

async function open(
  net: LocalNetwork,
  address: string,
  header = TEST_ADDRESS_HEADER,
  more: Record<string, string> = {},
): Promise<WebSocket | undefined> {
  // Deno's WebSocket takes headers: the address a proxy would have written.
  const ws = new WebSocket(
    await helloUrl(net),
    { headers: { [header]: address, ...more } } as unknown as string[],
  );
  return await new Promise((resolve) => {
    ws.onmessage = () => resolve(ws); // the welcome
    ws.onerror = () => resolve(undefined);
    ws.onclose = () => resolve(undefined);
  });
}

Deno.test(
  "address: connections from one address are capped; another address is not; closing frees",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4, limits: { MAX_CONNECTIONS_PER_ADDRESS: 20 } });
    try {
      const opened = await Promise.all(Array.from({ length: 25 }, () => open(net, FIRST)));
      const live = opened.filter((ws): ws is WebSocket => ws !== undefined);
      assertEquals(live.length, 20, "capped at the limit");
      // The plain GET that explains a failed upgrade says why.
      const why = await fetch((await helloUrl(net)).replace(/^ws/, "http"), {
        headers: { [TEST_ADDRESS_HEADER]: FIRST, upgrade: "websocket" },
      });
      assertEquals([why.status, (await why.json()).code], [429, "TOO_MANY_CONNECTIONS"]);
      const other = await open(net, SECOND);
      assert(other, "another address is not affected");
      // Closed connections are told to the address's home, and free their places.
      for (const ws of live.slice(0, 5)) ws.close();
      await new Promise((r) => setTimeout(r, 500));
      const again = await open(net, FIRST);
      assert(again, "a closed connection's place is free again");
      for (const ws of [...live.slice(5), other!, again!]) ws.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "address: at the cap, places held by connections a restart dropped are found stale and freed",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4, limits: { MAX_CONNECTIONS_PER_ADDRESS: 5 } });
    try {
      const live = await Promise.all(Array.from({ length: 5 }, () => open(net, FIRST)));
      assert(live.every((ws) => ws !== undefined), "five within the cap");
      assertEquals(await open(net, FIRST), undefined, "the sixth is refused");
      // The restart drops every socket without the homes telling the gate: its rows stay.
      await net.restart();
      const after = await Promise.all(Array.from({ length: 5 }, () => open(net, FIRST)));
      assertEquals(after.filter((ws) => ws).length, 5, "the stale places were freed");
      assertEquals(await open(net, FIRST), undefined, "and the cap holds again");
      for (const ws of after) ws?.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "address: 1,000 hellos from one address are capped at its burst, across a restart too",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 4,
      limits: { ADDRESS_HELLO_BURST: 30, ADDRESS_HELLOS_PER_MINUTE: 1 },
    });
    try {
      const urls = await Promise.all(
        Array.from({ length: 1_000 }, async () => (await helloUrl(net)).replace(/^ws/, "http")),
      );
      const statuses: number[] = [];
      let retryAfter = 0;
      for (let i = 0; i < urls.length; i += 50) {
        const batch = await Promise.all(
          urls.slice(i, i + 50).map((url) =>
            fetch(url, { headers: { [TEST_ADDRESS_HEADER]: FIRST } })
          ),
        );
        for (const res of batch) {
          statuses.push(res.status);
          const body = await res.json();
          if (res.status === 429) {
            assertEquals(body.code, "RATE_LIMITED");
            retryAfter = Math.max(retryAfter, body.retryAfter);
            assert(res.headers.get("retry-after") !== null);
          }
        }
      }
      assertEquals(statuses.filter((s) => s === 426).length, 30, "the burst, then no more");
      assertEquals(statuses.filter((s) => s === 429).length, 970);
      assert(retryAfter > 0);
      const other = await fetch((await helloUrl(net)).replace(/^ws/, "http"), {
        headers: { [TEST_ADDRESS_HEADER]: SECOND },
      });
      assertEquals(other.status, 426, "another address is not affected");
      await other.body?.cancel();
      await net.restart();
      const after = await fetch((await helloUrl(net)).replace(/^ws/, "http"), {
        headers: { [TEST_ADDRESS_HEADER]: FIRST },
      });
      assertEquals([after.status, (await after.json()).code], [429, "RATE_LIMITED"]);
      console.log(
        `1,000 hellos from one address: 30 admitted, 970 refused, retryAfter ${retryAfter} ms`,
      );
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("address: the faucet pays a bounded number of accounts per address", opts, async () => {
  const net = await startNetwork({
    shards: 2,
    vars: { FAUCET: "on" },
    limits: { FAUCET_ACCOUNTS_PER_ADDRESS: 2 },
  });
  try {
    const ask = async (address: string) => {
      const res = await fetch(`${net.url}/v1/faucet`, {
        method: "POST",
        headers: { [TEST_ADDRESS_HEADER]: address },
        body: JSON.stringify({ account: (await Identity.generate()).peerId }),
      });
      const body = await res.json();
      return body.ok ? res.status : `${res.status} ${body.code}`;
    };
    const outcomes = [await ask(FIRST), await ask(FIRST), await ask(FIRST), await ask(SECOND)];
    assertEquals(outcomes, [200, 200, "429 RATE_LIMITED", 200]);
  } finally {
    await net.dispose();
  }
});

Deno.test("address: two addresses of one IPv6 /64 share one connection cap", opts, async () => {
  const net = await startNetwork({ shards: 4, limits: { MAX_CONNECTIONS_PER_ADDRESS: 1 } });
  try {
    const first = await open(net, "2001:db8:1:2:aaaa::1");
    assert(first, "the first of the /64 is admitted");
    assertEquals(await open(net, "2001:db8:1:2:bbbb::9"), undefined, "its neighbour is not");
    const other = await open(net, "2001:db8:1:3::1");
    assert(other, "another /64 is another address");
    for (const ws of [first!, other!]) ws.close();
  } finally {
    await net.dispose();
  }
});

Deno.test(
  "address: a forged cf-connecting-ip counts only where the setting trusts it",
  opts,
  async () => {
    // Off (a local network): Miniflare keeps a client's own header, so the edge reads none;
    // two forged addresses are one client.
    const off = await startNetwork({ shards: 2, limits: { MAX_CONNECTIONS_PER_ADDRESS: 1 } });
    try {
      const first = await open(off, FIRST, "cf-connecting-ip");
      assert(first, "one connection");
      assertEquals(await open(off, SECOND, "cf-connecting-ip"), undefined, "forged: still capped");
      first!.close();
    } finally {
      await off.dispose();
    }
    // On (as deployed on Cloudflare, which overwrites the header): each is its own address.
    const on = await startNetwork({
      shards: 2,
      limits: { MAX_CONNECTIONS_PER_ADDRESS: 1 },
      vars: { CLIENT_ADDRESS_HEADER: "cf-connecting-ip" },
    });
    try {
      const both = [
        await open(on, FIRST, "cf-connecting-ip"),
        await open(on, SECOND, "cf-connecting-ip"),
      ];
      assert(both.every((ws) => ws), "two addresses, one connection each");
      assertEquals(await open(on, FIRST, "cf-connecting-ip"), undefined, "and the cap holds");
      // The test header is not trusted beside the production setting.
      const test = { [TEST_ADDRESS_HEADER]: "192.0.2.50" };
      assertEquals(await open(on, FIRST, "cf-connecting-ip", test), undefined);
      for (const ws of both) ws!.close();
    } finally {
      await on.dispose();
    }
  },
);

// Twelve transfers in one POST /v1/tx: the whole of this burst.
const BURST = DEFAULT_LIMITS.COST_HTTP_TX + 12 * DEFAULT_LIMITS.COST_PER_TRANSFER;

Deno.test(
  "address: HTTP work is admitted by the address's budget, priced per transfer",
  opts,
  async () => {
    const net = await startNetwork({
      shards: 2,
      limits: { ADDRESS_HTTP_BURST_UNITS: BURST, ADDRESS_HTTP_UNITS_PER_SECOND: 1 },
    });
    try {
      const account = (await Identity.generate()).peerId;
      const post = (address: string, transfers: number) =>
        fetch(`${net.url}/v1/tx`, {
          method: "POST",
          headers: { [TEST_ADDRESS_HEADER]: address },
          body: JSON.stringify(Array.from({ length: transfers }, () => ({}))),
        });
      const get = (address: string, path: string) =>
        fetch(`${net.url}${path}`, { headers: { [TEST_ADDRESS_HEADER]: address } });
      const outcome = async (res: Promise<Response>) => {
        const r = await res;
        const body = await r.json();
        if (r.status === 429) {
          assert(body.retryAfter > 0 && Number(r.headers.get("retry-after")) > 0);
        }
        return r.status === 200 ? 200 : `${r.status} ${body.code}`;
      };
      // COST_HTTP_TX + 12 transfers × COST_PER_TRANSFER: the whole burst.
      assertEquals(await outcome(post(FIRST, 12)), 200);
      assertEquals(await outcome(post(FIRST, 1)), "429 RATE_LIMITED");
      for (
        const path of [`/v1/accounts/${account}`, `/v1/tx/${"0".repeat(64)}`, "/v1/shards/0/head"]
      ) {
        assertEquals(await outcome(get(FIRST, path)), "429 RATE_LIMITED", path);
      }
      // Another address has its own budget; a read that wakes no shard is not charged.
      assertEquals(await outcome(post(SECOND, 12)), 200);
      assertEquals(await outcome(get(FIRST, "/v1/limits")), 200);
    } finally {
      await net.dispose();
    }
  },
);
