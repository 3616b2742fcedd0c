// A peer's marks and their store: saved shortly after a change and on flush, loaded once, and
// a damaged or foreign save is no save at all.
import { PeerMarks } from "../../src/client/peer_marks.ts";
import {
  fileMarks,
  type MarksSnapshot,
  type MarksStore,
  parseMarks,
} from "../../src/client/marks_store.ts";
import { MARKS_SAVE_DELAY_MS } from "../../src/seal/seal_bounds.ts";
import { SEAL_MAIL_MAX_AGE_MS } from "../../src/seal/seal_bounds.ts";
import { assert, assertEquals } from "../support/assert.ts";

function memory(): MarksStore & { saves: MarksSnapshot[] } {
  const saves: MarksSnapshot[] = [];
  return {
    saves,
    load: (peer) => Promise.resolve(saves.findLast((s) => s.peer === peer)),
    save: (marks) => (saves.push(marks), Promise.resolve()),
  };
}

Deno.test("PeerMarks: changes are saved once, shortly after, and come back after a restart", async () => {
  const store = memory();
  const marks = new PeerMarks("me", store);
  await marks.load();
  marks.sealedBefore.add("friend");
  marks.sealedBefore.add("friend"); // no change
  marks.mail.take("k1", Date.now(), Date.now());
  marks.topics.take("news", "friend", 3);
  assertEquals(store.saves.length, 0, "not at once");
  await new Promise((r) => setTimeout(r, MARKS_SAVE_DELAY_MS + 100));
  assertEquals(store.saves.length, 1, "one save for the three changes");
  await marks.flush();
  assertEquals(store.saves.length, 1, "nothing changed since");

  const again = new PeerMarks("me", store);
  await again.load();
  assert(again.sealedBefore.has("friend"));
  assert(!again.mail.take("k1", Date.now(), Date.now()), "the mail key is kept");
  assert(!again.topics.take("news", "friend", 3), "the topic mark is kept");
  await again.flush();
  assertEquals(store.saves.length, 1, "a load and refusals are nothing to save");
});

Deno.test("PeerMarks: mail keys too old to be taken anyway are not restored", async () => {
  const store = memory();
  const now = Date.now();
  await store.save({
    peer: "me",
    sealedBefore: [],
    mail: [["old", now - SEAL_MAIL_MAX_AGE_MS - 1], ["new", now - 1_000]],
    topics: [],
  });
  const marks = new PeerMarks("me", store);
  await marks.load();
  assertEquals(marks.mail.entries().map(([k]) => k), ["new"]);
});

Deno.test("PeerMarks: without a store, or with false, nothing is saved and all still works", async () => {
  for (const marks of [new PeerMarks("me", false), new PeerMarks("me")]) {
    await marks.load();
    marks.sealedBefore.add("friend");
    await marks.flush();
    assert(marks.sealedBefore.has("friend"));
  }
});

Deno.test("fileMarks: a damaged file, or another identity's, starts empty; a save replaces it whole", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/m.json`;
    const store = fileMarks(path);
    assertEquals(await store.load("me"), undefined, "no file yet");
    await Deno.writeTextFile(path, '{"v":1,"peer":"me","sealedBefore":[');
    assertEquals(await store.load("me"), undefined, "a damaged file");
    const marks = new PeerMarks("me", store);
    await marks.load();
    marks.sealedBefore.add("friend");
    await marks.flush();
    assertEquals((await store.load("me"))?.sealedBefore, ["friend"]);
    assertEquals(await store.load("someone else"), undefined, "marks of another identity");
    const names = [];
    for await (const f of Deno.readDir(dir)) names.push(f.name);
    assertEquals(names, ["m.json"], "no temporary file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseMarks: only the shape it saves", () => {
  const good = { v: 1, peer: "p", sealedBefore: ["q"], mail: [["k", 1]], topics: [["t\nq", 2]] };
  assert(parseMarks(JSON.stringify(good), "p"));
  for (
    const bad of [
      { ...good, v: 2 },
      { ...good, sealedBefore: [1] },
      { ...good, mail: [["k"]] },
      { ...good, topics: [["t", "2"]] },
      null,
      [],
    ]
  ) assertEquals(parseMarks(JSON.stringify(bad), "p"), undefined, JSON.stringify(bad));
});
