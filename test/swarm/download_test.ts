// Downloads over an in-memory swarm (the network's relay and direct paths come in their own
// tests): several providers, one that leaves half-way without a word, one that corrupts what
// it sends, a downloader that serves what it got to the next one, a range, a resume.
import { Bitfield } from "../../src/swarm/bitfield.ts";
import { PIECE_BYTES } from "../../src/swarm/content_id.ts";
import { Download } from "../../src/swarm/download.ts";
import { PieceTree } from "../../src/swarm/piece_tree.ts";
import { type ContentSource, Seeder, wholeSource } from "../../src/swarm/seeder.ts";
import { decodeSwarm, SWARM } from "../../src/swarm/wire.ts";
import { assert, assertEquals } from "../support/assert.ts";

/** A tiny network: peers by name, messages delivered a tick later, some peers silent. */
class Net {
  readonly seeders = new Map<string, Seeder>();
  readonly downloads = new Map<string, Download>();
  readonly silent = new Set<string>();
  readonly corrupt = new Set<string>();
  requests = new Map<string, number>();

  sender(from: string) {
    return (to: string, bytes: Uint8Array) => {
      if (this.silent.has(from) || this.silent.has(to)) return;
      setTimeout(() => this.#deliver(from, to, bytes), 0);
    };
  }

  #deliver(from: string, to: string, bytes: Uint8Array) {
    const m = decodeSwarm(bytes);
    if (!m) throw new Error("malformed");
    if (m.type === SWARM.REQUEST) {
      this.requests.set(to, (this.requests.get(to) ?? 0) + 1);
      void this.seeders.get(to)?.handle(from, m);
    } else if (m.type === SWARM.PIECE && this.corrupt.has(from)) {
      m.piece[0] ^= 0xff;
      void this.downloads.get(to)?.handle(from, m);
    } else void this.downloads.get(to)?.handle(from, m);
  }
}

function content(pieces: number): Uint8Array {
  return new Uint8Array(pieces * PIECE_BYTES - 100).map((_, i) =>
    (Math.imul(i, 2654435761) >>> 13) & 255
  );
}

const slice = (bytes: Uint8Array) => (i: number) =>
  bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES);

function downloader(
  net: Net,
  name: string,
  id: PieceTree["id"],
  extra: Partial<ConstructorParameters<typeof Download>[0]> = {},
) {
  const out = new Uint8Array(id.size);
  const proofs = new Map<number, Uint8Array[]>();
  const d = new Download({
    id,
    send: net.sender(name),
    sink: (i, piece, proof) => {
      out.set(piece, i * PIECE_BYTES);
      proofs.set(i, proof);
    },
    pieceTimeoutMs: 100,
    ...extra,
  });
  net.downloads.set(name, d);
  // What it got, served on: partial seeding.
  const source: ContentSource = {
    id,
    has: d.have,
    read: (i) =>
      Promise.resolve({
        piece: out.slice(
          i * PIECE_BYTES,
          i * PIECE_BYTES + Math.min(PIECE_BYTES, id.size - i * PIECE_BYTES),
        ),
        proof: proofs.get(i)!,
      }),
  };
  const seeder = new Seeder(net.sender(name));
  seeder.share(source);
  net.seeders.set(name, seeder);
  return { d, out };
}

Deno.test("swarm download: three providers, one leaves half-way, one corrupts: byte-identical", async () => {
  const bytes = content(40);
  const tree = PieceTree.of(bytes);
  const net = new Net();
  for (const name of ["a", "b", "c"]) {
    const s = new Seeder(net.sender(name));
    s.share(wholeSource(tree, slice(bytes)));
    net.seeders.set(name, s);
  }
  net.corrupt.add("c");
  const { d, out } = downloader(net, "me", tree.id);
  for (const name of ["a", "b", "c"]) d.addProvider(name, new Bitfield(tree.id.pieces, true));
  let leftAt = -1;
  d.onProgress = (p) => {
    if (leftAt < 0 && p.done >= 20) {
      leftAt = p.done;
      net.silent.add("b"); // gone without a word
    }
  };
  await d.finished;
  assertEquals(out, bytes);
  assert(d.dropped("c"), "the corrupting provider is dropped");
  assertEquals(d.progress.bad, 3, "after three bad pieces");
  assert(!d.dropped("a") && !d.dropped("b"));
  console.log(
    `swarm download: 40 pieces; b left at ${leftAt}, c dropped after 3 bad; served by a: ${
      net.requests.get("a")
    }, b: ${net.requests.get("b")}`,
  );
});

Deno.test("swarm download: the first downloader serves the second once the seeder is gone", async () => {
  const bytes = content(12);
  const tree = PieceTree.of(bytes);
  const net = new Net();
  const seed = new Seeder(net.sender("seed"));
  seed.share(wholeSource(tree, slice(bytes)));
  net.seeders.set("seed", seed);
  const first = downloader(net, "first", tree.id);
  first.d.addProvider("seed", new Bitfield(tree.id.pieces, true));
  await first.d.finished;
  net.silent.add("seed");
  const second = downloader(net, "second", tree.id);
  second.d.addProvider("first", first.d.have);
  await second.d.finished;
  assertEquals(second.out, bytes);
});

Deno.test("swarm download: a range asks only for its pieces; a resume only for what it lacks", async () => {
  const bytes = content(32);
  const tree = PieceTree.of(bytes);
  const net = new Net();
  const seed = new Seeder(net.sender("seed"));
  seed.share(wholeSource(tree, slice(bytes)));
  net.seeders.set("seed", seed);
  const range = downloader(net, "range", tree.id, { wanted: { first: 10, last: 13 } });
  range.d.addProvider("seed", new Bitfield(tree.id.pieces, true));
  await range.d.finished;
  assertEquals(net.requests.get("seed"), 4, "pieces 10 to 13, nothing else");
  assertEquals(
    range.out.subarray(10 * PIECE_BYTES, 14 * PIECE_BYTES),
    bytes.subarray(10 * PIECE_BYTES, 14 * PIECE_BYTES),
  );
  net.requests.clear();
  const resumed = downloader(net, "resumed", tree.id, {
    have: Array.from({ length: 30 }, (_, i) => i),
  });
  resumed.d.addProvider("seed", new Bitfield(tree.id.pieces, true));
  await resumed.d.finished;
  assertEquals(net.requests.get("seed"), 2, "only pieces 30 and 31");
});

Deno.test("swarm seeder: the upload rate paces pieces; past the requests served at once, busy", async () => {
  const bytes = content(8);
  const tree = PieceTree.of(bytes);
  let now = 0;
  const waits: number[] = [];
  const sent: number[] = [];
  const seeder = new Seeder((_to, b) => sent.push(decodeSwarm(b)!.type), {
    uploadBytesPerSecond: 10 * PIECE_BYTES,
    maxServing: 2,
    now: () => now,
    sleep: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  });
  seeder.share(wholeSource(tree, slice(bytes)));
  // A burst of one piece, then one piece per 100 ms: 3 pieces wait 0, 100 and 200 ms in all.
  for (let i = 0; i < 3; i++) {
    await seeder.handle("x", { type: SWARM.REQUEST, id: tree.id, index: i });
  }
  assertEquals(sent, [SWARM.PIECE, SWARM.PIECE, SWARM.PIECE]);
  assertEquals(waits.map(Math.round), [100, 100]);
  // Three at once with two served at a time: the third is busy.
  const at = [3, 4, 5].map((index) =>
    seeder.handle("x", { type: SWARM.REQUEST, id: tree.id, index })
  );
  await Promise.all(at);
  assertEquals(sent.slice(3).sort(), [SWARM.PIECE, SWARM.PIECE, SWARM.REJECT].sort());
  await seeder.handle("x", { type: SWARM.REQUEST, id: tree.id, index: 99 });
  assertEquals(sent.at(-1), SWARM.REJECT, "out of range");
});

Deno.test("swarm seeder: a request cancelled while it waits its turn is not sent", async () => {
  const bytes = content(4);
  const tree = PieceTree.of(bytes);
  const sent: number[] = [];
  let release = () => {};
  const seeder = new Seeder((_to, b) => sent.push((decodeSwarm(b) as { index: number }).index), {
    uploadBytesPerSecond: 10 * PIECE_BYTES,
    sleep: () => new Promise<void>((r) => release = r),
  });
  seeder.share(wholeSource(tree, slice(bytes)));
  await seeder.handle("x", { type: SWARM.REQUEST, id: tree.id, index: 0 }); // the burst
  const waiting = seeder.handle("x", { type: SWARM.REQUEST, id: tree.id, index: 1 });
  // Another peer's cancel, or one of another piece, lets nothing go.
  await seeder.handle("y", { type: SWARM.CANCEL, id: tree.id, index: 1 });
  await seeder.handle("x", { type: SWARM.CANCEL, id: tree.id, index: 2 });
  await seeder.handle("x", { type: SWARM.CANCEL, id: tree.id, index: 1 });
  release();
  await waiting;
  assertEquals(sent, [0]);
  assertEquals(seeder.uploaded, PIECE_BYTES);
});
