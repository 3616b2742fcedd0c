// A malicious relay between a peer and the network (a WebSocket proxy on loopback, as a
// super-peer broken into would sit), against the same peer run in Deno, in Node and in
// Chromium, on real workerd: a rogue server's stolen hello, a downgrade by forged "no such
// session" and "I do not seal", clear frames passed off as another's, and mail and publishes
// played again after the peer restarts.
import { assert, assertEquals } from "../../support/assert.ts";
import { decodeFrame, encodeFrame, FRAME_DELIVER, FRAME_SEND } from "../../../src/protocol/mod.ts";
import {
  SEAL_DATA,
  SEAL_HELLO,
  SEAL_UNKNOWN_SESSION,
  SEAL_UNSUPPORTED,
} from "../../../src/seal/envelope.ts";
import { Identity } from "../../../src/identity/mod.ts";
import { type LocalNetwork, startNetwork } from "../../../scripts/local_network.ts";
import { connectPeer, UPGRADE_HEADERS, waitUntil } from "../../support/peers.ts";
import { type Frame, startMaliciousRelay } from "../../support/malicious_relay.ts";
import { launchChromium } from "../../support/chromium.ts";
import {
  chromiumVictim,
  denoVictim,
  nodeVictim,
  type Victim,
  type VictimEvents,
} from "../../support/victim.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const MARK = "plaintext-marker-4c1d";
const text = (f: Frame) => typeof f === "string" ? f : new TextDecoder("latin1").decode(f);
const ws = (url: string) => url.replace("http:", "ws:");

/** Every attack, in order, against one victim; `make` starts it in its runtime. */
async function attacks(make: (net: LocalNetwork, dir: string) => Promise<Victim>): Promise<void> {
  // The relay is one of the network's (hellos signed for it are taken); the rogue is not.
  const upstream = { url: "" };
  const relay = await startMaliciousRelay(() => upstream.url);
  const rogue = await startMaliciousRelay(() => upstream.url);
  rogue.forward = false;
  const net = await startNetwork({ shards: 2, vars: { NETWORK_ORIGINS: relay.url } });
  upstream.url = net.url;
  const dir = await Deno.makeTempDir();
  const victim = await make(net, dir);
  const events = () => victim.events();
  const until = async (what: string, ok: (e: VictimEvents) => boolean) => {
    await waitUntil(async () => ok(await events()), 15_000);
    assert(ok(await events()), `${victim.runtime}: ${what}: ${JSON.stringify(await events())}`);
  };
  try {
    const identity = await Identity.generate();
    const start = (url: string) => ({
      url: ws(url),
      identity: identity.toJSON(),
      seal: "preferred" as const,
      marksFile: `${dir}/victim.marks.json`,
    });

    // 1. A rogue server keeps the victim's hello: the network refuses it from anyone else.
    await victim.dial(start(rogue.url));
    await waitUntil(() => rogue.links.length > 0, 10_000);
    assert(rogue.links.length > 0, `${victim.runtime}: the rogue server saw a hello`);
    const stolen = new URL(rogue.links[0].hello).search;
    const res = await fetch(new URL(`/v1/connect${stolen}`, net.url), { headers: UPGRADE_HEADERS });
    assertEquals([res.status, (await res.json()).code], [401, "HELLO_WRONG_ORIGIN"]);
    await victim.close();

    // 2. Through the relay, which keeps what it may play again later.
    const kept: string[] = [];
    const carried: Frame[] = [];
    let session: Uint8Array | undefined;
    let dropHellos = false;
    const b = await connectPeer(net, { seal: "preferred", batch: false });
    const fromB = (payload: Uint8Array | string, seq = 0) =>
      encodeFrame(FRAME_DELIVER, b.peerId, seq, payload, { sealed: typeof payload !== "string" });
    relay.down = (frame) => {
      if (typeof frame === "string" && /"t":"(mail|topic)"/.test(frame)) kept.push(frame);
      return undefined;
    };
    relay.up = (frame, link) => {
      carried.push(frame);
      const d = typeof frame === "string" ? undefined : decodeFrame(frame);
      if (!d?.ok || d.frame.type !== FRAME_SEND || d.frame.peer !== b.peerId) return undefined;
      const kind = d.frame.sealed ? d.frame.payload[0] : undefined;
      if (kind === SEAL_DATA) session ??= d.frame.payload.slice(1, 9);
      if (!dropHellos || kind !== SEAL_HELLO) return undefined;
      link.toPeer(fromB(Uint8Array.of(SEAL_UNSUPPORTED))); // dropped, "answered" as b
      return [];
    };
    const atB: { data: unknown; sealed: boolean }[] = [];
    b.addEventListener("message", (e) => {
      const { data, sealed } = (e as CustomEvent).detail;
      atB.push({ data, sealed });
    });
    const sender = await connectPeer(net);
    await victim.start(start(relay.url));
    await victim.subscribe("orders");
    await victim.send(b.peerId, "sealed once");
    await sender.sendMail(identity.peerId, "PAY BOB 100");
    await sender.publish("orders", "SHIP 1 CRATE");
    await until("mail and publish taken", (e) => e.mail.length === 1 && e.topics.length === 1);
    await waitUntil(() => atB.length === 1);
    assertEquals(atB, [{ data: "sealed once", sealed: true }]);
    assertEquals(kept.length, 2, "the relay kept the mail and the publish");
    assert(session, "the relay saw the session's id");

    // 3. It talks the pair into clear, and passes a clear frame off as b's.
    dropHellos = true;
    const link = () => relay.links.at(-1)!;
    link().toPeer(fromB(Uint8Array.of(SEAL_UNKNOWN_SESSION, ...session)));
    link().toPeer(fromB(Uint8Array.of(SEAL_UNSUPPORTED)));
    await new Promise((r) => setTimeout(r, 200));
    await victim.send(b.peerId, `${MARK} two`);
    link().toPeer(fromB(`${MARK} forged as b`, 7));
    await until("clear frame refused", (e) => e.errors.some((x) => x.code === "SEAL_REQUIRED"));

    // 4. The victim restarts; the relay plays the mail and the publish again, and goes on.
    await victim.close();
    await victim.restart();
    await victim.start(start(relay.url));
    await victim.subscribe("orders");
    for (const frame of kept) link().toPeer(frame);
    await victim.send(b.peerId, `${MARK} three`);
    link().toPeer(fromB(`${MARK} forged again`, 9));
    await until(
      "replay and clear refused after the restart",
      (e) => ["SEAL_REPLAYED", "SEAL_REQUIRED"].every((c) => e.errors.some((x) => x.code === c)),
    );

    // 5. What is new still comes through.
    await sender.sendMail(identity.peerId, "PAY BOB 5");
    await sender.publish("orders", "SHIP 2 CRATES");
    await until("new mail and publish taken", (e) => e.mail.length === 1 && e.topics.length === 1);
    const after = await events();
    assertEquals([after.mail, after.topics], [["PAY BOB 5"], ["SHIP 2 CRATES"]]);
    assertEquals(after.messages, [], "nothing in clear taken as b's");
    assert(!carried.some((f) => text(f).includes(MARK)), "nothing the relay carried was in clear");
    assertEquals(atB.length, 1, "b took nothing in clear");
    // Outside, a sealed frame says nothing but that it is sealed (PROTOCOL.md section 13).
    const outer = carried.filter((f): f is Uint8Array => typeof f !== "string");
    assertEquals(new Set(outer.map((f) => f[1])), new Set([0x20]));
    for (const p of [b, sender]) p.close();
  } finally {
    await victim.dispose();
    await relay.close();
    await rogue.close();
    await net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("malicious relay: a Deno peer", opts, () => attacks((_net, dir) => denoVictim(dir)));

Deno.test("malicious relay: a Node peer", opts, () => attacks((_net, dir) => nodeVictim(dir)));

Deno.test("malicious relay: a Chromium peer", opts, async () => {
  const browser = await launchChromium();
  try {
    await attacks((net) => chromiumVictim(browser, net));
  } finally {
    await browser.close();
  }
});
