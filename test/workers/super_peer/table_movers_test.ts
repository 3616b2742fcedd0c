// How a room's rows are cut to travel with a slot: pure, no storage.
import { inPieces } from "../../../workers/super_peer/table_movers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

Deno.test("inPieces: every row once, in order, at most 1,000 of one table a piece", () => {
  const rows = (n: number, tag: string) => Array.from({ length: n }, (_, i) => [`${tag}${i}`]);
  const tables = { provider: rows(2_500, "p"), away: rows(3, "a") };
  const pieces = inPieces(tables);
  assertEquals(pieces.length, 4);
  for (const piece of pieces) {
    assert(piece.provider.length <= 1_000 && piece.away.length <= 1_000);
    assert(piece.provider.length === 0 || piece.away.length === 0, "one table a piece");
  }
  assertEquals(pieces.flatMap((p) => p.provider), tables.provider);
  assertEquals(pieces.flatMap((p) => p.away), tables.away);
});

Deno.test("inPieces: no rows is one empty piece, so a room's arrival still runs", () => {
  assertEquals(inPieces({ peers: [], buckets: [] }), [{ peers: [], buckets: [] }]);
});
