// The client's hand-written checks of the network's messages against the schema they follow:
// on a valid message of every kind, and on thousands made from them by removing a field, giving
// one a value of another kind, adding one, or changing `t`, both say the same.
import fc from "fast-check";
import { parseServerMessage } from "../../src/protocol/mod.ts";
import { ServerMessageSchema } from "../support/server_message_schema.ts";
import { assert, assertEquals } from "../support/assert.ts";

const ID = "6MkpTgaHqM4CS32tkstWy8UPMqTPKgWZSYFuj4Ax61kNWw7";
const HEADER = {
  network: "net",
  shard: 1,
  height: 3,
  prev: "aa",
  txRoot: "bb",
  receiptsRoot: "cc",
  entries: 2,
  receipts: 0,
  timestamp: 1_733_000_000_000,
  sig: "dd",
};

/** One valid message of every kind the network sends, optional fields present. */
const SAMPLES: Record<string, unknown>[] = [
  {
    t: "welcome",
    protocol: 2,
    network: "net",
    peer: ID,
    session: "s1",
    shard: 0,
    shards: 8,
    limits: { MAX_FRAME_BYTES: 65_536 },
    batch: true,
  },
  {
    t: "error",
    ok: false,
    code: "RATE_LIMITED",
    message: "slow down",
    seq: 4,
    peer: ID,
    id: 2,
    retryAfter: 20.5,
    count: 3,
  },
  { t: "tx.result", id: 1, results: [{ ok: true, hash: "h" }, { ok: false, code: "X" }] },
  { t: "account.result", id: 1, account: { id: ID, balance: "10", nonce: 0, shard: 2 } },
  { t: "blocks.result", id: 1, shard: 1, head: HEADER },
  { t: "blocks.result", id: 1, shard: 1, head: null },
  { t: "block", header: HEADER, seq: 9 },
  { t: "sub.result", id: 1, topic: "news" },
  { t: "unsub.result", id: 1, topic: "news" },
  { t: "pub.result", id: 1, topic: "news", n: 3, duplicate: false },
  { t: "peers.result", id: 1, peers: [{ peer: ID, shard: 3 }] },
  { t: "provide.result", id: 1, root: "r", expires: 1 },
  { t: "unprovide.result", id: 1, root: "r" },
  { t: "providers.result", id: 1, root: "r", providers: [{ peer: ID, shard: 0, pieces: 4 }] },
  { t: "lookup.result", id: 1, peer: ID, shard: 0, online: false, lastSeen: null },
  { t: "lookup.result", id: 1, peer: ID, shard: 0, online: true, lastSeen: 17 },
  { t: "mail.result", id: 1, mid: "m", status: "stored" },
  {
    t: "topic",
    topic: "news",
    from: ID,
    n: 1,
    data: "hi",
    bin: false,
    sealed: true,
    sig: "s",
    seq: 812,
  },
  { t: "presence", peer: ID, event: "join", shard: 2, ts: 5, seq: 813 },
  { t: "mail", mid: "m", from: ID, ts: 5, data: "x", bin: true, sealed: false },
  { t: "mail.notice", mid: "m", ref: "r", to: ID, status: "expired", ts: 5 },
];

/** Values of every JSON kind, and the edges of the number checks. */
const ODD = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0.5,
  2 ** 53,
  "",
  "x",
  "join",
  "stored",
  [],
  [1],
  {},
  { ok: true },
];

const agree = (value: unknown) => {
  const text = JSON.stringify(value);
  const reference = ServerMessageSchema.safeParse(JSON.parse(text)).success;
  const checked = parseServerMessage(text) !== undefined;
  assertEquals(checked, reference, text);
};

Deno.test("server checks: every kind's valid message passes both", () => {
  for (const m of SAMPLES) {
    assert(parseServerMessage(JSON.stringify(m)) !== undefined, JSON.stringify(m));
    agree(m);
  }
});

Deno.test("server checks: the checks and the schema agree on messages made wrong", () => {
  const sample = fc.constantFrom(...SAMPLES);
  const mutated = fc.oneof(
    // A field gone.
    sample.chain((m) =>
      fc.constantFrom(...Object.keys(m)).map((k) => {
        const { [k]: _, ...rest } = m;
        return rest;
      })
    ),
    // A field of another kind.
    sample.chain((m) =>
      fc.tuple(fc.constantFrom(...Object.keys(m)), fc.constantFrom(...ODD)).map(([k, v]) => ({
        ...m,
        [k]: v,
      }))
    ),
    // A nested field of another kind (the header, the account, an item of a list).
    sample.filter((m) =>
      ["block", "account.result", "peers.result", "tx.result"].includes(
        m.t as string,
      )
    ).chain((m) =>
      fc.constantFrom(...ODD).map((v) => {
        const copy = structuredClone(m);
        if (copy.header) (copy.header as Record<string, unknown>).height = v;
        if (copy.account) (copy.account as Record<string, unknown>).balance = v;
        if (copy.peers) (copy.peers as unknown[])[0] = v;
        if (copy.results) (copy.results as Record<string, unknown>[])[0] = { ok: v };
        return copy;
      })
    ),
    // A field more, or another kind's `t`.
    sample.chain((m) => fc.constantFrom(...ODD).map((v) => ({ ...m, extra: v }))),
    sample.chain((m) =>
      fc.constantFrom(...SAMPLES.map((s) => s.t), "nothing", 1).map((t) => ({ ...m, t }))
    ),
    // Anything at all.
    fc.jsonValue(),
  );
  fc.assert(fc.property(mutated, (m) => agree(m)), { numRuns: 20_000 });
});

Deno.test("server checks: text that is not a JSON object is refused", () => {
  for (const text of ["", "pong", "[]", "null", "1", '"welcome"', "{", '{"t":"__proto__"}']) {
    assertEquals(parseServerMessage(text), undefined, text);
  }
});
