// A malicious relay between a peer and the network (a WebSocket proxy on loopback, as a super-peer
// broken into would sit): what it may try with hellos, sealed sessions and mail, on real workerd.
import { assert, assertEquals } from "../../support/assert.ts";
import { decodeFrame, encodeFrame, FRAME_DELIVER, FRAME_SEND } from "../../../src/protocol/mod.ts";
import {
  SEAL_DATA,
  SEAL_HELLO,
  SEAL_UNKNOWN_SESSION,
  SEAL_UNSUPPORTED,
} from "../../../src/seal/envelope.ts";
import { Peer, type SealError } from "../../../src/client/mod.ts";
import { Identity } from "../../../src/identity/mod.ts";
import { startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, UPGRADE_HEADERS, waitUntil } from "../../support/peers.ts";
import { type Frame, startMaliciousRelay } from "../../support/malicious_relay.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const MARK = "plaintext-marker-4c1d";
const has = (frame: Frame, text: string) =>
  (typeof frame === "string" ? frame : new TextDecoder("latin1").decode(frame)).includes(text);

function sealErrors(peer: Peer): SealError[] {
  const out: SealError[] = [];
  peer.addEventListener("seal.error", (e) => out.push((e as CustomEvent<SealError>).detail));
  return out;
}

function messages(peer: Peer): { data: unknown; sealed: boolean }[] {
  const out: { data: unknown; sealed: boolean }[] = [];
  peer.addEventListener("message", (e) => {
    const m = (e as CustomEvent).detail;
    out.push({ data: m.data, sealed: m.sealed });
  });
  return out;
}

Deno.test(
  "malicious relay: a hello a rogue server was given is refused by the real network, and the mail waits",
  opts,
  async () => {
    // The rogue server is not one of the network's: it keeps the hello and forwards nothing.
    const net = await startNetwork({ shards: 2 });
    const rogue = await startMaliciousRelay(() => net.url);
    try {
      rogue.forward = false;
      const victim = await Identity.generate();
      const sender = await connectPeer(net);
      for (const n of [1, 2, 3]) sender.send(victim.peerId, `mail ${n}`, { mailbox: true });
      // The victim dials the rogue server, which answers nothing: its hello is all it gets.
      const dialing = connectPeer(net, {
        identity: victim,
        url: rogue.url.replace("http:", "ws:"),
        connectTimeoutMs: 60_000,
      });
      dialing.catch(() => {});
      await waitUntil(() => rogue.links.length > 0);
      assert(rogue.links.length > 0, "the rogue server saw the victim's hello");
      // Presented to the real network, within the hello's life: refused, and nothing woken.
      const stolen = new URL(rogue.links[0].hello);
      const thief = new URL(`/v1/connect${stolen.search}`, net.url);
      const res = await fetch(thief, { headers: UPGRADE_HEADERS });
      const body = await res.json();
      assertEquals([res.status, body.code], [401, "HELLO_WRONG_ORIGIN"]);
      // The victim, on the real network, finds its mail waiting.
      const own = new Peer({ url: net.url, identity: victim, network: net.network });
      const got: unknown[] = [];
      own.addEventListener("mail", (e) => got.push((e as CustomEvent).detail.data));
      await own.connect();
      await waitUntil(() => got.length === 3);
      assertEquals(got, ["mail 1", "mail 2", "mail 3"]);
      for (const p of [sender, own]) p.close();
    } finally {
      await rogue.close();
      await net.dispose();
    }
  },
);

Deno.test(
  "malicious relay: forged 'no such session' and 'I do not seal' get nothing in clear, and its clear frames are refused",
  opts,
  async () => {
    // The relay is one of the network's: hellos signed for it are taken.
    const upstream = { url: "" };
    const relay = await startMaliciousRelay(() => upstream.url);
    const net = await startNetwork({ shards: 2, vars: { NETWORK_ORIGINS: relay.url } });
    upstream.url = net.url;
    try {
      const seal = { seal: "preferred" as const, batch: false };
      const b = await connectPeer(net, seal);
      const a = await connectPeer(net, { ...seal, url: relay.url.replace("http:", "ws:") });
      const carried: Frame[] = [];
      let session: Uint8Array | undefined;
      let dropHellos = false;
      relay.up = (frame, link) => {
        carried.push(frame);
        if (typeof frame === "string") return undefined;
        const d = decodeFrame(frame);
        if (!d.ok || d.frame.type !== FRAME_SEND || d.frame.peer !== b.peerId) return undefined;
        const kind = d.frame.sealed ? d.frame.payload[0] : undefined;
        if (kind === SEAL_DATA) session ??= d.frame.payload.slice(1, 9);
        if (dropHellos && kind === SEAL_HELLO) {
          // Dropped, and answered "I do not seal" as b.
          link.toPeer(encodeFrame(FRAME_DELIVER, b.peerId, 0, Uint8Array.of(SEAL_UNSUPPORTED), {
            sealed: true,
          }));
          return [];
        }
        return undefined;
      };
      const atB = messages(b);
      const atA = messages(a);
      const errors = sealErrors(a);
      a.send(b.peerId, "one");
      await waitUntil(() => atB.length === 1);
      assertEquals(atB, [{ data: "one", sealed: true }]);
      assert(session, "the relay saw the session's id");
      // The relay says b knows no such session, then that b does not seal.
      const link = relay.links[0];
      dropHellos = true;
      link.toPeer(
        encodeFrame(FRAME_DELIVER, b.peerId, 0, Uint8Array.of(SEAL_UNKNOWN_SESSION, ...session), {
          sealed: true,
        }),
      );
      link.toPeer(
        encodeFrame(FRAME_DELIVER, b.peerId, 0, Uint8Array.of(SEAL_UNSUPPORTED), { sealed: true }),
      );
      await new Promise((r) => setTimeout(r, 200));
      a.send(b.peerId, `${MARK} two`);
      // And passes a clear frame off as b's.
      link.toPeer(encodeFrame(FRAME_DELIVER, b.peerId, 7, `${MARK} forged as b`));
      await waitUntil(() => errors.some((e) => e.code === "SEAL_REQUIRED"));
      await new Promise((r) => setTimeout(r, 500));
      assert(!carried.some((f) => has(f, MARK)), "nothing the relay carried was in clear");
      // Outside, a sealed frame says nothing but that it is sealed (PROTOCOL.md section 13).
      const outer = carried.filter((f): f is Uint8Array =>
        typeof f !== "string" && f[0] === FRAME_SEND
      );
      assert(outer.length >= 2, `${outer.length} frames`);
      assertEquals(new Set(outer.map((f) => f[1])), new Set([0x20]));
      assert(!atA.some((m) => has(String(m.data), "forged")), "the forged frame is not a message");
      assert(atB.every((m) => m.sealed), "b took nothing in clear");
      assert(
        errors.some((e) => e.code === "SEAL_REQUIRED" && e.peer === b.peerId),
        JSON.stringify(errors),
      );
      for (const p of [a, b]) p.close();
    } finally {
      await relay.close();
      await net.dispose();
    }
  },
);
