import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { Identity } from "../../src/identity/identity.ts";
import { placesBySlot, SLOT_COUNT, slotOf } from "../../src/routing/slot.ts";
import { shardOf } from "../../src/routing/shard.ts";
import { SlotMap, type SlotMapJson } from "../../src/routing/slot_map.ts";
import {
  type SignedSlotMap,
  signSlotMap,
  slotMapMessage,
  verifySlotMap,
} from "../../src/routing/slot_map_signature.ts";
import { assert, assertEquals } from "../support/assert.ts";

// The placement before slots: the digest's first four bytes modulo the shard count.
function hashHome(key: string, shards: number): number {
  const d = sha256(new TextEncoder().encode(key));
  return (((d[0] << 24) | (d[1] << 16) | (d[2] << 8) | d[3]) >>> 0) % shards;
}

Deno.test("slotOf() is the first 4 bytes of SHA-256, big-endian, modulo 4096", () => {
  // SHA-256("abc") = ba7816bf…; 0xba7816bf = 3128432319
  assertEquals(slotOf("abc"), 3128432319 % 4096);
  assertEquals(slotOf(new TextEncoder().encode("abc")), slotOf("abc"));
});

Deno.test("slot map: a power-of-two network's first map keeps every key's home", () => {
  for (const shards of [1, 2, 8, 64, 1024]) {
    const map = SlotMap.initial(shards);
    for (let i = 0; i < 2_000; i++) {
      const key = `key-${shards}-${i}`;
      assertEquals(map.shardOf(key), hashHome(key, shards), key);
    }
  }
});

Deno.test("slot map: a count that is not a power of two keeps its placement and has no map", () => {
  for (const shards of [3, 6, 100, 1000]) {
    assert(!placesBySlot(shards), String(shards));
    for (let i = 0; i < 500; i++) assertEquals(shardOf(`k${i}`, shards), hashHome(`k${i}`, shards));
    let threw = false;
    try {
      SlotMap.initial(shards);
    } catch (e) {
      threw = e instanceof RangeError;
    }
    assert(threw, `no first map of ${shards} shards`);
  }
  for (const shards of [1, 2, 8, 1024]) assert(placesBySlot(shards), String(shards));
});

Deno.test("slot map: one written form per map; another base for the same slots is refused", () => {
  const eight = SlotMap.initial(8).toJSON();
  // The same assignment written against 16: every slot s with s mod 16 >= 8 listed.
  const moved: [number, number][] = [];
  for (let s = 0; s < SLOT_COUNT; s++) if (s % 16 !== s % 8) moved.push([s, s % 8]);
  const other = SlotMap.fromJSON({ ...eight, base: 16, moved });
  assertEquals((other as { code: string }).code, "BAD_SLOT_MAP");
  assert(SlotMap.fromJSON(eight) instanceof SlotMap);
});

Deno.test("slot map: the signed bytes, exactly", () => {
  const bytes = new TextDecoder().decode(slotMapMessage("dev", SlotMap.initial(2)));
  assertEquals(
    bytes,
    'superpeer-slot-map-v1\ndev\n{"version":1,"slots":4096,"shards":2,"base":2,"moved":[]}',
  );
});

Deno.test("slot map: doubling moves half of each shard to one new shard, and reads back short", () => {
  const eight = SlotMap.initial(8);
  const moves = new Map<number, number>();
  for (let k = 0; k < 8; k++) {
    for (const s of eight.slotsOf(k)) if (s % 16 !== k) moves.set(s, s % 16);
  }
  assertEquals(moves.size, SLOT_COUNT / 2);
  // Each moving slot goes from shard k to k + 8: a split, not a shuffle.
  for (const [s, to] of moves) assertEquals(to, eight.shardOfSlot(s) + 8);
  const sixteen = eight.assign(moves);
  assertEquals([sixteen.version, sixteen.shards], [2, 16]);
  // Written against the new modulo: nothing listed.
  assertEquals(sixteen.toJSON(), { version: 2, slots: 4096, shards: 16, base: 16, moved: [] });
  for (let i = 0; i < 1_000; i++) assertEquals(sixteen.shardOf(`k${i}`), hashHome(`k${i}`, 16));
  // Half way, the map lists the slots moved so far.
  const half = eight.assign(new Map([...moves].slice(0, 100)));
  assertEquals([half.toJSON().base, half.toJSON().moved.length, half.shards], [8, 100, 9]);
});

Deno.test("slot map: round-trips through JSON, canonical", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 6 }).map((k) => 2 ** k),
      fc.array(fc.tuple(fc.nat(SLOT_COUNT - 1), fc.nat(7)), { maxLength: 200 }),
      (shards, pairs) => {
        const first = SlotMap.initial(shards);
        let map: SlotMap;
        try {
          map = first.assign(new Map(pairs));
        } catch {
          return; // a shard left empty: refused, checked below
        }
        const read = SlotMap.fromJSON(JSON.parse(JSON.stringify(map)));
        assert(read instanceof SlotMap);
        assertEquals(read.toJSON(), map.toJSON());
        for (let s = 0; s < SLOT_COUNT; s += 37) {
          assertEquals(read.shardOfSlot(s), map.shardOfSlot(s));
        }
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("slot map: refuses a malformed map with BAD_SLOT_MAP", () => {
  const good = { version: 3, slots: 4096, shards: 4, base: 4, moved: [[1, 0], [5, 2]] };
  assert(SlotMap.fromJSON(good) instanceof SlotMap);
  const cases: [string, unknown][] = [
    ["not an object", "map"],
    ["version 0", { ...good, version: 0 }],
    ["another slot space", { ...good, slots: 1024 }],
    ["base 0", { ...good, base: 0 }],
    ["descending", { ...good, moved: [[5, 2], [1, 0]] }],
    ["a slot twice", { ...good, moved: [[1, 0], [1, 2]] }],
    ["a slot past the space", { ...good, moved: [[4096, 0]] }],
    ["a slot where the base puts it", { ...good, moved: [[1, 1]] }],
    ["a shard past the limit", { ...good, moved: [[1, 5000]] }],
    ["shards in use misstated", { ...good, shards: 5 }],
    ["too many moves", { ...good, moved: Array.from({ length: 4097 }, (_, i) => [i, 0]) }],
  ];
  for (const [what, json] of cases) {
    const read = SlotMap.fromJSON(json);
    assert(!(read instanceof SlotMap), what);
    assertEquals((read as { code: string }).code, "BAD_SLOT_MAP", what);
  }
  // A shard in the middle with no slot: every shard below the count holds one.
  const gap = { version: 1, slots: 4096, shards: 3, base: 1, moved: [[7, 2]] };
  assertEquals((SlotMap.fromJSON(gap) as { code: string }).code, "BAD_SLOT_MAP");
});

Deno.test("slot map: a move that would leave a shard empty is refused", () => {
  const two = SlotMap.initial(2);
  const all = new Map(two.slotsOf(1).map((s) => [s, 0]));
  let threw = false;
  try {
    two.assign(new Map([...all, [0, 2]]));
  } catch (e) {
    threw = e instanceof RangeError;
  }
  assert(threw, "shard 1 left with nothing");
  // Emptying the highest shard shrinks the map instead.
  assertEquals(two.assign(all).shards, 1);
});

Deno.test("slot map signature: the network's key verifies; anything else is refused", async () => {
  const key = await Identity.generate();
  const other = await Identity.generate();
  const map = SlotMap.initial(8).assign(new Map([[8, 8], [24, 8]]));
  const signed = await signSlotMap("dev", map, key);
  const ok = await verifySlotMap("dev", JSON.parse(JSON.stringify(signed)), key.peerId);
  assert(ok instanceof SlotMap);
  assertEquals(ok.shardOfSlot(8), 8);
  const refusals: [string, unknown, string, string][] = [
    [
      "a slot moved elsewhere",
      { ...signed, moved: [[8, 8], [24, 9]], shards: 10 },
      "dev",
      key.peerId,
    ],
    ["a newer version", { ...signed, version: 3 }, "dev", key.peerId],
    ["another network", signed, "prod", key.peerId],
    ["another key trusted", signed, "dev", other.peerId],
    ["signed by another key", await signSlotMap("dev", map, other), "dev", key.peerId],
    ["a signature of junk", { ...signed, sig: "!!" }, "dev", key.peerId],
  ];
  for (const [what, json, network, trusted] of refusals) {
    const read = await verifySlotMap(network, json, trusted);
    assert(!(read instanceof SlotMap), what);
    assertEquals((read as { code: string }).code, "BAD_SLOT_MAP", what);
  }
});

// The signed form lists the map's fields itself (the root exports it alone): a field added to
// one and not the other fails to type-check here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameFields: Same<Omit<SignedSlotMap, "key" | "sig">, SlotMapJson> = true;

Deno.test("slot map signature: the signed form has exactly the map's fields", () => {
  assert(sameFields);
});
