import { verifierOf, VERIFY_IN_FLIGHT, VERIFY_PART } from "../../workers/verifier.ts";
import { networkConfig } from "../../workers/config.ts";
import { assertEquals } from "../support/assert.ts";

const config = networkConfig({ NETWORK_ID: "n", SHARD_COUNT: "1" } as never);

/** A verifier binding that answers every part after `ms`, counting the calls out at once. */
function slowBinding(ms: number) {
  const seen = { out: 0, most: 0, calls: 0 };
  const binding = {
    async fetch(request: Request): Promise<Response> {
      seen.calls++;
      seen.most = Math.max(seen.most, ++seen.out);
      const part = await request.json() as unknown[];
      await new Promise((r) => setTimeout(r, ms));
      seen.out--;
      return Response.json(part.map(() => ({ hash: null, leaf: null, ok: false })));
    },
  };
  return { binding, seen };
}

Deno.test("a shard has at most VERIFY_IN_FLIGHT parts per binding at the verifier, across batches", async () => {
  const one = slowBinding(5);
  const two = slowBinding(5);
  const verify = verifierOf([one.binding, two.binding], config);
  // Two batches of 256 at once: 16 parts, in turn over the two bindings.
  const batch = Array.from({ length: 8 * VERIFY_PART }, () => ({}));
  const [a, b] = await Promise.all([verify(batch), verify(batch)]);
  assertEquals([a.length, b.length], [batch.length, batch.length]);
  assertEquals(one.seen.calls + two.seen.calls, 16);
  assertEquals(one.seen.most + two.seen.most <= 2 * VERIFY_IN_FLIGHT, true);
  // Both bindings are used, each up to its share.
  assertEquals([one.seen.most > 0, two.seen.most > 0], [true, true]);
  assertEquals([one.seen.out, two.seen.out], [0, 0]);
});

Deno.test("a failed part gives its slot back: the next batch is checked", async () => {
  let fail = true;
  const binding = {
    async fetch(request: Request): Promise<Response> {
      const part = await request.json() as unknown[];
      if (fail) return new Response("down", { status: 503 });
      return Response.json(part.map(() => ({ hash: null, leaf: null, ok: false })));
    },
  };
  const verify = verifierOf([binding], config);
  const batch = Array.from({ length: 4 * VERIFY_PART }, () => ({}));
  const refused = await verify(batch).then(() => "verified", (e: Error) => e.message);
  assertEquals(refused, "The verifier answered 503");
  fail = false;
  assertEquals((await verify(batch)).length, batch.length);
});
