// A malicious relay and a peer that restarts: what it took before (sealed mail, signed
// publishes) cannot be played to it again, and who sealed with it stays sealed, because the
// peer keeps its marks (here a file, as in Deno and Node; IndexedDB in a browser).
import { assert, assertEquals } from "../../support/assert.ts";
import { decodeFrame, encodeFrame, FRAME_DELIVER, FRAME_SEND } from "../../../src/protocol/mod.ts";
import { SEAL_HELLO, SEAL_UNSUPPORTED } from "../../../src/seal/envelope.ts";
import { fileMarks, type Peer, type PeerOptions, type SealError } from "../../../src/client/mod.ts";
import { Identity } from "../../../src/identity/mod.ts";
import { type LocalNetwork, startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, waitUntil } from "../../support/peers.ts";
import { type MaliciousRelay, startMaliciousRelay } from "../../support/malicious_relay.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const MARK = "plaintext-marker-e0a2";

/** A network whose relay for one peer is the attacker. */
async function networkBehindRelay(): Promise<{ net: LocalNetwork; relay: MaliciousRelay }> {
  const upstream = { url: "" };
  const relay = await startMaliciousRelay(() => upstream.url);
  const net = await startNetwork({ shards: 2, vars: { NETWORK_ORIGINS: relay.url } });
  upstream.url = net.url;
  return { net, relay };
}

function events(peer: Peer) {
  const mail: unknown[] = [];
  const topics: unknown[] = [];
  const messages: { data: unknown; sealed: boolean }[] = [];
  const errors: SealError[] = [];
  peer.addEventListener("mail", (e) => mail.push((e as CustomEvent).detail.data));
  peer.addEventListener("topic", (e) => topics.push((e as CustomEvent).detail.data));
  peer.addEventListener("message", (e) => {
    const { data, sealed } = (e as CustomEvent).detail;
    messages.push({ data, sealed });
  });
  peer.addEventListener("seal.error", (e) => errors.push((e as CustomEvent<SealError>).detail));
  return { mail, topics, messages, errors };
}

Deno.test(
  "malicious relay: mail and a publish taken before a restart are not taken again after it",
  opts,
  async () => {
    const { net, relay } = await networkBehindRelay();
    const dir = await Deno.makeTempDir();
    try {
      const victim = await Identity.generate();
      const viaRelay: Partial<PeerOptions> = {
        identity: victim,
        url: relay.url.replace("http:", "ws:"),
        marks: fileMarks(`${dir}/victim.marks.json`),
      };
      const kept: string[] = [];
      relay.down = (frame) => {
        if (typeof frame === "string" && /"t":"(mail|topic)"/.test(frame)) kept.push(frame);
        return undefined;
      };
      const sender = await connectPeer(net);
      const first = await connectPeer(net, viaRelay);
      const before = events(first);
      await first.subscribe("orders");
      await sender.sendMail(victim.peerId, "PAY BOB 100");
      await sender.publish("orders", "SHIP 1 CRATE");
      await waitUntil(() => before.mail.length === 1 && before.topics.length === 1);
      assertEquals([before.mail, before.topics], [["PAY BOB 100"], ["SHIP 1 CRATE"]]);
      assertEquals(kept.length, 2, "the relay kept both");
      first.close();
      await new Promise((r) => setTimeout(r, 300));

      // The client restarts; the relay plays both again, as the network would send them.
      const second = await connectPeer(net, viaRelay);
      const after = events(second);
      await second.subscribe("orders");
      for (const frame of kept) relay.links.at(-1)!.toPeer(frame);
      await waitUntil(() => after.errors.length >= 1);
      await new Promise((r) => setTimeout(r, 500));
      assertEquals(after.mail, [], "the mail is not taken twice");
      assertEquals(after.topics, [], "nor the publish");
      assert(after.errors.some((e) => e.code === "SEAL_REPLAYED"), JSON.stringify(after.errors));
      // What is new still comes through.
      await sender.sendMail(victim.peerId, "PAY BOB 5");
      await sender.publish("orders", "SHIP 2 CRATES");
      await waitUntil(() => after.mail.length === 1 && after.topics.length === 1);
      assertEquals([after.mail, after.topics], [["PAY BOB 5"], ["SHIP 2 CRATES"]]);
      for (const p of [sender, second]) p.close();
    } finally {
      await relay.close();
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "malicious relay: a peer that sealed before a restart stays sealed after it",
  opts,
  async () => {
    const { net, relay } = await networkBehindRelay();
    const dir = await Deno.makeTempDir();
    try {
      const seal = { seal: "preferred" as const, batch: false };
      const b = await connectPeer(net, seal);
      const viaRelay: Partial<PeerOptions> = {
        ...seal,
        identity: await Identity.generate(),
        url: relay.url.replace("http:", "ws:"),
        marks: fileMarks(`${dir}/a.marks.json`),
      };
      const first = await connectPeer(net, viaRelay);
      const atB = events(b);
      first.send(b.peerId, "sealed once");
      await waitUntil(() => atB.messages.length === 1);
      assertEquals(atB.messages, [{ data: "sealed once", sealed: true }]);
      first.close();
      await new Promise((r) => setTimeout(r, 300));

      // After the restart the relay drops every hello to b and answers "I do not seal" as b.
      const carried: (string | Uint8Array)[] = [];
      relay.up = (frame, link) => {
        carried.push(frame);
        if (typeof frame === "string") return undefined;
        const d = decodeFrame(frame);
        if (!d.ok || d.frame.type !== FRAME_SEND || d.frame.peer !== b.peerId) return undefined;
        if (!d.frame.sealed || d.frame.payload[0] !== SEAL_HELLO) return undefined;
        link.toPeer(
          encodeFrame(FRAME_DELIVER, b.peerId, 0, Uint8Array.of(SEAL_UNSUPPORTED), {
            sealed: true,
          }),
        );
        return [];
      };
      const second = await connectPeer(net, viaRelay);
      const atA = events(second);
      second.send(b.peerId, `${MARK} after the restart`);
      relay.links.at(-1)!.toPeer(encodeFrame(FRAME_DELIVER, b.peerId, 9, `${MARK} forged as b`));
      await waitUntil(() => atA.errors.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      const text = (f: string | Uint8Array) =>
        typeof f === "string" ? f : new TextDecoder("latin1").decode(f);
      assert(!carried.some((f) => text(f).includes(MARK)), "nothing went in clear");
      assertEquals(atA.messages, [], "nothing in clear taken as b's");
      assertEquals(atB.messages.length, 1, "b got nothing in clear");
      assert(atA.errors.some((e) => e.code === "SEAL_REQUIRED"), JSON.stringify(atA.errors));
      for (const p of [b, second]) p.close();
    } finally {
      await relay.close();
      await net.dispose();
      await Deno.remove(dir, { recursive: true });
    }
  },
);
