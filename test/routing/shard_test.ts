import { assertShardCount, shardName, shardOf } from "../../src/routing/mod.ts";
import { ShardQueue } from "../../src/routing/shard_queue.ts";
import { assert, assertEquals } from "../support/assert.ts";
import fc from "fast-check";

Deno.test("shardOf() is the first 4 bytes of SHA-256, big-endian, modulo the count", () => {
  // SHA-256("abc") = ba7816bf…; 0xba7816bf = 3128432319
  assertEquals(shardOf("abc", 1024), 3128432319 % 1024);
  assertEquals(shardOf("abc", 7), 3128432319 % 7);
  assertEquals(shardOf(new TextEncoder().encode("abc"), 7), shardOf("abc", 7));
});

Deno.test("shardOf() stays in range for any key and count", () => {
  fc.assert(fc.property(fc.string(), fc.integer({ min: 1, max: 1024 }), (key, n) => {
    const k = shardOf(key, n);
    assert(Number.isInteger(k) && k >= 0 && k < n);
  }));
});

Deno.test("shardOf() spreads keys evenly over 16 shards", () => {
  const counts = new Array(16).fill(0);
  for (let i = 0; i < 16_000; i++) counts[shardOf(`peer-${i}`, 16)]++;
  // Expected 1000 each; 5 standard deviations is about ±155.
  for (const c of counts) assert(c > 845 && c < 1155, `uneven: ${counts}`);
});

Deno.test("assertShardCount() refuses counts out of range", () => {
  for (const n of [0, -1, 1.5, 1025, NaN]) {
    try {
      assertShardCount(n);
      assert.fail(String(n));
    } catch (e) {
      assert(e instanceof RangeError);
    }
  }
  assertEquals(shardName("dev", 3), "dev/shard-3");
});

Deno.test("ShardQueue keeps order per shard, batches, and has one call in flight", async () => {
  const calls: [number, number[]][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const q = new ShardQueue<number>({
    async deliver(shard, items) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      calls.push([shard, items]);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return [];
    },
    onUndelivered: () => assert.fail("nothing should be undelivered"),
    maxQueued: 1000,
    maxBatch: 10,
  });
  for (let i = 0; i < 35; i++) q.push(1, i);
  await q.idle();
  const delivered = calls.flatMap(([, items]) => items);
  assertEquals(delivered, Array.from({ length: 35 }, (_, i) => i));
  assertEquals(maxInFlight, 1);
  assert(calls.every(([, items]) => items.length <= 10));
  assertEquals(calls[0][1].length, 10, "items pushed in one turn leave together");
});

Deno.test("ShardQueue reports missing and unreachable items and refuses past its bound", async () => {
  const undelivered: [number, string][] = [];
  let fail = false;
  const q = new ShardQueue<number>({
    deliver: (_shard, items) => {
      if (fail) return Promise.reject(new Error("down"));
      return Promise.resolve(items.flatMap((v, i) => v % 2 ? [i] : []));
    },
    onUndelivered: (item, reason) => undelivered.push([item, reason]),
    maxQueued: 3,
    maxBatch: 10,
  });
  assertEquals([1, 2, 3, 4].map((i) => q.push(0, i)), [true, true, true, false]);
  await q.idle();
  assertEquals(undelivered, [[1, "not_found"], [3, "not_found"]]);
  fail = true;
  q.push(0, 8);
  await q.idle();
  assertEquals(undelivered.at(-1), [8, "unreachable"]);
});

Deno.test("ShardQueue.drop takes back what waits, so nothing overtakes a failed batch", async () => {
  const delivered: number[] = [];
  const taken: number[] = [];
  let calls = 0;
  const q: ShardQueue<number> = new ShardQueue<number>({
    deliver: (_shard, items) => {
      // The first call fails; what waits behind it must not go on its own.
      if (calls++ === 0) return Promise.reject(new Error("down"));
      delivered.push(...items);
      return Promise.resolve([]);
    },
    onUndelivered: () => taken.push(...q.drop(0)),
    maxQueued: 100,
    maxBatch: 2,
  });
  for (let i = 1; i <= 5; i++) q.push(0, i);
  await q.idle();
  assertEquals(delivered, [], "nothing after the failed batch went");
  assertEquals(taken, [3, 4, 5], "what waited was taken back, in order");
  assertEquals(q.queued(0), 0);
  assertEquals(q.drop(7), [], "a shard never used has nothing waiting");
});
