import {
  checkHello,
  connectUrl,
  type Hello,
  helloOrigin,
  helloSignedBytes,
  signHello,
} from "../../src/protocol/mod.ts";
import { Identity } from "../../src/identity/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

const me = await Identity.generate();
const URL_GIVEN = "ws://127.0.0.1:8787";
const ORIGIN = "http://127.0.0.1:8787";
const params = (h: Hello) => new URL(connectUrl("http://localhost", h)).searchParams;
const expect = (now: number) => ({ network: "dev", origins: [ORIGIN], now });

Deno.test("checkHello() accepts a fresh hello for its network and origin", async () => {
  const now = 1_700_000_000_000;
  const hello = await signHello(me, "dev", URL_GIVEN, now);
  assertEquals(hello.origin, ORIGIN);
  const r = await checkHello(params(hello), expect(now + 1_000));
  assert(r.ok);
  assertEquals(r.hello, hello);
});

Deno.test("helloOrigin() reads ws: as http: and wss: as https:, and drops the rest", () => {
  assertEquals(helloOrigin("ws://127.0.0.1:8787/v1/connect?x=1"), "http://127.0.0.1:8787");
  assertEquals(helloOrigin("wss://Net.Example:443/"), "https://net.example");
  assertEquals(helloOrigin("https://net.example:8443"), "https://net.example:8443");
  assertEquals(helloOrigin("http://[::1]:80/"), "http://[::1]");
  let thrown: unknown;
  try {
    helloOrigin("ftp://net.example");
  } catch (error) {
    thrown = error;
  }
  assert(thrown instanceof TypeError);
});

Deno.test("helloSignedBytes(): the six lines of hello v2, as PROTOCOL.md shows them", () => {
  const bytes = helloSignedBytes({
    network: "dev",
    origin: ORIGIN,
    peer: "p",
    ts: 1_700_000_000_000,
    nonce: "AAAAAAAAAAAAAAAAAAAAAA",
  });
  assertEquals(
    new TextDecoder().decode(bytes),
    "superpeer-hello-v2\ndev\nhttp://127.0.0.1:8787\np\n1700000000000\nAAAAAAAAAAAAAAAAAAAAAA",
  );
});

Deno.test("checkHello() refuses each bad hello with its code and status", async () => {
  const now = 1_700_000_000_000;
  const good = await signHello(me, "dev", URL_GIVEN, now);
  const elsewhere = await signHello(me, "dev", "wss://relay.example", now);
  const { origin: _, ...v1 } = good;
  const cases: [string, URLSearchParams, string, number][] = [
    [
      "wrong network",
      params(await signHello(me, "prod", URL_GIVEN, now)),
      "HELLO_WRONG_NETWORK",
      401,
    ],
    ["signed for another origin", params(elsewhere), "HELLO_WRONG_ORIGIN", 401],
    // A server in between that rewrites the origin breaks the signature.
    ["origin rewritten", params({ ...elsewhere, origin: ORIGIN }), "HELLO_BAD_SIGNATURE", 401],
    [
      "no origin (hello v1)",
      new URLSearchParams({ ...v1, ts: String(now) }),
      "HELLO_MALFORMED",
      400,
    ],
    ["origin with a path", params({ ...good, origin: `${ORIGIN}/x` }), "HELLO_MALFORMED", 400],
    ["too old", params(await signHello(me, "dev", URL_GIVEN, now - 61_000)), "HELLO_STALE", 401],
    [
      "too far ahead",
      params(await signHello(me, "dev", URL_GIVEN, now + 31_000)),
      "HELLO_STALE",
      401,
    ],
    [
      "other peer",
      params({ ...good, peer: (await Identity.generate()).peerId }),
      "HELLO_BAD_SIGNATURE",
      401,
    ],
    ["other ts", params({ ...good, ts: now + 1 }), "HELLO_BAD_SIGNATURE", 401],
    ["no sig", new URLSearchParams({ ...good, ts: String(now), sig: "" }), "HELLO_MALFORMED", 400],
    ["bad network id", params({ ...good, network: "Dev!" }), "HELLO_MALFORMED", 400],
    ["empty", new URLSearchParams(), "HELLO_MALFORMED", 400],
  ];
  for (const [name, p, code, status] of cases) {
    const r = await checkHello(p, expect(now));
    assert(!r.ok, name);
    assertEquals([r.code, r.status], [code, status], name);
  }
});

Deno.test("checkHello() takes a hello signed for any of the network's origins", async () => {
  const now = 1_700_000_000_000;
  const hello = await signHello(me, "dev", "wss://relay.example", now);
  const r = await checkHello(params(hello), {
    network: "dev",
    origins: [ORIGIN, "https://relay.example"],
    now,
  });
  assert(r.ok);
});

Deno.test("connectUrl() maps http(s) to ws(s), sets the path and carries the origin", () => {
  const h = { network: "dev", origin: "https://x.example", peer: "p", ts: 1, nonce: "n", sig: "s" };
  const url = connectUrl("https://x.example/anything", h);
  assert(url.startsWith("wss://x.example/v1/connect?network=dev&origin=https%3A%2F%2Fx.example"));
  assert(connectUrl("ws://127.0.0.1:1", h).startsWith("ws://127.0.0.1:1/v1/connect?"));
});
