import { checkHello, connectUrl, type Hello, signHello } from "../../src/protocol/mod.ts";
import { Identity } from "../../src/identity/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

const me = await Identity.generate();
const params = (h: Hello) => new URL(connectUrl("http://localhost", h)).searchParams;

Deno.test("checkHello() accepts a fresh hello for its network", async () => {
  const now = 1_700_000_000_000;
  const hello = await signHello(me, "dev", now);
  const r = await checkHello(params(hello), { network: "dev", now: now + 1_000 });
  assert(r.ok);
  assertEquals(r.hello, hello);
});

Deno.test("checkHello() refuses each bad hello with its code and status", async () => {
  const now = 1_700_000_000_000;
  const good = await signHello(me, "dev", now);
  const cases: [string, URLSearchParams, string, number][] = [
    ["wrong network", params(await signHello(me, "prod", now)), "HELLO_WRONG_NETWORK", 401],
    ["too old", params(await signHello(me, "dev", now - 61_000)), "HELLO_STALE", 401],
    ["too far ahead", params(await signHello(me, "dev", now + 31_000)), "HELLO_STALE", 401],
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
    const r = await checkHello(p, { network: "dev", now });
    assert(!r.ok, name);
    assertEquals([r.code, r.status], [code, status], name);
  }
});

Deno.test("connectUrl() maps http(s) to ws(s) and sets the path", () => {
  const h = { network: "dev", peer: "p", ts: 1, nonce: "n", sig: "s" };
  assert(
    connectUrl("https://x.example/anything", h).startsWith(
      "wss://x.example/v1/connect?network=dev",
    ),
  );
  assert(connectUrl("ws://127.0.0.1:1", h).startsWith("ws://127.0.0.1:1/v1/connect?"));
});
