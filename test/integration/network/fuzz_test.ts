// 10,000 malformed frames, made by fast-check, on real workerd: each gets exactly one reply,
// nothing crashes, the ledger is what it was, and every reply passes the client's checks.
import fc from "fast-check";
import { Identity } from "../../../mod.ts";
import { encodeFrame, FRAME_SEND, parseServerMessage } from "../../../src/protocol/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { openBareSocket, waitUntil } from "../../support/peers.ts";
import { ServerMessageSchema } from "../../support/server_message_schema.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const FRAMES = 10_000;
const REQUEST_TYPES = ["tx", "account", "blocks", "sub", "unsub", "pub", "peers", "lookup", "mail"];

Deno.test("fuzz: 10,000 malformed frames get one reply each and change nothing", opts, async () => {
  const alice = await Identity.generate();
  const nobody = (await Identity.generate()).peerId;
  const net = await startNetwork({
    shards: 2,
    vars: { GENESIS: JSON.stringify({ [alice.peerId]: 1000 }) },
    limits: {
      RATE_LIMIT_FRAMES_PER_SECOND: 10_000_000,
      RATE_LIMIT_BURST_FRAMES: 10_000_000,
      ADDRESS_UNITS_PER_SECOND: 10_000_000,
      ADDRESS_BURST_UNITS: 10_000_000,
    },
  });
  try {
    const digest = async () =>
      JSON.stringify(
        await Promise.all([
          fetch(`${net.url}/v1/accounts/${alice.peerId}`).then((r) => r.json()),
          fetch(`${net.url}/v1/shards/0/head`).then((r) => r.json()),
          fetch(`${net.url}/v1/shards/1/head`).then((r) => r.json()),
        ]),
      );
    const before = await digest();
    // Every kind of bad input a client could send; none of them is a valid request.
    const text = fc.oneof(
      fc.string({ maxLength: 64 }).filter((s) => s !== "ping"),
      fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1)) + "\u0000"),
      fc.record({
        t: fc.string({ maxLength: 8 }).filter((t) =>
          !REQUEST_TYPES.includes(t) && t !== "mail.ack"
        ),
        id: fc.nat(),
      })
        .map((m) => JSON.stringify(m)),
      fc.record({
        t: fc.constantFrom(...REQUEST_TYPES),
        id: fc.oneof(fc.string(), fc.constant(-1), fc.constant(1.5), fc.constant(null)),
        topic: fc.anything(),
        count: fc.oneof(fc.constant(0), fc.constant(-3), fc.string()),
      }).map((m) => JSON.stringify(m)),
      fc.constantFrom("[]", "null", "42", '"t"', "{}", '{"t":1}'),
    );
    const binary = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      // Well-formed headers to a peer that is not connected, text flag on bad UTF-8.
      fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) =>
        encodeFrame(FRAME_SEND, nobody, 1, b.map((x) => x | 0x80), { text: true })
      ),
      fc.uint8Array({ minLength: 8, maxLength: 16 }).map((b) => {
        b[0] = 0x01;
        b[6] = 200; // a peer id length past the frame
        return b;
      }),
    );
    const frames = fc.sample(fc.oneof(text, binary), FRAMES);
    const heard: string[] = [];
    const ws = await openBareSocket(net, await Identity.generate(), heard);
    await waitUntil(() => heard.length >= 1);
    for (const f of frames) ws.send(f);
    await waitUntil(() => heard.length >= 1 + FRAMES, 60_000);
    await new Promise((r) => setTimeout(r, 500)); // nothing more comes
    const replies = heard.slice(1).map((t) => JSON.parse(t));
    assertEquals(replies.length, FRAMES, "one reply each");
    assert(replies.every((r) => r.t === "error" && r.ok === false), "each a refusal");
    const codes = new Map<string, number>();
    for (const r of replies) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    console.log(`fuzz: ${FRAMES} frames, refusals by code:`, Object.fromEntries(codes));
    ws.send(JSON.stringify({ t: "lookup", id: 1, peer: alice.peerId }));
    await waitUntil(() => heard.length >= 2 + FRAMES);
    assertEquals(JSON.parse(heard.at(-1)!).t, "lookup.result", "the socket still works");
    ws.close();
    // Every message the network sent passes the client's checks and the schema they follow.
    for (const t of heard) {
      assert(parseServerMessage(t) !== undefined, `the client's checks refuse ${t}`);
      assert(ServerMessageSchema.safeParse(JSON.parse(t)).success, `the schema refuses ${t}`);
    }
    assertEquals(await digest(), before, "the ledger is unchanged");
  } finally {
    await net.dispose();
  }
});
