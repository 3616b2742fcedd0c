// Answers to junk are not the victim's cost, on real workerd: attackers send a victim sealed
// junk (data frames for sessions that do not exist), which its sealer answers on its own
// ("no such session", or "I do not seal"). Those answers are never charged to the victim, so it
// keeps every message it sends and is never closed for flooding. And a peer closed for
// flooding is not served after the frames still on their way in on its old socket.
import { Identity, type Peer, type PeerMessage } from "../../../mod.ts";
import {
  connectUrl,
  DEFAULT_LIMITS,
  encodeFrame,
  FRAME_SEND,
  signHello,
  type StatsAnswer,
} from "../../../src/protocol/mod.ts";
import { DATA_OVERHEAD, SEAL_DATA } from "../../../src/seal/mod.ts";
import { startNetwork, TEST_ADDRESS_HEADER } from "../../../scripts/local_network.ts";
import {
  connectPeer,
  identityOnShard,
  openBareSocket,
  take,
  waitUntil,
} from "../../support/peers.ts";
import { assert, assertEquals } from "../../support/assert.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ATTACKERS = 16;
const MESSAGES = 60;

/** A sealed data frame for a session id nobody holds. */
function junk(to: string, seq: number): Uint8Array {
  const payload = crypto.getRandomValues(new Uint8Array(DATA_OVERHEAD + 8));
  payload[0] = SEAL_DATA;
  return encodeFrame(FRAME_SEND, to, seq, payload, { sealed: true });
}

/** Closes and refusals a peer saw. */
function watch(peer: Peer) {
  const seen = { closes: [] as number[], refused: [] as string[] };
  peer.addEventListener("reconnecting", (e) => {
    seen.closes.push((e as CustomEvent<{ code: number }>).detail.code);
  });
  peer.addEventListener("error", (e) => {
    seen.refused.push((e as CustomEvent<{ code: string }>).detail.code);
  });
  return seen;
}

async function victimUnderAttack(seal: false | "preferred") {
  // One shard: attackers, victim and friend share it, and every answer meets the relay there.
  const net = await startNetwork({ shards: 1 });
  try {
    const victim = await connectPeer(net, { seal });
    const friend = await connectPeer(net, { seal });
    const seen = watch(victim);
    const inbox = friend.messages();
    // Each attacker from an address of its own, none the victim's: nothing shared but the shard.
    const attackers = await Promise.all(
      Array.from(
        { length: ATTACKERS },
        async (_, i) =>
          openBareSocket(net, await Identity.generate(), [], {
            [TEST_ADDRESS_HEADER]: `203.0.113.${i + 1}`,
          }),
      ),
    );
    let junkSent = 0;
    let flooding = true;
    const floods = attackers.map(async (ws) => {
      let seq = 0;
      while (flooding && ws.readyState === WebSocket.OPEN) {
        // As fast as its own limits let it, and past them: its refusals are its own.
        for (let i = 0; i < 100; i++) ws.send(junk(victim.peerId, ++seq));
        junkSent += 100;
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    await new Promise((r) => setTimeout(r, 300)); // the flood is on
    for (let i = 0; i < MESSAGES; i++) {
      victim.send(friend.peerId, `m${i}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const got = await take(inbox, MESSAGES, 60_000) as PeerMessage[];
    flooding = false;
    await Promise.all(floods);
    assertEquals(got.map((m) => m.data), Array.from({ length: MESSAGES }, (_, i) => `m${i}`));
    assert(junkSent > 10_000, `the flood was real: ${junkSent} junk frames`);
    assertEquals(seen.closes, [], "the victim was never closed");
    assertEquals(seen.refused.filter((c) => c === "RATE_LIMITED"), []);
    for (const ws of attackers) ws.close();
    victim.close();
    friend.close();
  } finally {
    await net.dispose();
  }
}

Deno.test(
  "answers: a sealing victim of 16 junk senders keeps every message, never closed",
  opts,
  () => victimUnderAttack("preferred"),
);

Deno.test(
  "answers: a victim that does not seal keeps every message, never closed",
  opts,
  () => victimUnderAttack(false),
);

Deno.test(
  "answers: a peer closed for flooding is refused at once, with when to come back",
  opts,
  async () => {
    const net = await startNetwork({ shards: 1, limits: { FLOOD_COOLDOWN_MS: 3_000 } });
    try {
      const identity = await identityOnShard(0, 1);
      const ws = await openBareSocket(net, identity, []);
      const closed = new Promise<number>((r) => ws.onclose = (e) => r(e.code));
      // Far more junk than the shard reads before it closes the socket.
      const FLOOD = 30_000;
      for (let i = 0; i < FLOOD; i++) ws.send("not json");
      assertEquals(await closed, 4003);
      // At once, not after the old socket's backlog: refused, with the wait.
      const url = connectUrl(net.url, await signHello(identity, net.network, net.url));
      const res = await fetch(url.replace(/^ws/, "http"));
      const body = await res.json();
      assertEquals([res.status, body.code], [429, "RATE_LIMITED"]);
      assert(body.retryAfter > 0 && body.retryAfter <= 3_000, `retryAfter ${body.retryAfter}`);
      // The edge remembers: the next hello of that id is refused before its signature is
      // checked (a forged one too, which would otherwise be a 401), with what is left to wait.
      const forged = new URL(url.replace(/^ws/, "http"));
      forged.searchParams.set("sig", "A".repeat(86));
      const early = await fetch(forged);
      const earlyBody = await early.json();
      assertEquals([early.status, earlyBody.code], [429, "RATE_LIMITED"]);
      assert(earlyBody.retryAfter <= body.retryAfter, `retryAfter ${earlyBody.retryAfter}`);
      // A client told to wait waits, then connects, and its request is answered.
      const again = await connectPeer(net, { identity });
      const answer = await again.lookup(identity.peerId);
      assertEquals(answer.online, true);
      // The frames still on their way in on the closed socket were dropped unread: the shard
      // answered a few hundred, not the thousands sent.
      const stats = await fetch(`${net.url}/v1/shards/0/stats`);
      const refused = (await stats.json() as StatsAnswer).refused;
      assert(refused < FLOOD / 4, `refused ${refused} of ${FLOOD}`);
      again.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "answers: automatic answers cost nothing, and past their bucket are dropped silently",
  opts,
  async () => {
    // A budget of a single relayed frame, and room for ten answers.
    const net = await startNetwork({
      shards: 1,
      limits: {
        RATE_LIMIT_BURST_FRAMES: DEFAULT_LIMITS.COST_RELAY_FRAME,
        RATE_LIMIT_FRAMES_PER_SECOND: 1,
        ANSWER_BURST_FRAMES: 10,
        ANSWER_FRAMES_PER_SECOND: 1,
      },
    });
    try {
      const heard: string[] = [];
      const answerer = await openBareSocket(net, await Identity.generate(), heard);
      const other = await connectPeer(net, { seal: false });
      const to = other.peerId;
      // 200 "I do not seal" answers, then one plain frame.
      for (let i = 0; i < 200; i++) {
        answerer.send(encodeFrame(FRAME_SEND, to, i, new Uint8Array([6]), { sealed: true }));
      }
      answerer.send(encodeFrame(FRAME_SEND, to, 500, "plain"));
      await new Promise((r) => setTimeout(r, 1_500));
      // No answer was refused, and the plain frame still had the whole budget to pass.
      assertEquals(heard.slice(1).map((t) => JSON.parse(t).code), []);
      const stats = await fetch(`${net.url}/v1/shards/0/stats`);
      // Ten answers and the plain frame reached the other peer; 190 were dropped unsent.
      assertEquals((await stats.json() as StatsAnswer).delivered, 11);
      answerer.close();
      other.close();
    } finally {
      await net.dispose();
    }
  },
);

Deno.test(
  "answers: acknowledging the mail and topic messages others sent a peer costs it nothing",
  opts,
  async () => {
    // Small buckets that barely refill: the victim can pay for 30 requests in all. Mail and
    // publishes cost what a request does, so that each sender can send 25 in its burst.
    const BURST = 1_000;
    const net = await startNetwork({
      shards: 1,
      limits: {
        RATE_LIMIT_FRAMES_PER_SECOND: 1,
        RATE_LIMIT_BURST_FRAMES: BURST,
        COST_MAIL: DEFAULT_LIMITS.COST_REQUEST,
        COST_PUBLISH: DEFAULT_LIMITS.COST_REQUEST,
      },
    });
    try {
      const heard: string[] = [];
      const victimId = await Identity.generate();
      const victim = await openBareSocket(net, victimId, heard, {
        [TEST_ADDRESS_HEADER]: "198.51.100.1",
      });
      // It acknowledges each message on its own, as a client that takes them one by one:
      // 200 acknowledgements, 6,600 units at their price, 6.6 times its burst.
      const from = (t: string) => heard.map((h) => JSON.parse(h)).filter((m) => m.t === t);
      victim.onmessage = (e) => {
        if (typeof e.data !== "string") return;
        heard.push(e.data);
        const m = JSON.parse(e.data);
        if (m.t === "mail") victim.send(JSON.stringify({ t: "mail.ack", mids: [m.mid] }));
        if (m.t === "topic") victim.send(JSON.stringify({ t: "topic.ack", seq: m.seq }));
      };
      victim.send(JSON.stringify({ t: "sub", id: 1, topic: "news" }));
      await waitUntil(() => from("sub.result").length === 1);
      const senders = await Promise.all(
        Array.from(
          { length: 8 },
          async (_, i) =>
            openBareSocket(net, await Identity.generate(), [], {
              [TEST_ADDRESS_HEADER]: `203.0.113.${i + 1}`,
            }),
        ),
      );
      for (let i = 0; i < 25; i++) {
        for (const [k, s] of senders.entries()) {
          s.send(JSON.stringify(
            k < 4
              ? { t: "mail", id: i, to: victimId.peerId, data: `m${i}` }
              : { t: "pub", id: i, topic: "news", n: i + 1, data: `p${i}` },
          ));
        }
      }
      await waitUntil(() => from("mail").length === 100 && from("topic").length === 100, 20_000);
      await new Promise((r) => setTimeout(r, 300)); // the last acknowledgements land
      victim.send(JSON.stringify({ t: "lookup", id: 2, peer: victimId.peerId }));
      await waitUntil(() => from("lookup.result").length + from("error").length >= 1);
      assertEquals(from("error").map((e) => e.code), [], "nothing the victim sent was refused");
      assertEquals(from("lookup.result").length, 1);
      // An acknowledgement of nothing sent to it is charged: four of 1,024 ids it does not
      // hold cost more than its whole burst.
      const nothing = Array.from({ length: 1_024 }, (_, i) => `nothing${i}`);
      for (let i = 0; i < 4; i++) victim.send(JSON.stringify({ t: "mail.ack", mids: nothing }));
      await waitUntil(() => from("error").length >= 1);
      await new Promise((r) => setTimeout(r, 200)); // the rest of the four are read
      assertEquals(new Set(from("error").map((e) => e.code)), new Set(["RATE_LIMITED"]));
      for (const s of [...senders, victim]) s.close();
    } finally {
      await net.dispose();
    }
  },
);
