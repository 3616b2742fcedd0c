// Signed and sealed topics on real workerd: a relay that forges, alters or strips a publish
// is caught by code and delivers nothing; a topic with a shared key is readable by its
// members alone, and neither the frames nor the SQLite backlog hold its plaintext.
import { assert, assertEquals } from "../../support/assert.ts";
import type { Peer, SealError, TopicEvent } from "../../../src/client/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, identityOnShard, waitUntil } from "../../support/peers.ts";
import { tappedTextSocket } from "../../support/tap.ts";

const MARK = "plaintext-marker-91ce";
const opts = { sanitizeOps: false, sanitizeResources: false };

function record(peer: Peer) {
  const topics: TopicEvent[] = [];
  const errors: SealError[] = [];
  peer.addEventListener("topic", (e) => topics.push((e as CustomEvent<TopicEvent>).detail));
  peer.addEventListener("seal.error", (e) => errors.push((e as CustomEvent<SealError>).detail));
  return { topics, errors };
}

Deno.test(
  "sealed topics: a forged, altered or stripped publish is dropped by code",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      type Mode = "pass" | "alter" | "forge" | "strip" | "jump";
      let mode: Mode = "pass";
      const publisher = await connectPeer(net, { identity: await identityOnShard(0, 2) });
      const impostor = await connectPeer(net, { identity: await identityOnShard(1, 2) });
      // The subscriber's relay is the attacker: it rewrites topic messages on their way.
      const subscriber = await connectPeer(net, {
        identity: await identityOnShard(1, 2),
        WebSocket: tappedTextSocket((text, deliver) => {
          const m = JSON.parse(text);
          if (m.t !== "topic" || mode === "pass") return deliver(text);
          if (mode === "alter") m.data = m.data.replace("pay", "PAY");
          if (mode === "forge") m.from = impostor.peerId;
          if (mode === "strip") delete m.sig;
          // A high number on a forged copy must not hold back the genuine ones after it.
          if (mode === "jump") Object.assign(m, { n: m.n + 1e9, data: "forged" });
          deliver(JSON.stringify(m));
        }),
      });
      const got = record(subscriber);
      await subscriber.subscribe("market");
      const expect: [Mode, string | undefined][] = [
        ["alter", "SEAL_BAD_SIGNATURE"],
        ["forge", "SEAL_BAD_SIGNATURE"],
        ["strip", "SEAL_UNSIGNED"],
        ["jump", "SEAL_BAD_SIGNATURE"],
        ["pass", undefined],
      ];
      for (const [m, code] of expect) {
        mode = m;
        const before = got.errors.length;
        await publisher.publish("market", `pay 5 to carol (${m})`);
        if (code) {
          await waitUntil(() => got.errors.length > before, 10_000);
          assertEquals(got.errors.at(-1)?.code, code);
          assertEquals(got.errors.at(-1)?.peer, m === "forge" ? impostor.peerId : publisher.peerId);
        } else {
          await waitUntil(() => got.topics.length > 0, 10_000);
        }
      }
      await new Promise((r) => setTimeout(r, 200));
      assertEquals(got.topics.map((t) => [t.from, t.data]), [
        [publisher.peerId, "pay 5 to carol (pass)"],
      ], "only the genuine one, once");
      for (const p of [publisher, impostor, subscriber]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "sealed topics: with a shared key, members read; the relay and others do not",
  opts,
  async () => {
    const net = await startNetwork({ shards: 2 });
    try {
      const texts: string[] = [];
      const tap = tappedTextSocket((text, deliver) => (texts.push(text), deliver(text)));
      const key = "our shared secret";
      const alice = await connectPeer(net, { identity: await identityOnShard(0, 2) });
      const bob = await connectPeer(net, { identity: await identityOnShard(1, 2), WebSocket: tap });
      const carol = await connectPeer(net, { identity: await identityOnShard(1, 2) });
      const dave = await connectPeer(net, { identity: await identityOnShard(0, 2) });
      const [atBob, atCarol, atDave] = [record(bob), record(carol), record(dave)];
      await bob.subscribe("club", { key });
      await carol.subscribe("club"); // not a member: no key
      await dave.subscribe("club", { key: "a guess" });
      await alice.publish("club", `${MARK} text`, { key });
      await alice.publish("club", new TextEncoder().encode(`${MARK} bytes`));
      await waitUntil(() => atBob.topics.length === 2, 10_000);
      assertEquals(atBob.topics.map((t) => t.data), [
        `${MARK} text`,
        new TextEncoder().encode(`${MARK} bytes`),
      ]);
      await waitUntil(() => atCarol.errors.length === 2 && atDave.errors.length === 2, 10_000);
      assertEquals(atCarol.errors.map((e) => e.code), ["SEAL_NO_KEY", "SEAL_NO_KEY"]);
      assertEquals(atDave.errors.map((e) => e.code), ["SEAL_BAD_TAG", "SEAL_BAD_TAG"]);
      assertEquals([atCarol.topics.length, atDave.topics.length], [0, 0]);
      // What the relay handed over, and every file of the network's storage (the subscribers'
      // backlog is in SQLite), hold no plaintext.
      const topicTexts = texts.filter((t) => t.startsWith("{") && JSON.parse(t).t === "topic");
      assertEquals(topicTexts.length, 2);
      assert(topicTexts.every((t) => !t.includes(MARK) && !t.includes(btoa(MARK).slice(0, 12))));
      const latin1 = new TextDecoder("latin1");
      let files = 0;
      for await (const path of walk(net.persistDir)) {
        files++;
        assert(!latin1.decode(await Deno.readFile(path)).includes(MARK), `plaintext in ${path}`);
      }
      assert(files > 0, "the storage was read");
      for (const p of [alice, bob, carol, dave]) p.close();
    } finally {
      await net.dispose();
    }
  },
);

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else if (entry.isFile) yield path;
  }
}

Deno.test(
  "sealed topics: a publish whose signature is not 86 base64url characters is refused as BAD_FRAME",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1 });
    try {
      const peer = await connectPeer(net);
      for (const sig of ["", "A".repeat(85), "A".repeat(87), "!".repeat(86), "A".repeat(10_000)]) {
        const refused = await peer.request({ t: "pub", topic: "t", n: 1, data: "x", sig }).then(
          () => undefined,
          (error: { code?: string }) => error.code,
        );
        assertEquals(refused, "BAD_FRAME", `sig of ${sig.length} characters`);
      }
      // The connection goes on: a well-formed publish is taken.
      assert((await peer.publish("t", "fine")) > 0);
      peer.close();
    } finally {
      await net.dispose();
    }
  },
);
