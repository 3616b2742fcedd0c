// The piece store contract on every implementation, and what only the file store promises:
// a log cut short by a kill, a file already whole, a log that outlived its file.
import "fake-indexeddb/auto";
import { fileStore, indexedDbStore, memoryStore } from "../../mod.ts";
import {
  fileStore as moduleFileStore,
  PART_SUFFIX,
  PIECE_BYTES,
  PieceTree,
} from "../../src/swarm/mod.ts";
import { pieceStoreContract } from "./piece_store_contract.ts";
import { assert, assertEquals } from "../support/assert.ts";

pieceStoreContract("memoryStore", { fresh: () => memoryStore(), resumable: false });

const dir = await Deno.makeTempDir();
let files = 0;
// The root's (its code loaded on first use) and its module's.
pieceStoreContract("fileStore", {
  fresh: () => fileStore(`${dir}/${files++}.bin`),
  resumable: true,
});
pieceStoreContract("fileStore (its module)", {
  fresh: () => moduleFileStore(`${dir}/${files++}.bin`),
  resumable: true,
});

let dbs = 0;
pieceStoreContract("indexedDbStore", {
  fresh: () => indexedDbStore(`db-${dbs++}`),
  resumable: true,
});

const bytes = new Uint8Array(6 * PIECE_BYTES + 1_000).map((_, i) => (i * 131) & 255);
const tree = PieceTree.of(bytes);
const piece = (i: number) => bytes.subarray(i * PIECE_BYTES, (i + 1) * PIECE_BYTES);

Deno.test("fileStore: a log cut short by a kill loses only the piece being logged", async () => {
  const path = `${dir}/cut.bin`;
  const store = await fileStore(path)(tree.id);
  for (const i of [0, 1, 2]) await store.put(i, piece(i), tree.proof(i));
  await store.close();
  const log = await Deno.readFile(path + PART_SUFFIX);
  await Deno.writeFile(path + PART_SUFFIX, log.subarray(0, log.length - 3));
  const again = await fileStore(path)(tree.id);
  assertEquals((await again.held()).sort(), [0, 1]);
  await again.close();
});

Deno.test("fileStore: finished, the log goes; a file already whole is kept as it is", async () => {
  const path = `${dir}/whole.bin`;
  const store = await fileStore(path)(tree.id);
  for (let i = 0; i < tree.id.pieces; i++) await store.put(i, piece(i), tree.proof(i));
  await store.finish();
  await store.close();
  assertEquals(await Deno.readFile(path), bytes);
  const gone = await Deno.stat(path + PART_SUFFIX).then(() => false, () => true);
  assert(gone, "the log is removed once every piece is in");
  const again = await fileStore(path)(tree.id);
  assertEquals((await again.held()).length, tree.id.pieces, "nothing to fetch");
  assertEquals((await again.get(6))?.proof, tree.proof(6));
  await again.close();
  assertEquals(await Deno.readFile(path), bytes, "and the file untouched");
});

Deno.test("fileStore: another file at the path, or a log without its file, starts over", async () => {
  const path = `${dir}/other.bin`;
  await Deno.writeFile(path, new Uint8Array(500).fill(1));
  const store = await fileStore(path)(tree.id);
  assertEquals(await store.held(), []);
  await store.put(2, piece(2), tree.proof(2));
  await store.close();
  assertEquals((await Deno.stat(path)).size, bytes.length, "sized to the content");
  await Deno.remove(path);
  const again = await fileStore(path)(tree.id);
  assertEquals(await again.held(), []);
  await again.close();
});

Deno.test("indexedDbStore: a finished store closed lets its pieces go", async () => {
  const place = indexedDbStore("finished");
  const store = await place(tree.id);
  await store.put(0, piece(0), tree.proof(0));
  await store.close();
  const kept = await place(tree.id);
  assertEquals(await kept.held(), [0], "unfinished: kept for the next run");
  await kept.finish();
  await kept.close();
  const after = await place(tree.id);
  assertEquals(await after.held(), []);
  await after.close();
});
