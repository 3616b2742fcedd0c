/**
 * The contract every {@linkcode PieceStore} passes: memory, a file with its resume log, and
 * IndexedDB (here on an in-process IndexedDB; in Chromium by `browser_swarm_test.ts`).
 *
 * @module
 */
import type { ContentId, PieceStoreFactory } from "../../mod.ts";
import { PIECE_BYTES, PieceTree } from "../../src/swarm/mod.ts";
import { check, same } from "../support/plain_assert.ts";

/** One implementation under the contract. */
export interface StoreKind {
  /** A factory over a fresh place (a new file, a new database). */
  fresh(): PieceStoreFactory;
  /** Whether what was put survives a close and a reopen of the same place. */
  resumable: boolean;
}

interface Clause {
  name: string;
  run(kind: StoreKind): Promise<void>;
}

const CLAUSES: Clause[] = [];
function clause(name: string, run: (kind: StoreKind) => Promise<void>): void {
  CLAUSES.push({ name, run });
}

/**
 * Registers the contract's tests for one implementation.
 *
 * @param name Its name, in test names.
 * @param kind How to make it.
 */
export function pieceStoreContract(name: string, kind: StoreKind): void {
  for (const c of CLAUSES) Deno.test(`${name}: ${c.name}`, () => c.run(kind));
}

function content(size: number, salt = 0): { bytes: Uint8Array; tree: PieceTree; id: ContentId } {
  const bytes = new Uint8Array(size).map((_, i) => (Math.imul(i + salt, 2654435761) >>> 11) & 255);
  const tree = PieceTree.of(bytes);
  return { bytes, tree, id: tree.id };
}

const piece = (bytes: Uint8Array, i: number) =>
  bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES);

clause("a piece put comes back with its path; one never put does not", async (kind) => {
  const { bytes, tree, id } = content(3 * PIECE_BYTES + 100);
  const store = await kind.fresh()(id);
  await store.put(3, piece(bytes, 3), tree.proof(3));
  const got = await store.get(3);
  same(got?.piece, piece(bytes, 3).slice());
  same(got?.proof, tree.proof(3));
  same(await store.get(1), undefined);
  await store.close();
});

clause("pieces put at once all land", async (kind) => {
  const { bytes, tree, id } = content(40 * PIECE_BYTES);
  const place = kind.fresh();
  const store = await place(id);
  await Promise.all(
    Array.from({ length: 40 }, (_, i) => store.put(i, piece(bytes, i), tree.proof(i))),
  );
  for (let i = 0; i < 40; i++) same((await store.get(i))?.piece, piece(bytes, i).slice());
  await store.close();
  if (!kind.resumable) return;
  const again = await place(id);
  same((await again.held()).sort((a, b) => a - b), Array.from({ length: 40 }, (_, i) => i));
  await again.close();
});

clause("an unfinished store reopened holds what was put, and only that", async (kind) => {
  const { bytes, tree, id } = content(10 * PIECE_BYTES - 7);
  const place = kind.fresh();
  const store = await place(id);
  for (const i of [0, 4, 9]) await store.put(i, piece(bytes, i), tree.proof(i));
  same((await store.held()).sort((a, b) => a - b), [0, 4, 9]);
  await store.close();
  const again = await place(id);
  const held = (await again.held()).sort((a, b) => a - b);
  same(held, kind.resumable ? [0, 4, 9] : []);
  for (const i of held) same((await again.get(i))?.piece, piece(bytes, i).slice());
  await again.close();
});

clause("another content in the same place sees none of these pieces", async (kind) => {
  const a = content(5 * PIECE_BYTES, 1);
  const b = content(5 * PIECE_BYTES, 2);
  const place = kind.fresh();
  const store = await place(a.id);
  await store.put(1, piece(a.bytes, 1), a.tree.proof(1));
  await store.close();
  const other = await place(b.id);
  same(await other.held(), []);
  same(await other.get(1), undefined);
  await other.close();
});

clause("a finished store still serves its pieces until closed", async (kind) => {
  const { bytes, tree, id } = content(2 * PIECE_BYTES);
  const store = await kind.fresh()(id);
  for (const i of [0, 1]) await store.put(i, piece(bytes, i), tree.proof(i));
  await store.finish();
  check((await store.get(1))?.piece.length === PIECE_BYTES, "piece 1 served after finish");
  await store.close();
});
