// Sealed messages on real workerd: what the relay carries holds no plaintext, and a relay
// that alters, replays or re-addresses a sealed payload is caught by code.
import { assert, assertEquals } from "../../support/assert.ts";
import { DatabaseSync } from "node:sqlite";
import { decodeFrame, FRAME_DELIVER, relayFrame } from "../../../src/protocol/mod.ts";
import type { Peer, SealError } from "../../../src/client/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, take, waitUntil } from "../../support/peers.ts";
import { tappedSocket } from "../../support/tap.ts";
import { Identity } from "../../../src/identity/mod.ts";

const MARK = "plaintext-marker-7b3f";
const SEAL = { seal: "required" as const };
const has = (bytes: Uint8Array, text: string) =>
  new TextDecoder("latin1").decode(bytes).includes(text);

function sealErrors(peer: Peer): SealError[] {
  const out: SealError[] = [];
  peer.addEventListener("seal.error", (e) => out.push((e as CustomEvent<SealError>).detail));
  return out;
}

Deno.test("sealed: messages arrive, and the frames the relay carried hold no plaintext", async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const seen: Uint8Array[] = [];
    const a = await connectPeer(net, SEAL);
    const b = await connectPeer(net, {
      ...SEAL,
      WebSocket: tappedSocket((bytes, deliver) => (seen.push(bytes.slice()), deliver(bytes))),
    });
    const reader = b.messages()[Symbol.asyncIterator]();
    a.send(b.peerId, `${MARK} text`);
    a.send(b.peerId, new TextEncoder().encode(`${MARK} bytes`));
    const got = await take(reader, 2);
    assertEquals(got[0].data, `${MARK} text`);
    assertEquals(new TextDecoder().decode(got[1].data as Uint8Array), `${MARK} bytes`);
    assert(seen.length >= 1, "what the relay delivered passed the tap");
    for (const bytes of seen) assert(!has(bytes, MARK), "no plaintext on the relay");
    a.close();
    b.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("sealed: a turn's messages to a peer travel as few sealed frames, in order, each with its own number", async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    for (const reliable of [false, true]) {
      let sealedFrames = 0;
      const a = await connectPeer(net, { ...SEAL, reliable });
      const b = await connectPeer(net, {
        ...SEAL,
        reliable,
        batch: false, // the relay hands over each frame on its own: the tap counts them
        WebSocket: tappedSocket((bytes, deliver) => {
          const d = decodeFrame(bytes);
          if (d.ok && d.frame.sealed) sealedFrames++;
          assert(!has(bytes, MARK), "no plaintext on the relay");
          deliver(bytes);
        }),
      });
      const reader = b.messages()[Symbol.asyncIterator]();
      a.send(b.peerId, "first");
      await take(reader, 1); // the pair's session is made
      const before = sealedFrames;
      // Mixed sizes, 150 KB in all: more than one sealed frame can hold.
      const sizes = Array.from({ length: 60 }, (_, i) => [1, 40, 700, 9_000][i % 4] + i);
      const sent = sizes.map((n, i) => `${MARK}:${i}:`.padEnd(n, "x"));
      for (const [i, m] of sent.entries()) {
        a.send(b.peerId, i % 2 ? m : new TextEncoder().encode(m));
      }
      const got = await take(reader, sent.length);
      const texts = got.map((m) =>
        typeof m.data === "string" ? m.data : new TextDecoder().decode(m.data)
      );
      assertEquals(texts, sent);
      for (let i = 1; i < got.length; i++) assertEquals(got[i].seq, got[i - 1].seq + 1);
      const frames = sealedFrames - before;
      assert(frames >= 3 && frames < 10, `${sent.length} messages in ${frames} sealed frames`);
      a.close();
      b.close();
    }
  } finally {
    await net.dispose();
  }
});

Deno.test("sealed: an altered payload, a replay and a rewritten sender are refused by code", async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    let mode: "pass" | "alter" | "replay" | "resend" = "pass";
    const c = await connectPeer(net, SEAL);
    const b = await connectPeer(net, {
      ...SEAL,
      batch: false,
      WebSocket: tappedSocket((bytes, deliver) => {
        const d = decodeFrame(bytes);
        if (
          !d.ok || d.frame.type !== FRAME_DELIVER || !d.frame.sealed || d.frame.payload[0] !== 3
        ) {
          return deliver(bytes);
        }
        if (mode === "alter") bytes[bytes.length - 1] ^= 1;
        if (mode === "resend") {
          // The same sealed bytes, named as coming from another peer.
          return deliver(relayFrame(d.frame, c.peerId));
        }
        deliver(bytes);
        if (mode === "replay") deliver(bytes);
      }),
    });
    const a = await connectPeer(net, SEAL);
    const errors = sealErrors(b);
    const got: unknown[] = [];
    b.addEventListener("message", (e) => got.push((e as CustomEvent).detail.data));
    a.send(b.peerId, "one");
    await waitUntil(() => got.length === 1);
    mode = "alter";
    a.send(b.peerId, "two");
    await waitUntil(() => errors.length === 1);
    assertEquals(errors[0].code, "SEAL_BAD_TAG");
    mode = "replay";
    a.send(b.peerId, "three");
    await waitUntil(() => errors.length === 2);
    assertEquals(errors[1].code, "SEAL_REPLAYED");
    mode = "resend";
    a.send(b.peerId, "four");
    await waitUntil(() => errors.length === 3);
    assertEquals(errors[2].code, "SEAL_WRONG_SENDER");
    assertEquals(errors[2].peer, c.peerId);
    assertEquals(got, ["one", "three"], "only what was sealed, once, by its sender");
    for (const p of [a, b, c]) p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("sealed: mail to an offline peer is stored sealed and opened by it alone", async () => {
  const net = await startNetwork({ shards: 1 });
  try {
    const bob = await Identity.generate();
    const a = await connectPeer(net, SEAL);
    assertEquals(a.send(bob.peerId, `${MARK} mail`, { mailbox: true }), "sent");
    await new Promise((r) => setTimeout(r, 300));
    // The mailbox rows, as the super-peer stored them.
    let rows = "";
    for await (const f of Deno.readDir(`${net.persistDir}`)) {
      if (!f.isDirectory) continue;
      for await (const g of Deno.readDir(`${net.persistDir}/${f.name}`)) {
        if (!g.name.endsWith(".sqlite")) continue;
        const db = new DatabaseSync(`${net.persistDir}/${f.name}/${g.name}`, { readOnly: true });
        try {
          const r = db.prepare("SELECT body FROM mailbox").all() as { body: string }[];
          rows += r.map((x) => x.body).join("\n");
        } catch {
          // Not a shard's database.
        } finally {
          db.close();
        }
      }
    }
    assert(rows.includes('"sealed":true'), "the mail is stored");
    assert(!rows.includes(MARK), "no plaintext in the mailbox");
    const b = await connectPeer(net, { ...SEAL, identity: bob });
    const mail = await new Promise<CustomEvent>((resolve) =>
      b.addEventListener("mail", (e) => resolve(e as CustomEvent), { once: true })
    );
    assertEquals(mail.detail.data, `${MARK} mail`);
    assertEquals(mail.detail.from, a.peerId);
    a.close();
    b.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("sealed: a peer that does not seal says so, and the sender's policy decides", async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const plain = await connectPeer(net, { seal: false });
    const strict = await connectPeer(net, SEAL);
    const lenient = await connectPeer(net, { seal: "preferred" });
    const errors = sealErrors(strict);
    const got: unknown[] = [];
    plain.addEventListener("message", (e) => got.push((e as CustomEvent).detail.data));
    assertEquals(strict.send(plain.peerId, "not in clear"), "queued");
    await waitUntil(() => errors.length === 1);
    assertEquals(errors[0].code, "SEAL_UNSUPPORTED");
    lenient.send(plain.peerId, "in clear, as allowed");
    await waitUntil(() => got.length === 1);
    assertEquals(got, ["in clear, as allowed"]);
    // And what comes in clear to a peer that requires sealing is not delivered.
    plain.send(strict.peerId, "forgeable");
    await waitUntil(() => errors.length === 2);
    assertEquals(errors[1].code, "SEAL_REQUIRED");
    for (const p of [plain, strict, lenient]) p.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("sealed: a restart of the receiver re-keys, and reliable messages arrive once, in order", async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const bob = await Identity.generate();
    const a = await connectPeer(net, { ...SEAL, reliable: true });
    let b = await connectPeer(net, { ...SEAL, identity: bob, reliable: true });
    const got: string[] = [];
    const listen = (p: Peer) =>
      p.addEventListener("message", (e) => got.push((e as CustomEvent).detail.data));
    listen(b);
    for (let i = 0; i < 10; i++) a.send(bob.peerId, `m${i}`);
    await waitUntil(() => got.length === 10);
    // Its acknowledgements (sealed too) reach the sender before it goes: what a life
    // acknowledged is never delivered again by the next one.
    await new Promise((r) => setTimeout(r, 500));
    b.close();
    // A new life of the same identity: no session, no memory of the old one.
    b = await connectPeer(net, { ...SEAL, identity: bob, reliable: true });
    listen(b);
    for (let i = 10; i < 20; i++) a.send(bob.peerId, `m${i}`);
    await waitUntil(() => got.length === 20, 20_000);
    assertEquals(got, Array.from({ length: 20 }, (_, i) => `m${i}`));
    a.close();
    b.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("sealed: a message to a peer that is offline fails at once, and one sent when it is back arrives", async () => {
  const net = await startNetwork({ shards: 2 });
  try {
    const a = await connectPeer(net, SEAL);
    const errors = sealErrors(a);
    const refused: string[] = [];
    a.addEventListener("error", (e) => refused.push((e as CustomEvent).detail.code));
    const bId = await Identity.generate();
    assertEquals(a.send(bId.peerId, "while away"), "queued");
    // The network's refusal of the hello ends the handshake, not its 10 s timeout.
    await waitUntil(() => errors.length === 1, 5_000);
    assertEquals(errors.map((e) => e.code), ["SEAL_UNREACHABLE"]);
    assertEquals(refused, ["PEER_NOT_FOUND"]);
    const b = await connectPeer(net, { ...SEAL, identity: bId });
    const reader = b.messages()[Symbol.asyncIterator]();
    a.send(b.peerId, "back");
    assertEquals((await take(reader, 1))[0].data, "back");
    a.close();
    b.close();
  } finally {
    await net.dispose();
  }
});
