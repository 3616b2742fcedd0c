// TURN credentials per identity, against a real TURN server (Debian's coturn) on loopback:
// each welcome carries the peer's own credential, the server allocates with it, and a
// credential is bound to the peer it was made for.
import { createSocket } from "node:dgram";
import { startNetwork } from "../../../scripts/local_network.ts";
import { ensureTools, TOOLS } from "../../../scripts/system_tools.ts";
import { turnServerArgs } from "../../../scripts/turn_server.ts";
import type { IceServer, NetworkInfo } from "../../../src/protocol/mod.ts";
import { assert, assertEquals } from "../../support/assert.ts";
import { connectPeer } from "../../support/peers.ts";
import { Identity } from "../../../mod.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const SECRET = "turn-secret-for-the-tests";

/** A port free on loopback now, for UDP and TCP (coturn listens on both). */
async function freePort(): Promise<number> {
  for (;;) {
    const tcp = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = tcp.addr as Deno.NetAddr;
    const udp = createSocket("udp4");
    const free = await new Promise<boolean>((resolve) => {
      udp.once("error", () => resolve(false));
      udp.bind(port, "127.0.0.1", () => resolve(true));
    });
    udp.close();
    tcp.close();
    if (free) return port;
  }
}

/** coturn on loopback, taking credentials made with `SECRET`; stopped by the returned call. */
async function startTurn(userQuota?: number): Promise<{ port: number; stop: () => Promise<void> }> {
  await ensureTools([TOOLS.turnserver, TOOLS.turnclient]);
  const dir = await Deno.makeTempDir({ prefix: "superpeer-turn-" });
  const port = await freePort();
  const child = new Deno.Command(TOOLS.turnserver.path, {
    args: turnServerArgs({
      address: "127.0.0.1",
      port,
      secret: SECRET,
      dir,
      loopbackPeers: true,
      userQuota,
    }),
    stdout: "null",
    stderr: "null",
  }).spawn();
  await new Promise((r) => setTimeout(r, 700)); // its relay ports set up
  return {
    port,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Two TURN clients allocate with the credential and relay messages to each other. */
async function relaysWith(port: number, username: string, credential: string) {
  const out = await new Deno.Command(TOOLS.turnclient.path, {
    args: [
      "-p",
      String(port),
      "-u",
      username,
      "-w",
      credential,
      "-n",
      "2",
      "-m",
      "1",
      "-y",
      "127.0.0.1",
    ],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(15_000),
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  const received = Number(text.match(/tot_recv_msgs=(\d+)/g)?.at(-1)?.split("=")[1] ?? 0);
  return { ok: out.code === 0 && received > 0, text };
}

Deno.test(
  "turn: each welcome carries the peer's own TURN credential, which coturn takes",
  opts,
  async () => {
    const turn = await startTurn();
    const url = `turn:127.0.0.1:${turn.port}`;
    const stun = { urls: ["stun:127.0.0.1:3478"] };
    const net = await startNetwork({
      shards: 2,
      vars: { TURN_SECRET: SECRET, TURN_URLS: url, ICE_SERVERS: JSON.stringify([stun]) },
    });
    try {
      const aliceIdentity = await Identity.generate();
      const [alice, bob] = [
        await connectPeer(net, { identity: aliceIdentity }),
        await connectPeer(net),
      ];
      const mine = alice.welcome!.iceServers as IceServer[];
      // Its own TURN server first (a stack may take only the first), then the network's STUN.
      assertEquals(mine.length, 2);
      assertEquals(mine[1], stun);
      const [entry] = mine;
      assertEquals(entry.urls, [url]);
      // `<expiry>:<peer id>`, the expiry the end of the period of TURN_CREDENTIAL_TTL_MS (an
      // hour) after this one: one to two periods from now.
      const [expiry, peer] = entry.username!.split(":");
      assertEquals(peer, alice.peerId);
      const left = Number(expiry) * 1000 - Date.now();
      const ttl = alice.welcome!.limits.TURN_CREDENTIAL_TTL_MS;
      assert(left > ttl - 1_000 && left <= 2 * ttl, `expires in ${left} ms`);
      assertEquals((Number(expiry) * 1000) % ttl, 0, "on the periods' grid");
      // The same peer again within the period: the same user name, so that the TURN server's
      // cap of allocations per user name holds it however often it reconnects.
      const again = await connectPeer(net, { identity: aliceIdentity });
      assertEquals(again.welcome!.iceServers![0].username, entry.username);
      await again.close();
      // coturn allocates with it, and relays.
      const used = await relaysWith(turn.port, entry.username!, entry.credential!);
      assert(used.ok, used.text.slice(-400));
      // Bound to its peer: alice's password under bob's name, or a password bent, is refused.
      const bobs = bob.welcome!.iceServers![0];
      assert(bobs.username !== entry.username && bobs.credential !== entry.credential);
      assert(!(await relaysWith(turn.port, bobs.username!, entry.credential!)).ok);
      assert(!(await relaysWith(turn.port, entry.username!, `A${entry.credential}`)).ok);
      // Without public servers, the welcome holds the TURN server alone.
      await net.restart({ ICE_SERVERS: "" });
      const carol = await connectPeer(net);
      assertEquals(carol.welcome!.iceServers?.map((s) => s.urls), [[url]]);
      await carol.close();
      // Never in the public facts.
      const info = await (await fetch(`${net.url}/v1/network`)).json() as NetworkInfo;
      const served = JSON.stringify(info);
      assert(!served.includes(entry.credential!) && !served.includes(alice.peerId), served);
      await alice.close();
      await bob.close();
    } finally {
      await net.dispose();
      await turn.stop();
    }
  },
);

Deno.test(
  "turn: a peer reconnecting keeps its user name, so the server's cap per name holds it",
  opts,
  async () => {
    // coturn caps allocations per user name (`user-quota`, here 1). The client below makes two.
    const turn = await startTurn(1);
    const url = `turn:127.0.0.1:${turn.port}`;
    const net = await startNetwork({ shards: 2, vars: { TURN_SECRET: SECRET, TURN_URLS: url } });
    try {
      const identity = await Identity.generate();
      // Not astride the end of a period (an hour), where a new name is right.
      const ttl = 3_600_000;
      if (ttl - (Date.now() % ttl) < 5_000) await new Promise((r) => setTimeout(r, 5_000));
      const first = await connectPeer(net, { identity });
      const a = first.welcome!.iceServers![0];
      await first.close();
      // A second later: an expiry counted from each hello would name it anew.
      await new Promise((r) => setTimeout(r, 1_100));
      const again = await connectPeer(net, { identity });
      const b = again.welcome!.iceServers![0];
      await again.close();
      assertEquals([b.username, b.credential], [a.username, a.credential]);
      // Its second allocation under that name is refused: reconnecting gives it no more.
      const used = await relaysWith(turn.port, b.username!, b.credential!);
      assert(!used.ok && used.text.includes("486"), used.text.slice(-400));
    } finally {
      await net.dispose();
      await turn.stop();
    }
  },
);

Deno.test("turn: a network without TURN servers gives no credential", opts, async () => {
  const net = await startNetwork({ shards: 1 });
  try {
    const peer = await connectPeer(net);
    assertEquals(peer.welcome!.iceServers, undefined);
    await peer.close();
    // With public servers alone, the welcome lists them, so that a peer needs no list of its own.
    const stun = { urls: ["stun:127.0.0.1:3478"] };
    await net.restart({ ICE_SERVERS: JSON.stringify([stun]) });
    const again = await connectPeer(net);
    assertEquals(again.welcome!.iceServers, [stun]);
    await again.close();
  } finally {
    await net.dispose();
  }
});

Deno.test("turn: a Cloudflare TURN key mints each peer its own credential", opts, async () => {
  // A stand-in that answers as Cloudflare's documented `generate-ice-servers` does; the real
  // service cannot be reached from the tests.
  const asked: { path: string; auth: string | null; ttl: unknown }[] = [];
  let failing = false;
  const stand = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    asked.push({
      path: new URL(req.url).pathname,
      auth: req.headers.get("authorization"),
      ttl: (await req.json()).ttl,
    });
    if (failing) return new Response("no", { status: 500 });
    return Response.json({
      iceServers: [
        { urls: ["stun:stun.cloudflare.com:3478"] },
        {
          urls: ["turn:turn.cloudflare.com:3478?transport=udp", "turns:turn.cloudflare.com:443"],
          username: `u${asked.length}`,
          credential: `c${asked.length}`,
        },
      ],
    }, { status: 201 });
  });
  const api = `http://127.0.0.1:${stand.addr.port}/v1/turn/keys`;
  const token = "a-turn-key-api-token-for-tests";
  const net = await startNetwork({
    shards: 2,
    vars: { TURN_KEY_ID: "key-1", TURN_KEY_API_TOKEN: token, TURN_KEY_API: api },
  });
  try {
    const [alice, bob] = [await connectPeer(net), await connectPeer(net)];
    const [a, b] = [alice, bob].map((p) => p.welcome!.iceServers![0]);
    assertEquals(a.urls, [
      "turn:turn.cloudflare.com:3478?transport=udp",
      "turns:turn.cloudflare.com:443",
    ]);
    assert(a.username !== b.username && a.credential !== b.credential, "each its own");
    const ttl = alice.welcome!.limits.TURN_CREDENTIAL_TTL_MS / 1000;
    assertEquals(asked.slice(0, 2), [
      {
        path: "/v1/turn/keys/key-1/credentials/generate-ice-servers",
        auth: `Bearer ${token}`,
        ttl,
      },
      {
        path: "/v1/turn/keys/key-1/credentials/generate-ice-servers",
        auth: `Bearer ${token}`,
        ttl,
      },
    ]);
    const info = JSON.stringify(await (await fetch(`${net.url}/v1/network`)).json());
    assert(!info.includes(token) && !info.includes(a.credential!), info);
    // The service failing: the peer connects all the same, without a TURN server.
    failing = true;
    const carol = await connectPeer(net);
    assertEquals(carol.welcome!.iceServers, undefined);
    for (const p of [alice, bob, carol]) await p.close();
  } finally {
    await net.dispose();
    await stand.shutdown();
  }
});
