// The download state machine driven through random swarms: providers with random pieces,
// some that leave, some that lie, answers in any order. Whatever happens, a download whose
// wanted pieces an honest provider holds completes, asks only for pieces that are wanted,
// missing and held by whom it asks, and drops exactly the liars.
import fc from "fast-check";
import { Bitfield } from "../../src/swarm/bitfield.ts";
import { Picker } from "../../src/swarm/picker.ts";
import { assert, assertEquals } from "../support/assert.ts";

interface Sim {
  pieces: number;
  honest: number[][];
  liars: number;
  leaveAt: number[];
  first: number;
  span: number;
  have: number[];
  seed: number;
}

const sims = fc.record({
  pieces: fc.integer({ min: 1, max: 60 }),
  honest: fc.array(fc.array(fc.nat(59)), { minLength: 0, maxLength: 4 }),
  liars: fc.nat(2),
  leaveAt: fc.array(fc.nat(200), { maxLength: 3 }),
  first: fc.nat(59),
  span: fc.nat(59),
  have: fc.array(fc.nat(59), { maxLength: 10 }),
  seed: fc.nat(),
});

function run(s: Sim) {
  let seed = s.seed;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const first = s.first % s.pieces;
  const last = Math.min(s.pieces - 1, first + s.span);
  const have = s.have.filter((i) => i < s.pieces);
  const picker = new Picker({ pieces: s.pieces, wanted: { first, last }, have, random });
  // One full seeder always stays; others have random pieces, may leave; liars have all.
  const providers = new Map<string, { has: Bitfield; liar: boolean; leaveAt?: number }>();
  providers.set("seed", { has: new Bitfield(s.pieces, true), liar: false });
  s.honest.forEach((pieces, k) => {
    const has = new Bitfield(s.pieces);
    for (const i of pieces) if (i < s.pieces) has.set(i);
    providers.set(`p${k}`, { has, liar: false, leaveAt: s.leaveAt[k] });
  });
  for (let k = 0; k < s.liars; k++) {
    providers.set(`liar${k}`, { has: new Bitfield(s.pieces, true), liar: true });
  }
  for (const [id, p] of providers) picker.addProvider(id, p.has);
  const inFlight: { id: string; index: number }[] = [];
  const bad = new Map<string, number>();
  let steps = 0;
  while (!picker.done && steps++ < 10_000) {
    for (const [id, p] of providers) {
      if (p.leaveAt !== undefined && steps >= p.leaveAt) {
        picker.removeProvider(id);
        providers.delete(id);
        continue;
      }
      for (let i = picker.next(id); i !== undefined; i = picker.next(id)) {
        assert(i >= first && i <= last, `piece ${i} is wanted`);
        assert(!picker.have.has(i), `piece ${i} is missing`);
        assert(p.has.has(i), `${id} has piece ${i}`);
        inFlight.push({ id, index: i });
      }
    }
    if (inFlight.length === 0) continue;
    // Answers in any order; a departed provider's never come.
    const { id, index } = inFlight.splice(Math.floor(random() * inFlight.length), 1)[0];
    const p = providers.get(id);
    if (!p) continue;
    const r = picker.received(id, index, !p.liar);
    if (r.status === "bad") bad.set(id, (bad.get(id) ?? 0) + 1);
    if (r.status === "stored") {
      for (const other of r.cancel) {
        const k = inFlight.findIndex((f) => f.id === other && f.index === index);
        if (k >= 0) inFlight.splice(k, 1);
      }
    }
  }
  return { picker, first, last, bad };
}

Deno.test("swarm picker: completes through leavers and liars, drops exactly the liars", () => {
  fc.assert(
    fc.property(sims, (s) => {
      const { picker, first, last, bad } = run(s);
      assert(picker.done, "done");
      for (let i = first; i <= last; i++) assert(picker.have.has(i), `piece ${i} held`);
      for (const [id, n] of bad) {
        assert(id.startsWith("liar"), `only liars send bad pieces: ${id}`);
        // Dropped at its third bad piece, and asked nothing after.
        assertEquals(picker.dropped(id), n >= 3, `${id} sent ${n} bad pieces`);
        assert(n <= 3 + 16, `${id} was not asked much after its strikes`);
      }
      for (const id of ["seed", "p0", "p1", "p2", "p3"]) assert(!picker.dropped(id), id);
    }),
    { numRuns: 300 },
  );
});

Deno.test("swarm picker: rarest first; a liar is dropped after its third bad piece", () => {
  const picker = new Picker({ pieces: 4, random: () => 0 });
  const common = new Bitfield(4, true);
  const rare = new Bitfield(4);
  rare.set(2);
  picker.addProvider("a", common);
  picker.addProvider("b", rare);
  assertEquals(picker.next("a"), 0, "pieces 0, 1, 3 are as common; 2 is rarer, but b has it");
  assertEquals(picker.next("b"), 2, "the rare one from the only other holder");
  const liar = new Picker({ pieces: 9, random: () => 0 });
  liar.addProvider("x", new Bitfield(9, true));
  const arrivals = [0, 1, 2].map(() => liar.received("x", liar.next("x")!, false));
  assertEquals(arrivals.map((a) => a.status === "bad" && a.dropped), [false, false, true]);
  assertEquals(liar.next("x"), undefined);
  assertEquals(liar.missing, 9, "nothing bad was kept");
});

Deno.test("swarm picker: end-game asks a second provider, and the first answer cancels the rest", () => {
  const picker = new Picker({ pieces: 1 });
  picker.addProvider("a", new Bitfield(1, true));
  picker.addProvider("b", new Bitfield(1, true));
  assertEquals(picker.next("a"), 0);
  assertEquals(picker.next("b"), 0, "nothing else left: the same piece from b too");
  const r = picker.received("b", 0, true);
  assertEquals(r, { status: "stored", cancel: ["a"] });
  assertEquals(picker.received("a", 0, true), { status: "duplicate" });
  assert(picker.done);
});

Deno.test("swarm picker: a resumed download asks only for what it lacks", () => {
  const picker = new Picker({ pieces: 6, have: [0, 1, 2, 3] });
  picker.addProvider("a", new Bitfield(6, true));
  const asked = [picker.next("a"), picker.next("a"), picker.next("a")];
  assertEquals(asked.filter((i) => i !== undefined).sort(), [4, 5]);
});

Deno.test("swarm bitfield: one wire form per set; wrong lengths and spare bits refused", () => {
  const b = new Bitfield(10);
  for (const i of [0, 7, 8, 9]) b.set(i);
  const again = Bitfield.decode(b.encode(), 10)!;
  assertEquals([...again], [0, 7, 8, 9]);
  assertEquals(Bitfield.decode(b.encode(), 17), undefined, "wrong length");
  assertEquals(Bitfield.decode("__8", 10), undefined, "a spare bit set");
  assertEquals(Bitfield.decode("!!", 10), undefined, "not base64url");
  assertEquals(Bitfield.decode(42, 10), undefined);
  assert(new Bitfield(5, true).complete);
});
