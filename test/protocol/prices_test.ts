import {
  DEFAULT_LIMITS,
  LIMIT_SPECS,
  REQUEST_PRICES,
  requestPrice,
  transferPrice,
} from "../../src/protocol/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";

const L = DEFAULT_LIMITS;

Deno.test("prices: every price names a served limit in units", () => {
  for (const [type, price] of Object.entries(REQUEST_PRICES)) {
    for (const name of [price.base, price.perItem].filter((n) => n !== undefined)) {
      const spec = LIMIT_SPECS.find((l) => l.name === name);
      assertEquals(spec?.unit, "units", `${type}: ${name}`);
    }
  }
});

Deno.test("prices: a request that carries items pays per item", () => {
  const ack = (n: number) => requestPrice({ t: "mail.ack", mids: Array(n).fill("m") }, L);
  assertEquals(ack(1024) - ack(0), 256 * L.COST_MAIL_ACK_IDS);
  assertEquals(
    [ack(1), ack(4), ack(5)].map((p) => p - ack(0)),
    [1, 1, 2].map((n) => n * L.COST_MAIL_ACK_IDS),
  );
  const tx = (n: number) => requestPrice({ t: "tx", id: 1, txs: Array(n).fill({}) }, L);
  assertEquals(tx(3), L.COST_TX + 3 * L.COST_PER_TRANSFER);
  // A batch past MAX_TX_BATCH is refused whole: it pays for the most it could have carried.
  assertEquals(tx(L.MAX_TX_BATCH + 50), tx(L.MAX_TX_BATCH));
  // The HTTP route pays per transfer as the frame does, on a base of its own.
  assertEquals(transferPrice(3, L) - transferPrice(0, L), tx(3) - tx(0));
  assertEquals(transferPrice(0, L), L.COST_HTTP_TX);
  // A `have` pays by the KiB begun: the 43,691 characters of 262,144 pieces are 43 KiB.
  const provide = (have?: string) => requestPrice({ t: "provide", id: 1, root: "r", have }, L);
  assertEquals(provide(), L.COST_PROVIDE);
  assertEquals(provide("A"), L.COST_PROVIDE + L.COST_HAVE_KIB);
  assertEquals(provide("A".repeat(1024)), L.COST_PROVIDE + L.COST_HAVE_KIB);
  assertEquals(provide("A".repeat(43_691)), L.COST_PROVIDE + 43 * L.COST_HAVE_KIB);
});

Deno.test("prices: dear requests cost more than a plain one", () => {
  const plain = requestPrice({ t: "lookup", id: 1, peer: "p" }, L);
  assertEquals(plain, L.COST_REQUEST);
  assert(requestPrice({ t: "sub", id: 1, topic: "t" }, L) > plain);
  assert(requestPrice({ t: "mail", id: 1, to: "p", data: "x" }, L) > plain);
  assert(requestPrice({ t: "provide", id: 1, root: "r" }, L) > plain);
  // An account is read from the ledger, and a publish is an event at three objects (the
  // sender's home, the topic's home, each subscriber's home): each has a price of its own,
  // from its measured cost (an account sent alone costs less than a lookup: no dearer).
  assertEquals(requestPrice({ t: "account", id: 1, account: "a" }, L), L.COST_ACCOUNT);
  assertEquals(requestPrice({ t: "pub", id: 1, topic: "t", n: 1, data: "x" }, L), L.COST_PUBLISH);
  assert(L.COST_PUBLISH > plain);
});

Deno.test("prices: the dearest request fits in a peer's burst and an address's", () => {
  // A request priced past a bucket's burst could never be admitted, however long it waited.
  // A batch message is charged per entry, so no batch is one charge past these.
  const dearest = Math.max(
    transferPrice(L.MAX_TX_BATCH, L),
    requestPrice({ t: "mail.ack", mids: Array(1_024).fill("m") }, L), // the schema's most ids
    requestPrice({ t: "provide", id: 1, root: "r", have: "x" }, L),
    L.COST_MAIL,
  );
  assertEquals(dearest, transferPrice(L.MAX_TX_BATCH, L));
  assert(dearest <= L.RATE_LIMIT_BURST_FRAMES, `${dearest} > ${L.RATE_LIMIT_BURST_FRAMES}`);
  assert(dearest <= L.ADDRESS_BURST_UNITS, `${dearest} > ${L.ADDRESS_BURST_UNITS}`);
  assert(dearest <= L.ADDRESS_HTTP_BURST_UNITS, `${dearest} > ${L.ADDRESS_HTTP_BURST_UNITS}`);
});
