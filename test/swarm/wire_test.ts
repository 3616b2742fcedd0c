import fc from "fast-check";
import { contentId } from "../../src/swarm/content_id.ts";
import { decodeSwarm, encodeSwarm, SWARM, type SwarmMessage } from "../../src/swarm/wire.ts";
import { assert, assertEquals } from "../support/assert.ts";

const ids = fc.tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(2 ** 40)).map((
  [root, size],
) => contentId(root, size));
const messages: fc.Arbitrary<SwarmMessage> = fc.oneof(
  fc.record({ type: fc.constant(SWARM.REQUEST), id: ids, index: fc.nat(2 ** 32 - 1) }),
  fc.record({ type: fc.constant(SWARM.HAVE), id: ids, index: fc.nat(2 ** 32 - 1) }),
  fc.record({ type: fc.constant(SWARM.CANCEL), id: ids, index: fc.nat(2 ** 32 - 1) }),
  fc.record({
    type: fc.constant(SWARM.REJECT),
    id: ids,
    index: fc.nat(2 ** 32 - 1),
    code: fc.nat(255),
  }),
  fc.record({ type: fc.constant(SWARM.BITFIELD), id: ids, bits: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({
    type: fc.constant(SWARM.PIECE),
    id: ids,
    index: fc.nat(2 ** 32 - 1),
    proof: fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 32 }),
    piece: fc.uint8Array({ maxLength: 2_000 }),
  }),
) as fc.Arbitrary<SwarmMessage>;

Deno.test("swarm wire: every message reads back as it was written", () => {
  fc.assert(
    fc.property(messages, (m) => {
      const back = decodeSwarm(encodeSwarm(m))!;
      assertEquals(back.id.text, m.id.text);
      assertEquals({ ...back, id: undefined }, { ...m, id: undefined });
    }),
    { numRuns: 500 },
  );
});

Deno.test("swarm wire: malformed bytes never throw and never pass", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      decodeSwarm(bytes); // never throws
    }),
    { numRuns: 2_000 },
  );
  const id = contentId(new Uint8Array(32), 1);
  const request = encodeSwarm({ type: SWARM.REQUEST, id, index: 0 });
  assertEquals(decodeSwarm(request.subarray(0, request.length - 1)), undefined, "cut short");
  assertEquals(decodeSwarm(new Uint8Array([...request, 0])), undefined, "too long");
  const piece = encodeSwarm({
    type: SWARM.PIECE,
    id,
    index: 0,
    proof: [new Uint8Array(32)],
    piece: new Uint8Array(1),
  });
  const lying = piece.slice();
  lying[45] = 40; // a path of 40 hashes claimed
  assertEquals(decodeSwarm(lying), undefined);
  const unknown = request.slice();
  unknown[0] = 77;
  assertEquals(decodeSwarm(unknown), undefined);
  assert(decodeSwarm(piece)?.type === SWARM.PIECE);
});
