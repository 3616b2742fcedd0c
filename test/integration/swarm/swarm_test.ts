// File sharing on real workerd, over the relay: a fetch from several providers (one leaves
// half-way, one serves corrupted pieces), partial seeding, a byte range, and no providers.
import type { DownloadProgress, ProtocolError } from "../../../mod.ts";
import { PIECE_BYTES, PieceTree } from "../../../src/swarm/mod.ts";
import { type ContentSource, wholeSource } from "../../../src/swarm/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer } from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

function content(bytes: number): Uint8Array {
  return new Uint8Array(bytes).map((_, i) => (Math.imul(i, 2654435761) >>> 13) & 255);
}

const piecesOf = (bytes: Uint8Array) => (i: number) =>
  bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES);

Deno.test(
  "swarm: three providers, one leaves half-way, one corrupts: the copy is exact",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4, limits: { RATE_LIMIT_FRAMES_PER_SECOND: 5_000 } });
    try {
      const bytes = content(64 * PIECE_BYTES - 123);
      const [a, b, liar, me] = await Promise.all([1, 2, 3, 4].map(() => connectPeer(net)));
      const id = await a.swarm.share(bytes);
      assertEquals(await b.swarm.share(bytes), id);
      // The liar serves the same content id with every piece's bytes flipped.
      const tree = PieceTree.of(bytes);
      const honest = wholeSource(tree, piecesOf(bytes));
      const lying: ContentSource = {
        ...honest,
        read: async (i) => {
          const r = await honest.read(i);
          return { ...r, piece: r.piece.map((x) => x ^ 0xff) };
        },
      };
      await liar.swarm.serve(lying);
      let left = false;
      let last: DownloadProgress | undefined;
      const got = await me.swarm.fetch(id, {
        onProgress: (p) => {
          last = p;
          if (!left && p.done >= p.total / 2) {
            left = true;
            b.close(); // gone half-way
          }
        },
      });
      assertEquals(got, bytes);
      assert(last!.bad >= 3, `${last!.bad} bad pieces counted`);
      assertEquals(last!.dropped, 1, "the liar is marked and asked nothing more");
      console.log(
        `swarm: 64 pieces from 3 providers; served by a ${a.swarm.uploaded} B, ` +
          `b ${b.swarm.uploaded} B before leaving, the liar ${liar.swarm.uploaded} B`,
      );
      for (const p of [a, liar, me]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "swarm: content whose seeder is gone is fetched from one who fetched it",
  opts,
  async () => {
    const net = await startNetwork({ shards: 4 });
    try {
      const bytes = content(10 * PIECE_BYTES);
      const [seeder, first, second] = await Promise.all([1, 2, 3].map(() => connectPeer(net)));
      const id = await seeder.swarm.share(bytes);
      assertEquals(await first.swarm.fetch(id), bytes);
      await seeder.swarm.unshare(id);
      seeder.close();
      assertEquals(await second.swarm.fetch(id), bytes);
      assert(first.swarm.uploaded >= bytes.length, "the first downloader served it all");
      first.close();
      second.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test("swarm: a range fetches only the pieces that cover it", opts, async () => {
  const net = await startNetwork({ shards: 2, limits: { RATE_LIMIT_FRAMES_PER_SECOND: 5_000 } });
  try {
    // 1 MiB from the middle of 32 MiB, not on a piece boundary: 65 pieces of 2,048 cover it.
    const bytes = content(32 << 20);
    const [seeder, me] = await Promise.all([1, 2].map(() => connectPeer(net)));
    const id = await seeder.swarm.share(bytes);
    const offset = (16 << 20) + 100;
    const length = 1 << 20;
    const got = await me.swarm.fetch(id, { range: { offset, length } });
    assertEquals(got, bytes.subarray(offset, offset + length));
    assertEquals(seeder.swarm.uploaded / PIECE_BYTES, 65, "pieces 1024 to 1088, nothing else");
    seeder.close();
    me.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("swarm: no providers, or a malformed id, is a clear refusal", opts, async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const me = await connectPeer(net);
    const nobody = PieceTree.of(content(1000)).id.text;
    const started = Date.now();
    const error = await me.swarm.fetch(nobody, { findProvidersMs: 600 }).then(
      () => undefined,
      (e) => e as ProtocolError,
    );
    assertEquals(error?.code, "UNREACHABLE");
    assert(error!.message.includes("No provider") && Date.now() - started < 5_000);
    const bad = await me.swarm.fetch("nope").then(() => undefined, (e) => e as ProtocolError);
    assertEquals(bad?.code, "CONTENT_ID_MALFORMED");
    me.close();
  } finally {
    await net.dispose();
  }
});
